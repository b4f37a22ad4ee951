import { type Job, UnrecoverableError } from 'bullmq'
import type { QueueName } from './queues'

type Nothing = Record<string, never>

/**
 * Every job the product runs: queue → job name → payload. `addToOutbox` takes only a queue, name and payload
 * that match a line here, and each worker's `dispatchJobs` needs one handler per name, so a misspelt job fails
 * `tsc` rather than in production. Payloads carry ids and short codes only (see `payloadProblem`).
 */
export interface JobCatalogue {
  'refill-submission': {
    /** Send one refill request to the pharmacy. */
    submit: { refillRequestId: number }
    /** Email the member that a request's status changed. */
    'notify-member': { eventId: number }
    /** Scheduled: read back orders whose webhook never came. */
    reconcile: Nothing
  }
  'appointment-reminders': {
    /** Scheduled: record the reminders due now and queue one `send-reminder` each. */
    sweep: Nothing
    'send-reminder': { reminderId: number }
  }
  'office-message-notifications': {
    'verify-email': { verificationId: number }
    'user-id-reminder': { userId: number }
    'password-reset': { resetId: number }
    'security-notice': { userId: number; event: string }
    /** An office reply asks for a notice (throttled per member by `OfficeReplyNotices`). */
    'office-reply': { messageId: number }
    /** A recorded notice or follow-up (`office_reply_notices`), sent once however often the job runs. */
    'reply-notice': { noticeId: number }
    'reply-follow-up': { noticeId: number }
    'proxy-access-granted': { grantId: number }
    /** Scheduled: release lab results whose hold or wait has ended, and ask for their notices. */
    'lab-release-sweep': Nothing
    /** A lab result was released: email its member (throttled per member by `NewResultNotices`). */
    'lab-result-released': { resultId: number }
    'lab-result-follow-up': { memberId: number }
    /** A prior authorization's status changed: email its member a notice that names no service. */
    'prior-authorization-changed': { authorizationId: number }
  }
  'temp-password-letters': {
    /** Scheduled nightly, or asked for from the ops area (`requestedBy`). */
    'run-batch': { requestedBy?: number }
    /** Scheduled: remove batch files past their retention. */
    'delete-expired-files': Nothing
  }
}

export type JobName<Q extends QueueName> = keyof JobCatalogue[Q] & string
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = JobCatalogue[Q][J]

/** One job as the outbox stores it: a queue, one of its job names, and that job's payload. */
export type JobMessage = {
  [Q in QueueName]: { [J in JobName<Q>]: { queue: Q; jobName: J; payload: JobPayload<Q, J> } }[JobName<Q>]
}[QueueName]

/** A worker's handler for each job of its queue, given the job's payload and the job itself. */
export type JobHandlers<Q extends QueueName> = {
  [J in JobName<Q>]: (payload: JobPayload<Q, J>, job: Job) => Promise<unknown>
}

/**
 * A worker's hold on a job (`JOB_LOCK_MS`): it renews the lock while the job runs; a killed worker's lock lapses,
 * and the stalled-job check, run as often, hands the job to another worker.
 */
export function jobLockOptions(lockMs: number): { lockDuration: number; stalledInterval: number } {
  return { lockDuration: lockMs, stalledInterval: lockMs }
}

/**
 * A queue's processor: the job's name picks its handler. A job no handler knows (an old release's name, a
 * hand-made job) is an `UnrecoverableError`: retrying it could never succeed.
 */
export function dispatchJobs<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>): (job: Job) => Promise<unknown> {
  return async (job) => {
    if (!Object.hasOwn(handlers, job.name)) throw new UnrecoverableError(`Unknown job ${job.name} on ${queue}`)
    const handler = handlers[job.name as JobName<Q>] as (payload: unknown, job: Job) => Promise<unknown>
    return handler(job.data ?? {}, job)
  }
}

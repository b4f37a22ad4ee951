import { type Job, type Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FamilyService } from '../src/family/service'
import type { NewResultNotices } from '../src/labs/notices'
import type { LabResultsService } from '../src/labs/service'
import type { OfficeReplyNotices } from '../src/messages/notices'
import type { AccountEmailService } from '../src/notifications/service'
import { dispatchJobs, jobLockOptions } from '../src/platform/jobs'
import type { PriorAuthorizationService } from '../src/prior-authorizations/service'

export const queueName = 'office-message-notifications' as const

export const labReleaseSweepJob = 'lab-release-sweep'

/** Releases lab results whose time has come (a hold or a wait ended) every so often; idempotent at every start. */
export async function scheduleLabReleaseSweep(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    labReleaseSweepJob,
    { every: everyMs },
    { name: labReleaseSweepJob, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
}

/** A retried job's key: what the services record as sent, so it is sent once. */
const keyOf = (job: Job) => job.id ?? `${job.name}-${job.timestamp}`

/**
 * Emails to members: account emails, notices that the office replied (throttled, see `OfficeReplyNotices`),
 * that a lab result was released (throttled the same way, see `NewResultNotices`, after the release sweep),
 * that someone gave them access, and that a prior authorization changed. Each job carries ids only; the services reload what they need
 * and record what they sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  notices: OfficeReplyNotices,
  family: Pick<FamilyService, 'sendGrantNotice'>,
  labs: { notices: NewResultNotices; results: Pick<LabResultsService, 'releaseDue'> },
  priorAuthorizations: Pick<PriorAuthorizationService, 'sendChangeNotice'>,
  lockMs: number,
): Worker {
  return new Worker(
    queueName,
    dispatchJobs(queueName, {
      'proxy-access-granted': (payload, job) => family.sendGrantNotice(Number(payload.grantId), keyOf(job)),
      'office-reply': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'reply-notice': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'reply-follow-up': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'lab-release-sweep': async () => `released ${await labs.results.releaseDue()}`,
      'lab-result-released': (payload, job) => labs.notices.handle({ name: job.name, data: payload }),
      'lab-result-follow-up': (payload, job) => labs.notices.handle({ name: job.name, data: payload }),
      'prior-authorization-changed': (payload, job) =>
        priorAuthorizations.sendChangeNotice(Number(payload.authorizationId), keyOf(job)),
      'verify-email': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'user-id-reminder': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'password-reset': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'security-notice': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
    }),
    {
      connection,
      prefix,
      concurrency: 4,
      ...jobLockOptions(lockMs),
    },
  )
}

import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { dispatchJobs, jobLockOptions } from '../src/platform/jobs'
import type { RefillSubmissionService } from '../src/prescriptions/submission'

export const queueName = 'refill-submission' as const

export interface RefillWorkerOptions {
  concurrency: number
  /** How soon a job held by a killed worker is noticed and given to another (`jobLockOptions`). */
  lockMs: number
  reconcileAfterMinutes: number
}

/**
 * Refill requests to the pharmacy (`submit`, one job per request, from the outbox), the notice emails of
 * each status change (`notify-member`), and the periodic read-back of orders whose webhook never came
 * (`reconcile`). Jobs carry ids only. Retries and their backoff are the queue's job options
 * (`refillJobOptions`); the processor knows the last attempt so it can mark the request failed.
 */
export function startRefillWorker(
  connection: Redis,
  prefix: string,
  refills: RefillSubmissionService,
  options: RefillWorkerOptions,
): Worker {
  return new Worker(
    queueName,
    dispatchJobs(queueName, {
      submit: (payload, job) =>
        refills.submit(Number(payload.refillRequestId), { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
      'notify-member': (payload) => refills.sendNotice(Number(payload.eventId)),
      reconcile: async () => ({ moved: await refills.reconcile(options.reconcileAfterMinutes) }),
    }),
    {
      connection,
      prefix,
      concurrency: options.concurrency,
      ...jobLockOptions(options.lockMs),
    },
  )
}

/** Reads back stuck orders on a schedule, registered (or updated) at every start. */
export async function scheduleRefillJobs(queue: Queue, schedule: string, timezone: string): Promise<void> {
  await queue.upsertJobScheduler('reconcile-sent-refills', { pattern: schedule, tz: timezone }, { name: 'reconcile' })
}

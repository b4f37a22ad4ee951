import type { Logger } from 'pino'
import type { QueueName, Queues } from './queues'

/**
 * Every job scheduler the worker registers, by queue and id. The worker process upserts them (see
 * `jobs/worker.ts`); the ops page checks they are all in Redis, since a Redis that lost its data (flushed,
 * restarted without persistence, failed over to a replica that was behind) loses them without a reconnect.
 */
export const jobSchedulers: readonly { queue: QueueName; id: string }[] = [
  { queue: 'temp-password-letters', id: 'nightly-letter-batch' },
  { queue: 'temp-password-letters', id: 'daily-letter-file-cleanup' },
  { queue: 'appointment-reminders', id: 'appointment-reminder-sweep' },
  { queue: 'refill-submission', id: 'reconcile-sent-refills' },
]

/** The schedulers Redis does not hold, as `queue/id`. */
export async function missingSchedulers(queues: Queues): Promise<string[]> {
  const found = await Promise.all(
    jobSchedulers.map(async ({ queue, id }) => Boolean(await queues.get(queue).getJobScheduler(id))),
  )
  return jobSchedulers.filter((_scheduler, index) => !found[index]).map(({ queue, id }) => `${queue}/${id}`)
}

/**
 * Checks every `everyMs` that every scheduler is in Redis and registers them all again (`register`, an upsert,
 * so harmless when another worker did it first) when one is missing. Returns a stop function.
 */
export function keepSchedulers(
  queues: Queues,
  register: () => Promise<void>,
  logger: Logger,
  everyMs: number,
): () => void {
  let checking = false
  const timer = setInterval(() => {
    if (checking) return
    checking = true
    missingSchedulers(queues)
      .then(async (missing) => {
        if (missing.length === 0) return
        logger.warn({ missing }, 'job schedulers missing from Redis: registering them again')
        await register()
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not check the job schedulers'))
      .finally(() => {
        checking = false
      })
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}

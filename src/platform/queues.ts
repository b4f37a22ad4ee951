import { JobsOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'

/** Every BullMQ queue the product uses; workers and the outbox relay address them by these names. */
export const queueNames = [
  'refill-submission',
  'appointment-reminders',
  'office-message-notifications',
  'temp-password-letters',
] as const

export type QueueName = (typeof queueNames)[number]

/** Finished jobs stay long enough to show on the dashboard and to swallow a duplicate enqueue, then go. */
export const defaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 50_000 },
}

export interface Queues {
  prefix: string
  /** The connection the queues share, for reading several jobs' keys in one round trip. */
  redis: Redis
  get(name: string): Queue
  all(): Queue[]
  close(): Promise<void>
}

/** Builds queues lazily on one shared connection; tests pass their own prefix so runs never meet. */
export function createQueues(
  connection: Redis,
  prefix: string,
  onError: (error: Error) => void = () => undefined,
  // A queue whose jobs need other retries than the defaults (the refill submissions' backoff).
  jobOptions: Partial<Record<QueueName, JobsOptions>> = {},
): Queues {
  const queues = new Map<string, Queue>()
  return {
    prefix,
    redis: connection,
    get(name) {
      let queue = queues.get(name)
      if (!queue) {
        queue = new Queue(name, {
          connection,
          prefix,
          defaultJobOptions: { ...defaultJobOptions, ...jobOptions[name as QueueName] },
        })
        // Connection errors surface here; without a listener Node would treat them as unhandled.
        queue.on('error', onError)
        queues.set(name, queue)
      }
      return queue
    },
    all() {
      return queueNames.map((name) => this.get(name))
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()))
    },
  }
}

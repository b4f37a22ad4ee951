import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { LetterBatchService } from '../src/letters/batch'
import { dispatchJobs } from '../src/platform/jobs'

export const queueName = 'temp-password-letters' as const

/**
 * One batch at a time per worker process; two processes may still run at once, which the batch service
 * makes safe. The job carries nothing: the batch takes whatever is pending when it runs.
 */
export function startLetterWorker(
  connection: Redis,
  prefix: string,
  batches: LetterBatchService,
  retentionDays: number,
): Worker {
  return new Worker(
    queueName,
    dispatchJobs(queueName, {
      'delete-expired-files': async () => ({ deleted: await batches.deleteExpiredFiles(retentionDays) }),
      'run-batch': async () => {
        const result = await batches.runBatch()
        return result
          ? { batchId: result.batchId, pieces: result.pieces, pages: result.pages }
          : { batchId: null, pieces: 0 }
      },
    }),
    // A batch of ten thousand letters takes minutes; the lock is renewed while it runs.
    { connection, prefix, concurrency: 1, lockDuration: 120_000 },
  )
}

/** The nightly batch and the daily removal of old batch files, registered (or updated) at every start. */
export async function scheduleLetterJobs(queue: Queue, schedule: string, timezone: string): Promise<void> {
  await queue.upsertJobScheduler(
    'nightly-letter-batch',
    { pattern: schedule, tz: timezone },
    { name: 'run-batch', opts: { attempts: 3 } },
  )
  await queue.upsertJobScheduler(
    'daily-letter-file-cleanup',
    { pattern: '0 5 * * *', tz: timezone },
    { name: 'delete-expired-files' },
  )
}

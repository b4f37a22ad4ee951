import type { Queue } from 'bullmq'
import type { Queues } from '../platform/queues'
import type { Db } from '../platform/db'
import type { AuditLog } from '../platform/audit'
import { Clock, systemClock } from '../platform/clock'
import { addToOutbox, outboxCounts } from '../platform/outbox'
import { missingSchedulers } from '../platform/schedulers'

export interface QueueSummary {
  name: string
  waiting: number
  active: number
  delayed: number
  failed: number
  completed: number
  /** Seconds the oldest waiting job has waited; null when none waits. */
  oldestWaitingSeconds: number | null
  /** Active jobs whose worker stopped renewing the lock (killed, or its event loop blocked): BullMQ will hand them on. */
  stalled: number
}

export interface OutboxLag {
  /** Rows not yet on a queue, and how long the oldest has waited (by the portal's clock). */
  pending: number
  oldestPending: Date | null
  oldestPendingSeconds: number | null
  /** Rows on a queue whose job has not completed yet. */
  unfinished: number
  /** Rows whose job failed for good (retry it from the dashboard). */
  failed: number
}

export interface LatestBatch {
  id: string
  status: string
  pieces: number
  createdAt: Date
}

/** What an ops engineer checks first: how deep each queue is, what failed, and whether the outbox is draining. */
export class OpsService {
  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly letterBatches: { latestBatch(): Promise<LatestBatch | undefined> },
  ) {}

  async queueSummaries(): Promise<QueueSummary[]> {
    return Promise.all(
      this.queues.all().map(async (queue) => {
        const [counts, oldestWaitingSeconds, stalled] = await Promise.all([
          queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          this.oldestWaitingSeconds(queue),
          this.stalledCount(queue),
        ])
        return {
          name: queue.name,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
          oldestWaitingSeconds,
          stalled,
        }
      }),
    )
  }

  private async oldestWaitingSeconds(queue: Queue): Promise<number | null> {
    const [oldest] = await queue.getJobs(['wait'], 0, 0, true)
    if (!oldest) return null
    // BullMQ stamps jobs with the real time of the process that added them, so their age is real time too.
    return Math.max(0, Math.round((systemClock().getTime() - oldest.timestamp) / 1000))
  }

  /** Active jobs (the first 200) whose lock has expired: their worker is gone and the stall check will move them. */
  private async stalledCount(queue: Queue): Promise<number> {
    const active = await queue.getRanges(['active'], 0, 199)
    if (active.length === 0) return 0
    const pipeline = this.queues.redis.pipeline()
    for (const id of active) pipeline.exists(`${queue.toKey(id)}:lock`)
    const replies = (await pipeline.exec()) ?? []
    return replies.filter(([error, exists]: [Error | null, unknown]) => !error && Number(exists) === 0).length
  }

  async requestLetterBatch(actorUserId: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      await addToOutbox(trx, this.clock, {
        queue: 'temp-password-letters',
        jobName: 'run-batch',
        payload: { requestedBy: actorUserId },
      })
      await this.audit.record({ actorUserId, action: 'letters.batch-requested' }, trx)
    })
  }

  async outboxLag(): Promise<OutboxLag> {
    const counts = await outboxCounts(this.db)
    const oldest = counts.oldestPending
    return {
      ...counts,
      oldestPendingSeconds: oldest ? Math.max(0, Math.round((this.clock().getTime() - oldest.getTime()) / 1000)) : null,
    }
  }

  /** Job schedulers (nightly batch, reminder sweep, reconciliation) Redis has lost: a problem until a worker re-adds them. */
  missingSchedulers(): Promise<string[]> {
    return missingSchedulers(this.queues)
  }

  latestLetterBatch(): Promise<LatestBatch | undefined> {
    return this.letterBatches.latestBatch()
  }
}

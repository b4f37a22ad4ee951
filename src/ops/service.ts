import type { Queues } from '../platform/queues'
import type { Db } from '../platform/db'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { addToOutbox } from '../platform/outbox'

export interface QueueSummary {
  name: string
  waiting: number
  active: number
  delayed: number
  failed: number
  completed: number
}

/** What an ops engineer checks first: how deep each queue is, what failed, and whether the outbox is draining. */
export class OpsService {
  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async queueSummaries(): Promise<QueueSummary[]> {
    return Promise.all(
      this.queues.all().map(async (queue) => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')
        return {
          name: queue.name,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
        }
      }),
    )
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

  async outboxBacklog(): Promise<{ pending: number; oldest: Date | null }> {
    const row = await this.db('outbox')
      .whereNull('enqueued_at')
      .first(this.db.raw('count(*) as pending'), this.db.raw('min(created_at) as oldest'))
    return { pending: Number(row?.pending ?? 0), oldest: row?.oldest ?? null }
  }
}

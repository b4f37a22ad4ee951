import type { Knex } from 'knex'
import type { Logger } from 'pino'
import type { Clock } from './clock'
import type { Db } from './db'
import type { Queues } from './queues'
import { withinTime } from './timeout'

export interface OutboxMessage {
  queue: string
  jobName: string
  payload: Record<string, string | number | boolean | null>
}

/**
 * The one way web code asks for background work: call this inside the transaction that writes the request,
 * so the job exists exactly when the request does.
 */
export async function addToOutbox(trx: Knex.Transaction | Db, clock: Clock, message: OutboxMessage): Promise<number> {
  const [id] = await trx('outbox').insert({
    queue: message.queue,
    job_name: message.jobName,
    payload: JSON.stringify(message.payload),
    created_at: clock(),
  })
  return Number(id)
}

export function outboxJobId(outboxId: number): string {
  return `outbox-${outboxId}`
}

/**
 * Moves committed outbox rows onto their queues. Rows are claimed with SKIP LOCKED so several relays never
 * take the same row, and the job id is the row's id so a row enqueued twice (a relay dying between the
 * enqueue and the update) is still one job.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | undefined
  private stopped = false

  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    // BullMQ waits for Redis indefinitely; a relay must give up and leave the row pending instead.
    private readonly enqueueTimeoutMs = 5_000,
  ) {}

  async relayPending(limit = 100): Promise<number> {
    return this.db.transaction(async (trx) => {
      const rows: { id: number; queue: string; job_name: string; payload: string | object }[] = await trx('outbox')
        .whereNull('enqueued_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .select('id', 'queue', 'job_name', 'payload')
      for (const row of rows) {
        const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload
        try {
          const queue = this.queues.get(row.queue)
          await withinTime(
            queue.add(row.job_name, payload, { jobId: outboxJobId(Number(row.id)) }),
            this.enqueueTimeoutMs,
            `Queue ${row.queue}`,
          )
          await trx('outbox').where({ id: row.id }).update({ enqueued_at: this.clock(), last_error: null })
        } catch (error) {
          this.logger.warn({ err: error, outboxId: row.id, queue: row.queue }, 'could not enqueue an outbox row')
          await trx('outbox')
            .where({ id: row.id })
            .update({ relay_attempts: trx.raw('relay_attempts + 1'), last_error: String(error).slice(0, 255) })
        }
      }
      return rows.length
    })
  }

  /** Polls until stopped; a full batch is followed at once by the next. */
  start(pollMs: number): void {
    const tick = async () => {
      if (this.stopped) return
      let relayed = 0
      try {
        this.running = this.relayPending()
        relayed = (await this.running) as number
      } catch (error) {
        this.logger.error({ err: error }, 'outbox relay failed')
      } finally {
        this.running = undefined
      }
      if (!this.stopped) this.timer = setTimeout(tick, relayed >= 100 ? 0 : pollMs)
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running?.catch(() => undefined)
  }
}

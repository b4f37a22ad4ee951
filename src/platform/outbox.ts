import { randomBytes } from 'node:crypto'
import type { Worker } from 'bullmq'
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import type { Clock } from './clock'
import type { JobMessage } from './jobs'
import type { Db } from './db'
import type { Queues } from './queues'
import { withinTime } from './timeout'

/** A job for the outbox: one line of the `JobCatalogue`, with the job's own delay or retries where needed. */
export type OutboxMessage = JobMessage & {
  /** The job's own delay (real milliseconds) and retries, where the queue's defaults do not fit. */
  options?: OutboxJobOptions
}

type Payload = Record<string, string | number | boolean | null | undefined>

export interface OutboxJobOptions {
  delay?: number
  attempts?: number
  backoff?: { type: 'exponential' | 'fixed'; delay: number }
}

type OutboxRow = {
  id: number
  token: string
  queue: string
  job_name: string
  payload: string | object
  job_options: string | object | null
}

const rowColumns = ['id', 'token', 'queue', 'job_name', 'payload', 'job_options']

const parsed = <T>(value: string | object | null): T | undefined =>
  value === null ? undefined : ((typeof value === 'string' ? JSON.parse(value) : value) as T)

/** The BullMQ options of a row's job: its id (row id and token) and any delay or retries of its own. */
function jobOptionsOf(row: OutboxRow) {
  return { ...parsed<OutboxJobOptions>(row.job_options), jobId: outboxJobId(Number(row.id), row.token) }
}

// Jobs carry ids only: numbers, flags, or short lowercase codes ("password-changed"). A name, an email
// address or any free text has a capital, a space, an @ or a dot, and is refused before it reaches Redis.
const idLikeText = /^[a-z0-9-]{1,40}$/

/** Why a payload may not be queued (it would carry more than ids), or undefined when it may. */
export function payloadProblem(payload: Payload): string | undefined {
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || value === undefined || typeof value === 'boolean') continue
    if (typeof value === 'number' && Number.isFinite(value)) continue
    if (typeof value === 'string' && idLikeText.test(value)) continue
    return `outbox payload field "${key}" is not an id, a number or a short code`
  }
  return undefined
}

function outboxRow(message: OutboxMessage, createdAt: Date) {
  const problem = payloadProblem(message.payload)
  if (problem) throw new Error(problem)
  return {
    queue: message.queue,
    job_name: message.jobName,
    payload: JSON.stringify(message.payload),
    created_at: createdAt,
    job_options: message.options ? JSON.stringify(message.options) : null,
    // Part of the job id: row ids start again after a restore from backup, tokens do not repeat.
    token: randomBytes(8).toString('hex'),
  }
}

/**
 * The one way web code asks for background work: call this inside the transaction that writes the request,
 * so the job exists exactly when the request does.
 */
export async function addToOutbox(trx: Knex.Transaction | Db, clock: Clock, message: OutboxMessage): Promise<number> {
  const [id] = await trx('outbox').insert(outboxRow(message, clock()))
  return Number(id)
}

/** Many messages at once, in the caller's transaction (a sweep that queues thousands of emails). */
export async function addAllToOutbox(
  trx: Knex.Transaction | Db,
  clock: Clock,
  messages: OutboxMessage[],
): Promise<void> {
  const createdAt = clock()
  for (let start = 0; start < messages.length; start += 1000) {
    await trx('outbox').insert(messages.slice(start, start + 1000).map((message) => outboxRow(message, createdAt)))
  }
}

/** Rows not yet on a queue (and the oldest's time), on a queue and unfinished, and failed for good: for ops. */
export async function outboxCounts(db: Db) {
  const [pending, unfinished, failed] = await Promise.all([
    db('outbox').whereNull('enqueued_at').first(db.raw('count(*) as n'), db.raw('min(created_at) as oldest')),
    db('outbox')
      .whereNull('completed_at')
      .whereNull('failed_at')
      .whereNotNull('enqueued_at')
      .first(db.raw('count(*) as n')),
    db('outbox').whereNull('completed_at').whereNotNull('failed_at').first(db.raw('count(*) as n')),
  ])
  return {
    pending: Number(pending?.n ?? 0),
    oldestPending: (pending?.oldest as Date | null | undefined) ?? null,
    unfinished: Number(unfinished?.n ?? 0),
    failed: Number(failed?.n ?? 0),
  }
}

export function outboxJobId(outboxId: number, token: string): string {
  return `outbox-${outboxId}-${token}`
}

/** The row an outbox job came from; undefined for jobs that did not (schedulers' jobs). */
export function outboxRowOf(jobId: string | undefined): { id: number; token: string } | undefined {
  const match = /^outbox-(\d{1,19})-([0-9a-f]{16})$/.exec(jobId ?? '')
  return match ? { id: Number(match[1]), token: match[2] } : undefined
}

type JobState = 'completed' | 'failed' | 'in-redis' | 'vanished'

/**
 * Moves committed outbox rows onto their queues and keeps them until their jobs have finished. Rows are claimed
 * with SKIP LOCKED so several relays never take the same row; the job id is the row's id and token, so a row
 * enqueued twice (a relay dying between the enqueue and the update, or a job put back after Redis lost it) is
 * still one job.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | undefined
  private stopped = false
  private lastCheck = 0

  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    // BullMQ waits for Redis indefinitely; a relay must give up and leave the row pending instead.
    private readonly enqueueTimeoutMs = 5_000,
  ) {}

  /**
   * Claims up to `limit` pending rows and adds them to their queues: one `addBulk` (one Redis round trip) and one
   * UPDATE per queue, not two round trips per row. A queue that cannot be reached leaves its rows pending, each
   * with the error and one more attempt counted; the other queues' rows go on.
   */
  /**
   * A transaction that claims rows with SKIP LOCKED and then marks them. READ COMMITTED takes no gap locks, so
   * relays that claimed neighbouring rows never deadlock when their UPDATEs move rows within the same index.
   */
  private claiming<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work, { isolationLevel: 'read committed' })
  }

  async relayPending(limit = 100): Promise<number> {
    return this.claiming(async (trx) => {
      const rows: OutboxRow[] = await trx('outbox')
        .whereNull('enqueued_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .select(rowColumns)
      const byQueue = new Map<string, typeof rows>()
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row])
      for (const [name, queued] of byQueue) {
        const ids = queued.map((row) => row.id)
        try {
          const jobs = queued.map((row) => ({
            name: row.job_name,
            data: parsed(row.payload),
            opts: jobOptionsOf(row),
          }))
          await withinTime(this.queues.get(name).addBulk(jobs), this.enqueueTimeoutMs, `Queue ${name}`)
          await trx('outbox').whereIn('id', ids).update({ enqueued_at: this.clock(), last_error: null })
        } catch (error) {
          this.logger.warn({ err: error, outboxIds: ids, queue: name }, 'could not enqueue outbox rows')
          await trx('outbox')
            .whereIn('id', ids)
            .update({ relay_attempts: trx.raw('relay_attempts + 1'), last_error: String(error).slice(0, 255) })
        }
      }
      return rows.length
    })
  }

  /**
   * Looks in Redis for the jobs of rows enqueued at least `olderThanMs` ago and not yet finished: a completed or
   * failed job finishes its row (the worker's own report may have been lost), and a job that is gone — Redis
   * restarted empty, failed over to a replica that was behind, or was flushed — is added again under the same
   * id, so it cannot be added twice while it exists.
   */
  async checkUnfinished(olderThanMs: number, limit = 500): Promise<{ finished: number; requeued: number }> {
    const cutoff = new Date(this.clock().getTime() - olderThanMs)
    return this.claiming(async (trx) => {
      const rows: OutboxRow[] = await trx('outbox')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .whereNotNull('enqueued_at')
        .where('enqueued_at', '<=', cutoff)
        .orderBy('enqueued_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .select(rowColumns)
      if (rows.length === 0) return { finished: 0, requeued: 0 }
      const states = await withinTime(this.jobStates(rows), this.enqueueTimeoutMs, 'Redis')
      const now = this.clock()
      const completed = rows.filter((_row, index) => states[index] === 'completed').map((row) => row.id)
      const failed = rows.filter((_row, index) => states[index] === 'failed').map((row) => row.id)
      if (completed.length > 0) await trx('outbox').whereIn('id', completed).update({ completed_at: now })
      if (failed.length > 0) await trx('outbox').whereIn('id', failed).update({ failed_at: now })
      let requeued = 0
      for (const [index, row] of rows.entries()) {
        if (states[index] !== 'vanished') continue
        // A delayed job (a window's follow-up) waits its whole delay again: late rather than early.
        await withinTime(
          this.queues.get(row.queue).add(row.job_name, parsed(row.payload), jobOptionsOf(row)),
          this.enqueueTimeoutMs,
          `Queue ${row.queue}`,
        )
        await trx('outbox')
          .where({ id: row.id })
          .update({ enqueued_at: now, requeued: trx.raw('requeued + 1') })
        requeued += 1
      }
      if (requeued > 0) this.logger.warn({ requeued }, 'outbox rows whose jobs were gone from Redis were queued again')
      return { finished: completed.length + failed.length, requeued }
    })
  }

  /**
   * Deletes rows whose work is done and old enough that nothing looks at them any more: completed ones after
   * `keep.completedDays` (as long as Redis keeps the finished job), failed ones after `keep.failedDays` (ops
   * may still be asking why). A batch at a time, oldest first, so a long backlog never holds a long lock.
   */
  async pruneFinished(
    keep = { completedDays: 7, failedDays: 30 },
    batch = 1_000,
  ): Promise<{ completed: number; failed: number }> {
    const daysAgo = (days: number) => new Date(this.clock().getTime() - days * 86_400_000)
    const prune = (column: 'completed_at' | 'failed_at', before: Date) =>
      this.db('outbox').where(column, '<', before).orderBy(column).limit(batch).del()
    return {
      completed: await prune('completed_at', daysAgo(keep.completedDays)),
      failed: await prune('failed_at', daysAgo(keep.failedDays)),
    }
  }

  /** One round trip per queue: is each job in the completed set, the failed set, anywhere else, or nowhere. */
  private async jobStates(rows: { id: number; token: string; queue: string }[]): Promise<JobState[]> {
    const states: JobState[] = []
    const byQueue = new Map<string, number[]>()
    rows.forEach((row, index) => byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), index]))
    for (const [name, indexes] of byQueue) {
      const queue = this.queues.get(name)
      const pipeline = this.queues.redis.pipeline()
      for (const index of indexes) {
        const jobId = outboxJobId(Number(rows[index].id), rows[index].token)
        pipeline.zscore(queue.keys.completed, jobId).zscore(queue.keys.failed, jobId).exists(queue.toKey(jobId))
      }
      const replies = (await pipeline.exec()) ?? []
      indexes.forEach((rowIndex, position) => {
        const [completed, failed, exists] = replies
          .slice(position * 3, position * 3 + 3)
          .map(([error, value]: [Error | null, unknown]) => {
            if (error) throw error
            return value
          })
        states[rowIndex] =
          completed !== null ? 'completed' : failed !== null ? 'failed' : Number(exists) > 0 ? 'in-redis' : 'vanished'
      })
    }
    return states
  }

  /**
   * Polls until stopped; a full batch is followed at once by the next. Every `recheckMs` it also checks the
   * rows enqueued at least that long ago whose jobs have not reported back.
   */
  start(pollMs: number, recheckMs = 60_000): void {
    const tick = async () => {
      if (this.stopped) return
      let relayed = 0
      try {
        this.running = this.relayPending()
        relayed = (await this.running) as number
        if (this.clock().getTime() - this.lastCheck >= recheckMs || this.clock().getTime() < this.lastCheck) {
          this.lastCheck = this.clock().getTime()
          this.running = this.checkUnfinished(recheckMs)
          await this.running
          this.running = this.pruneFinished()
          await this.running
        }
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

/**
 * Finishes outbox rows as their jobs complete, a few at a time in one UPDATE. A report lost in a crash is
 * made good by the relay's `checkUnfinished`, which finds the job in Redis's completed set.
 */
export class OutboxCompletions {
  private waiting: { id: number; token: string }[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly flushMs = 100,
  ) {}

  /** Reports every outbox job the worker completes. */
  watch(worker: Worker): void {
    worker.on('completed', (job) => this.completed(job.id))
  }

  completed(jobId: string | undefined): void {
    const row = outboxRowOf(jobId)
    if (!row) return
    this.waiting.push(row)
    if (this.waiting.length >= 200) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs)
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const rows = this.waiting
    this.waiting = []
    if (rows.length === 0) return this.flushing
    this.flushing = this.flushing.then(() =>
      this.db('outbox')
        .whereIn(
          'id',
          rows.map((row) => row.id),
        )
        // The token too: after a restore from backup, an old job's row id may belong to a new row.
        .whereIn(
          ['id', 'token'],
          rows.map((row) => [row.id, row.token]),
        )
        .whereNull('completed_at')
        .update({ completed_at: this.clock(), failed_at: null })
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error }, 'could not mark outbox rows completed'),
        ),
    )
    return this.flushing
  }
}

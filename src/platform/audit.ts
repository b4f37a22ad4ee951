import type { Knex } from 'knex'
import type { Clock } from './clock'
import type { Db } from './db'
import { storedIp } from './ip'

export interface AuditEntry {
  actorUserId: number | null
  subjectMemberId?: number | null
  action: string
  targetType?: string
  targetId?: string | number
  detail?: Record<string, unknown>
  requestId?: string
  ip?: string
  /** The app that read the record through the API (its client id); unset for the portal's own pages. */
  appClientId?: string
}

interface Waiting {
  row: Record<string, unknown>
  written: () => void
  failed: (error: unknown) => void
}

/** Rows written by one INSERT at most: a burst larger than this is written in several. */
const batchLimit = 500

/**
 * The one audit call: who did what, for whom, when. Detail holds ids and outcomes, never health information.
 *
 * `record` resolves only once its row is in the table, so nothing is shown before it is audited. Rows recorded
 * outside a transaction are written together (group commit): the first goes at once, and rows recorded while
 * an INSERT is under way wait for it and go in the next one, so a busy web process writes one INSERT per round
 * trip instead of one per page view, and a quiet one waits no longer than before. If a shared INSERT fails,
 * each of its rows is tried alone, so one bad row never costs another request its page.
 */
export class AuditLog {
  private waiting: Waiting[] = []
  private writing = false

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, trx?: Knex.Transaction): Promise<void> {
    const row = {
      at: this.clock(),
      actor_user_id: entry.actorUserId,
      subject_member_id: entry.subjectMemberId ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId === undefined ? null : String(entry.targetId),
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      request_id: entry.requestId ?? null,
      ip: storedIp(entry.ip),
      app_client_id: entry.appClientId ?? null,
    }
    // Inside a transaction the row commits or rolls back with the work it describes.
    if (trx) return void (await trx('audit_log').insert(row))
    await new Promise<void>((written, failed) => {
      this.waiting.push({ row, written, failed })
      if (!this.writing) void this.writeWaiting()
    })
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, batchLimit)
        try {
          await this.db('audit_log').insert(batch.map(({ row }) => row))
          for (const { written } of batch) written()
        } catch (error) {
          if (batch.length === 1) {
            batch[0].failed(error)
            continue
          }
          await Promise.all(
            batch.map(({ row, written, failed }) =>
              this.db('audit_log')
                .insert(row)
                .then(() => written(), failed),
            ),
          )
        }
      }
    } finally {
      this.writing = false
    }
  }
}

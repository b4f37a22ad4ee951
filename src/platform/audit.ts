import type { Knex } from 'knex'
import type { Clock } from './clock'
import type { Db } from './db'

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

/** The one audit call: who did what, for whom, when. Detail holds ids and outcomes, never health information. */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.db)('audit_log').insert({
      at: this.clock(),
      actor_user_id: entry.actorUserId,
      subject_member_id: entry.subjectMemberId ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId === undefined ? null : String(entry.targetId),
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      request_id: entry.requestId ?? null,
      ip: entry.ip ?? null,
      app_client_id: entry.appClientId ?? null,
    })
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { AuthorizationStatus } from './rules'

export interface AuthorizationRecord {
  id: number
  memberId: number
  authNumber: string
  serviceCode: string
  serviceDescription: string
  orderingProvider: { id: number; name: string }
  servicingClinic: { id: number; name: string }
  urgency: 'standard' | 'expedited'
  status: AuthorizationStatus
  requestedAt: Date
  decidedAt: Date | null
  unitsRequested: number
  unitsApproved: number | null
  unitsUsed: number
  validFrom: string | null
  validTo: string | null
  denialReason: string | null
  denialCode: string | null
  statusChangedAt: Date
}

/** What a decision or a later change records. */
export interface AuthorizationChange {
  status: AuthorizationStatus
  unitsApproved?: number | null
  unitsUsed?: number
  validFrom?: string | null
  validTo?: string | null
  denialReason?: string | null
  denialCode?: string | null
}

const columns = ['a.*', 'p.name as ordering_provider_name', 'c.name as servicing_clinic_name']

function toRecord(row: Record<string, unknown>): AuthorizationRecord {
  const date = (value: unknown) => (value === null ? null : String(value))
  return {
    id: Number(row.id),
    memberId: Number(row.member_id),
    authNumber: String(row.auth_number),
    serviceCode: String(row.service_code),
    serviceDescription: String(row.service_description),
    orderingProvider: { id: Number(row.ordering_provider_id), name: String(row.ordering_provider_name) },
    servicingClinic: { id: Number(row.servicing_clinic_id), name: String(row.servicing_clinic_name) },
    urgency: row.urgency as AuthorizationRecord['urgency'],
    status: row.status as AuthorizationStatus,
    requestedAt: new Date(row.requested_at as Date),
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at as Date),
    unitsRequested: Number(row.units_requested),
    unitsApproved: row.units_approved === null ? null : Number(row.units_approved),
    unitsUsed: Number(row.units_used),
    validFrom: date(row.valid_from),
    validTo: date(row.valid_to),
    denialReason: row.denial_reason === null ? null : String(row.denial_reason),
    denialCode: row.denial_code === null ? null : String(row.denial_code),
    statusChangedAt: new Date(row.status_changed_at as Date),
  }
}

/** Prior authorizations: all their SQL. */
export class AuthorizationRepository {
  constructor(private readonly db: Db) {}

  private query(trx: Knex.Transaction | Db) {
    return trx('prior_authorizations as a')
      .join('providers as p', 'p.id', 'a.ordering_provider_id')
      .join('clinics as c', 'c.id', 'a.servicing_clinic_id')
  }

  /** The member's authorizations, newest request first; `changedSince` keeps those changed at or after it. */
  async list(
    memberId: number,
    options: { changedSince?: Date; offset?: number; limit?: number } = {},
    trx: Knex.Transaction | Db = this.db,
  ): Promise<AuthorizationRecord[]> {
    const query = this.query(trx).where('a.member_id', memberId)
    if (options.changedSince) query.andWhere('a.status_changed_at', '>=', options.changedSince)
    query.orderBy([
      { column: 'a.requested_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    if (options.limit !== undefined) query.offset(options.offset ?? 0).limit(options.limit)
    return (await query.select(columns)).map(toRecord)
  }

  async count(memberId: number, changedSince?: Date, trx: Knex.Transaction | Db = this.db): Promise<number> {
    const query = trx('prior_authorizations').where('member_id', memberId)
    if (changedSince) query.andWhere('status_changed_at', '>=', changedSince)
    const row = await query.count<{ total: number }[]>({ total: '*' }).first()
    return Number(row?.total ?? 0)
  }

  async find(
    memberId: number,
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<AuthorizationRecord | undefined> {
    const row = await this.query(trx).where({ 'a.member_id': memberId, 'a.id': id }).first(columns)
    return row ? toRecord(row) : undefined
  }

  async findById(id: number, trx: Knex.Transaction | Db = this.db): Promise<AuthorizationRecord | undefined> {
    const row = await this.query(trx).where('a.id', id).first(columns)
    return row ? toRecord(row) : undefined
  }

  /** Records a change; the row is locked first so two changes at once apply one after the other. */
  async applyChange(id: number, change: AuthorizationChange, at: Date, trx: Knex.Transaction): Promise<boolean> {
    const current = await trx('prior_authorizations').where({ id }).forUpdate().first('id', 'decided_at')
    if (!current) return false
    const decided = change.status !== 'pending' && current.decided_at === null
    const values: Record<string, unknown> = { status: change.status, status_changed_at: at }
    if (decided) values.decided_at = at
    if (change.unitsApproved !== undefined) values.units_approved = change.unitsApproved
    if (change.unitsUsed !== undefined) values.units_used = change.unitsUsed
    if (change.validFrom !== undefined) values.valid_from = change.validFrom
    if (change.validTo !== undefined) values.valid_to = change.validTo
    if (change.denialReason !== undefined) values.denial_reason = change.denialReason
    if (change.denialCode !== undefined) values.denial_code = change.denialCode
    await trx('prior_authorizations').where({ id }).update(values)
    return true
  }

  /** Who to tell about a change: the member's account email, if they have one. */
  async noticeContact(
    id: number,
  ): Promise<{ userId: number; email: string | null; language: string | null } | undefined> {
    const row = await this.db('prior_authorizations as a')
      .join('users as u', 'u.member_id', 'a.member_id')
      .join('members as m', 'm.id', 'a.member_id')
      .where('a.id', id)
      .first('u.id as user_id', 'u.email', 'm.preferred_language as language')
    return row
      ? {
          userId: Number(row.user_id),
          email: (row.email as string | null) ?? null,
          language: (row.language as string | null) ?? null,
        }
      : undefined
  }
}

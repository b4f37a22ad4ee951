import type { Db } from '../../src/platform/db'

/** Lookups of the demo plan's records by what a person would name them, for tests. */
export async function memberIdOf(db: Db, mrn: string): Promise<number> {
  const row = await db('members').where({ mrn }).first('id')
  if (!row) throw new Error(`No member ${mrn}`)
  return Number(row.id)
}

export async function userIdOf(db: Db, userId: string): Promise<number> {
  const row = await db('users').where({ user_id_key: userId }).first('id')
  if (!row) throw new Error(`No user ${userId}`)
  return Number(row.id)
}

/** A member's lab result ids for one test, oldest first. */
export async function labResultIds(db: Db, mrn: string, testCode: string): Promise<number[]> {
  const rows = await db('lab_results as r')
    .join('members as m', 'm.id', 'r.member_id')
    .where({ 'm.mrn': mrn, 'r.test_code': testCode })
    .orderBy('r.collected_at')
    .select('r.id')
  return rows.map((row) => Number(row.id))
}

export async function allLabResultIds(db: Db, mrn: string): Promise<number[]> {
  return (
    await db('lab_results as r').join('members as m', 'm.id', 'r.member_id').where('m.mrn', mrn).pluck('r.id')
  ).map(Number)
}

/** A member's claims, newest first. */
export async function claimsOf(db: Db, mrn: string) {
  return db('claims as c')
    .join('members as m', 'm.id', 'c.member_id')
    .where('m.mrn', mrn)
    .orderBy('c.service_date', 'desc')
    .orderBy('c.id', 'desc')
    .select('c.*')
}

export interface AuditRow {
  actor_user_id: number | null
  subject_member_id: number | null
  action: string
  target_type: string | null
  target_id: string | null
  request_id: string | null
}

export async function auditRowsAfter(db: Db, lastId: number): Promise<AuditRow[]> {
  return db('audit_log')
    .where('id', '>', lastId)
    .orderBy('id')
    .select('actor_user_id', 'subject_member_id', 'action', 'target_type', 'target_id', 'request_id')
}

export async function lastAuditId(db: Db): Promise<number> {
  const row = await db('audit_log').max<{ id: number | null }[]>({ id: 'id' }).first()
  return Number(row?.id ?? 0)
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { ReleaseChoice, ReleaseFacts } from './release'

export interface LabResultRecord extends ReleaseFacts {
  id: number
  testCode: string
  testName: string
  panelName: string | null
  value: string
  numericValue: number | null
  unit: string | null
  referenceRange: string | null
  referenceLow: number | null
  referenceHigh: number | null
  flag: 'normal' | 'high' | 'low' | 'abnormal' | null
  collectedAt: Date
  resultedAt: Date
  orderingProvider: string
  reviewNote: string | null
}

const columns = [
  'r.id',
  'r.test_code',
  'r.test_name',
  'r.panel_name',
  'r.final_at',
  'r.sensitive',
  'r.state_law_kind',
  'r.reviewed_at',
  'r.review_note',
  'r.discussed_at',
  'r.shown_early_at',
  'r.released_at',
  'h.ends_at as hold_ends_at',
  'h.lifted_at as hold_lifted_at',
  'r.value',
  'r.numeric_value',
  'r.unit',
  'r.reference_range',
  'r.reference_low',
  'r.reference_high',
  'r.flag',
  'r.collected_at',
  'r.resulted_at',
  'p.name as ordering_provider',
]

const decimal = (value: string | number | null) => (value === null ? null : Number(value))

function toRecord(row: Record<string, unknown>): LabResultRecord {
  return {
    id: Number(row.id),
    testCode: row.test_code as string,
    testName: row.test_name as string,
    panelName: row.panel_name as string | null,
    finalAt: row.final_at as Date,
    sensitive: Boolean(row.sensitive),
    stateLawKind: (row.state_law_kind as string | null) ?? null,
    reviewedAt: (row.reviewed_at as Date | null) ?? null,
    reviewNote: (row.review_note as string | null) ?? null,
    discussedAt: (row.discussed_at as Date | null) ?? null,
    shownEarlyAt: (row.shown_early_at as Date | null) ?? null,
    releasedAt: (row.released_at as Date | null) ?? null,
    hold: row.hold_ends_at
      ? { endsAt: row.hold_ends_at as Date, liftedAt: (row.hold_lifted_at as Date | null) ?? null }
      : null,
    value: row.value as string,
    numericValue: decimal(row.numeric_value as string | null),
    unit: row.unit as string | null,
    referenceRange: row.reference_range as string | null,
    referenceLow: decimal(row.reference_low as string | null),
    referenceHigh: decimal(row.reference_high as string | null),
    flag: row.flag as LabResultRecord['flag'],
    collectedAt: row.collected_at as Date,
    resultedAt: row.resulted_at as Date,
    orderingProvider: row.ordering_provider as string,
  }
}

/** A member's lab results. Every query takes the member id and filters by it: there is no lookup by id alone. */
export class LabResultRepository {
  constructor(private readonly db: Db) {}

  private forMember(memberId: number, trx: Knex.Transaction | Db, testCode?: string) {
    const query = trx('lab_results as r').where('r.member_id', memberId)
    if (testCode) query.andWhere('r.test_code', testCode)
    return query
  }

  /** Results with their provider and newest clinician's hold, for the release rule. */
  private withHold(query: Knex.QueryBuilder, trx: Knex.Transaction | Db) {
    return query
      .join('providers as p', 'p.id', 'r.ordering_provider_id')
      .leftJoin('lab_result_holds as h', (join) =>
        join.on('h.id', trx.raw('(select max(h2.id) from lab_result_holds h2 where h2.lab_result_id = r.id)')),
      )
  }

  /** Newest first. */
  async list(
    memberId: number,
    options: { testCode?: string; offset: number; limit: number },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<LabResultRecord[]> {
    const rows = await this.withHold(this.forMember(memberId, trx, options.testCode), trx)
      .orderBy('r.collected_at', 'desc')
      .orderBy('r.id', 'desc')
      .offset(options.offset)
      .limit(options.limit)
      .select(columns)
    return rows.map(toRecord)
  }

  /** Every result, newest first (the API pages what is released, so it needs them all). */
  async all(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<LabResultRecord[]> {
    const rows = await this.withHold(this.forMember(memberId, trx), trx)
      .orderBy('r.collected_at', 'desc')
      .orderBy('r.id', 'desc')
      .select(columns)
    return rows.map(toRecord)
  }

  /** One result, or undefined when the member has none with that id. */
  async find(memberId: number, id: number, trx: Knex.Transaction | Db = this.db): Promise<LabResultRecord | undefined> {
    const row = await this.withHold(this.forMember(memberId, trx), trx).where('r.id', id).first(columns)
    return row ? toRecord(row) : undefined
  }

  /**
   * One result and every result of the same test, oldest first, for its trend, in one query; undefined when
   * the member has no result with that id.
   */
  async findWithHistory(
    memberId: number,
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ record: LabResultRecord; history: LabResultRecord[] } | undefined> {
    const sameTest = trx('lab_results').where({ id, member_id: memberId }).select('test_code')
    const rows = await this.withHold(this.forMember(memberId, trx), trx)
      .whereIn('r.test_code', sameTest)
      .orderBy('r.collected_at', 'asc')
      .orderBy('r.id', 'asc')
      .select(columns)
    const history: LabResultRecord[] = rows.map(toRecord)
    const record = history.find((candidate) => candidate.id === id)
    return record && { record, history }
  }

  /** The tests the member has results for, for the filter, each with its number of results (for paging). */
  async tests(
    memberId: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ code: string; name: string; results: number }[]> {
    const rows = await this.forMember(memberId, trx)
      .groupBy('r.test_code')
      .orderBy('name')
      .select('r.test_code as code', trx.raw('min(r.test_name) as name'), trx.raw('count(*) as results'))
    return rows.map((row: { code: string; name: string; results: number | string }) => ({
      code: row.code,
      name: row.name,
      results: Number(row.results),
    }))
  }

  /** The member's choice of when to see results, or null while they have not chosen. */
  async releaseChoice(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<ReleaseChoice | null> {
    const row = await trx('members')
      .where('id', memberId)
      .first<{ lab_release_choice: ReleaseChoice | null }>('lab_release_choice')
    return row?.lab_release_choice ?? null
  }

  async setReleaseChoice(memberId: number, choice: ReleaseChoice, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('members').where('id', memberId).update({ lab_release_choice: choice })
  }

  async newResultEmails(userId: number, trx: Knex.Transaction | Db = this.db): Promise<boolean> {
    const row = await trx('users')
      .where('id', userId)
      .first<{ new_result_emails: number | boolean } | undefined>('new_result_emails')
    return Boolean(row?.new_result_emails)
  }

  async setNewResultEmails(userId: number, on: boolean, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('users').where({ id: userId, role: 'member' }).update({ new_result_emails: on })
  }

  /** One result of a member, with the member's choice, for the rule (no provider join needed by callers). */
  async findForRelease(
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ record: LabResultRecord; memberId: number; choice: ReleaseChoice | null } | undefined> {
    const row = await this.withHold(trx('lab_results as r').where('r.id', id), trx)
      .join('members as m', 'm.id', 'r.member_id')
      .first([...columns, 'r.member_id', 'm.lab_release_choice'])
    return row
      ? {
          record: toRecord(row),
          memberId: Number(row.member_id),
          choice: (row.lab_release_choice as ReleaseChoice | null) ?? null,
        }
      : undefined
  }

  /** Results not released yet (the sweep's candidates), by id after a cursor, so long holds never starve newer ones. */
  async unreleasedIds(afterId: number, limit: number, trx: Knex.Transaction | Db = this.db): Promise<number[]> {
    const ids: (number | string)[] = await trx('lab_results')
      .whereNull('released_at')
      .andWhere('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .pluck('id')
    return ids.map(Number)
  }

  /** Records the release once; false when it was already recorded. */
  async markReleased(
    id: number,
    at: Date,
    options: { noticeDue: boolean },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<boolean> {
    const changed = await trx('lab_results')
      .where('id', id)
      .whereNull('released_at')
      .update({ released_at: at, ...(options.noticeDue ? {} : { notice_at: at }) })
    return changed === 1
  }

  async markReviewed(
    id: number,
    review: { userId: number; at: Date; note: string | null; discussed: boolean },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('lab_results')
      .where('id', id)
      .update({
        reviewed_at: review.at,
        reviewed_by_user_id: review.userId,
        review_note: review.note,
        ...(review.discussed ? { discussed_at: review.at } : {}),
      })
    await trx('lab_result_holds').where('lab_result_id', id).whereNull('lifted_at').update({ lifted_at: review.at })
  }

  async addHold(
    id: number,
    hold: { reason: string; userId: number; at: Date; endsAt: Date },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<number> {
    await trx('lab_result_holds').where('lab_result_id', id).whereNull('lifted_at').update({ lifted_at: hold.at })
    const [holdId] = await trx('lab_result_holds').insert({
      lab_result_id: id,
      kind: 'clinician',
      reason: hold.reason,
      set_by_user_id: hold.userId,
      set_at: hold.at,
      ends_at: hold.endsAt,
    })
    return Number(holdId)
  }

  async markShownEarly(id: number, userId: number, at: Date, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('lab_results')
      .where('id', id)
      .whereNull('shown_early_at')
      .update({ shown_early_at: at, shown_early_by_user_id: userId })
  }

  /** A department's results its staff have not reviewed yet, oldest final first: its doctors ordered them. */
  async toReview(departmentId: number, trx: Knex.Transaction | Db = this.db) {
    const rows: Record<string, unknown>[] = await this.withHold(trx('lab_results as r').whereNull('r.reviewed_at'), trx)
      .join('members as m', 'm.id', 'r.member_id')
      .where('p.department_id', departmentId)
      .orderBy('r.final_at')
      .orderBy('r.id')
      .limit(200)
      .select([...columns, 'r.member_id', 'm.first_name', 'm.last_name', 'm.mrn', 'm.lab_release_choice'])
    return rows.map((row: Record<string, unknown>) => ({
      record: toRecord(row),
      memberId: Number(row.member_id),
      memberName: `${row.first_name as string} ${row.last_name as string}`,
      mrn: row.mrn as string,
      choice: (row.lab_release_choice as ReleaseChoice | null) ?? null,
    }))
  }

  /** One result ordered in the department, with its member and the hold's reason (for the department only). */
  async forDepartment(departmentId: number, id: number, trx: Knex.Transaction | Db = this.db) {
    const row = await this.withHold(trx('lab_results as r').where('r.id', id), trx)
      .join('members as m', 'm.id', 'r.member_id')
      .where('p.department_id', departmentId)
      .first([
        ...columns,
        'r.member_id',
        'm.first_name',
        'm.last_name',
        'm.mrn',
        'm.birth_date',
        'm.lab_release_choice',
        'h.reason as hold_reason',
        'h.set_at as hold_set_at',
      ])
    if (!row) return undefined
    return {
      record: toRecord(row),
      memberId: Number(row.member_id),
      memberName: `${row.first_name as string} ${row.last_name as string}`,
      mrn: row.mrn as string,
      birthDate: String(row.birth_date),
      choice: (row.lab_release_choice as ReleaseChoice | null) ?? null,
      holdReason: (row.hold_reason as string | null) ?? null,
    }
  }

  // What the notice worker reads: ids and dates only, never a test's name or value.

  /** Released results of a member that no email has covered yet, lowest id first. */
  async awaitingNotice(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<number[]> {
    const ids: (number | string)[] = await trx('lab_results')
      .where('member_id', memberId)
      .whereNotNull('released_at')
      .whereNull('notice_at')
      .orderBy('id')
      .pluck('id')
    return ids.map(Number)
  }

  async markNoticed(ids: number[], at: Date, trx: Knex.Transaction | Db = this.db): Promise<void> {
    if (ids.length > 0) await trx('lab_results').whereIn('id', ids).whereNull('notice_at').update({ notice_at: at })
  }

  async memberOfResult(id: number, trx: Knex.Transaction | Db = this.db): Promise<number | undefined> {
    const row = await trx('lab_results').where('id', id).first<{ member_id: number } | undefined>('member_id')
    return row ? Number(row.member_id) : undefined
  }

  /** Who gets the notice: the member's own account, or for a child under 12 their parents' (the caller decides). */
  async noticeTargets(memberId: number, trx: Knex.Transaction | Db = this.db) {
    const member = await trx('members').where('id', memberId).first<{ birth_date: string }>('birth_date')
    // Each recipient's preferred language, which their email is written in.
    const own: { id: number; email: string; language: string }[] = await trx('users as u')
      .join('members as m', 'm.id', 'u.member_id')
      .where({ 'u.member_id': memberId, 'u.role': 'member', 'u.new_result_emails': true })
      .whereNotNull('u.email')
      .select('u.id', 'u.email', 'm.preferred_language as language')
    const guardians: { id: number; email: string; language: string }[] = await trx('guardianships as g')
      .join('users as u', (join) =>
        join.on('u.member_id', 'g.guardian_member_id').andOn('u.role', trx.raw('?', ['member'])),
      )
      .join('members as m', 'm.id', 'u.member_id')
      .where('g.child_member_id', memberId)
      .andWhere('u.new_result_emails', true)
      .whereNotNull('u.email')
      .orderBy('u.id')
      .select('u.id', 'u.email', 'm.preferred_language as language')
    return { birthDate: member ? String(member.birth_date) : undefined, own, guardians }
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'

export interface MemberSummary {
  id: number
  mrn: string
  firstName: string
  lastName: string
  birthDate: string
  clinicName: string
  clinicPhone: string
  pcpName: string
}

/** The columns of a member's summary, from `members as m` joined by `summaryJoins`. */
export const summaryColumns = [
  'm.id',
  'm.mrn',
  'm.first_name',
  'm.last_name',
  'm.birth_date',
  'c.name as clinic_name',
  'c.phone as clinic_phone',
  'p.name as pcp_name',
]

/** The member's clinic and primary care provider (both required, so the joins never drop a member). */
export function summaryJoins<Q extends Knex.QueryBuilder>(query: Q): Q {
  return query.join('clinics as c', 'c.id', 'm.clinic_id').join('providers as p', 'p.id', 'm.pcp_provider_id') as Q
}

export function toMemberSummary(row: Record<string, unknown>): MemberSummary {
  return {
    id: Number(row.id),
    mrn: String(row.mrn),
    firstName: String(row.first_name),
    lastName: String(row.last_name),
    birthDate: String(row.birth_date),
    clinicName: String(row.clinic_name),
    clinicPhone: String(row.clinic_phone),
    pcpName: String(row.pcp_name),
  }
}

/** A roster line as typed membership details are matched against it. */
export interface RosterEntry {
  id: number
  mrn: string
  first_name: string
  last_name: string
  birth_date: string
}

/** The plan's member roster: read by every feature that needs who a member is. */
export class MemberRepository {
  constructor(private readonly db: Db) {}

  async findByMrn(mrn: string): Promise<RosterEntry | undefined> {
    return this.db('members')
      .where({ mrn })
      .first<RosterEntry | undefined>('id', 'mrn', 'first_name', 'last_name', 'birth_date')
  }

  /**
   * A member's summary: the one already read with whom the visitor may act for (a `Viewing`, a member of the
   * switcher's list), else loaded.
   */
  summaryOf(of: { memberId: number; summary?: MemberSummary }): Promise<MemberSummary | undefined> {
    const known = of.summary
    return known && known.id === of.memberId ? Promise.resolve(known) : this.findSummary(of.memberId)
  }

  async findSummary(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<MemberSummary | undefined> {
    const row = await summaryJoins(trx('members as m')).where('m.id', memberId).first(summaryColumns)
    return row ? toMemberSummary(row) : undefined
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import { type MemberSummary, summaryColumns, summaryJoins, toMemberSummary } from './summary'

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

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import { type Language, languageOf } from '../platform/i18n'
import { type MemberSummary, summaryColumns, summaryJoins, toMemberSummary } from './summary'
import type { PatientRecord, Roster, RosterEntry } from './types'

/** The plan's member roster: read by every feature that needs who a member is. */
export class MemberRepository implements Roster {
  constructor(private readonly db: Db) {}

  /** The language the member asked the plan to use for pages, emails and letters. */
  async setPreferredLanguage(memberId: number, language: Language): Promise<void> {
    await this.db('members').where({ id: memberId }).update({ preferred_language: language })
  }

  async preferredLanguage(memberId: number): Promise<Language> {
    const row = await this.db('members')
      .where({ id: memberId })
      .first<{ preferred_language: string } | undefined>('preferred_language')
    return languageOf(row?.preferred_language) ?? 'en'
  }

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

  async findPatientRecord(memberId: number): Promise<PatientRecord | undefined> {
    const row = await summaryJoins(this.db('members as m'))
      .where('m.id', memberId)
      .first([
        ...summaryColumns,
        'm.administrative_gender',
        'm.preferred_language',
        'm.address_line1',
        'm.address_line2',
        'm.city',
        'm.state',
        'm.zip',
        'm.phone',
        'm.email',
        'm.pcp_provider_id',
        'm.created_at',
      ])
    if (!row) return undefined
    return {
      ...toMemberSummary(row),
      gender: row.administrative_gender as PatientRecord['gender'],
      preferredLanguage: String(row.preferred_language),
      address: {
        line1: String(row.address_line1),
        line2: (row.address_line2 as string | null) ?? null,
        city: String(row.city),
        state: String(row.state),
        zip: String(row.zip),
      },
      phone: String(row.phone),
      email: (row.email as string | null) ?? null,
      pcpProviderId: Number(row.pcp_provider_id),
      createdAt: new Date(row.created_at as Date),
    }
  }
}

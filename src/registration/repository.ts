import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { Language } from '../platform/i18n'

export interface RosterMember {
  id: number
  mrn: string
  first_name: string
  last_name: string
  birth_date: string
  address_line1: string
  state: string
  city: string
  zip: string
  phone: string
  pcp_name: string
}

/** The roster reads and account writes registration needs. */
export class RegistrationRepository {
  constructor(private readonly db: Db) {}

  /** The language the member chose while registering: their pages, emails and letters follow it. */
  async setPreferredLanguage(memberId: number, language: Language, trx: Knex.Transaction): Promise<void> {
    await trx('members').where({ id: memberId }).update({ preferred_language: language })
  }

  async findById(memberId: number): Promise<RosterMember | undefined> {
    return this.rosterQuery().where('m.id', memberId).first()
  }

  /**
   * Which of these made-up decoys turn out to be somebody's data: any member's or clinic's street address or
   * phone number, any provider's name, any member's name. Returned lower-cased, phones as digits.
   */
  async decoysOnFile(candidates: { addresses: string[]; phones: string[]; doctors: string[] }): Promise<Set<string>> {
    const phoneDigits = candidates.phones.map((phone) => phone.replace(/\D/g, ''))
    const names = candidates.doctors.map((doctor) => doctor.replace(/^Dr\.?\s+/i, ''))
    // Each query names its value `v`; phones are compared by their digits, whatever the formatting.
    const values = async (table: string, expression: string, wanted: string[]) => {
      if (wanted.length === 0) return []
      const rows: { v: string }[] = await this.db(table)
        .whereRaw(`${expression} in (${wanted.map(() => '?').join(', ')})`, wanted)
        .select(this.db.raw(`${expression} as v`))
      return rows.map((row) => row.v)
    }
    const digits = "regexp_replace(phone, '[^0-9]', '')"
    const found = await Promise.all([
      values('members', 'address_line1', candidates.addresses),
      values('clinics', 'address_line1', candidates.addresses),
      values('members', digits, phoneDigits),
      values('clinics', digits, phoneDigits),
      values('providers', 'name', candidates.doctors),
      values('members', "concat(first_name, ' ', last_name)", names),
    ])
    return new Set((found.flat() as string[]).map((value) => value.toLowerCase()))
  }

  async createEmailVerification(
    verification: { memberId: number; email: string; purpose: 'registration' | 'change'; userId?: number; at: Date },
    trx: Knex.Transaction,
  ): Promise<number> {
    const [id] = await trx('email_verifications').insert({
      member_id: verification.memberId,
      user_id: verification.userId ?? null,
      email: verification.email,
      purpose: verification.purpose,
      created_at: verification.at,
    })
    return Number(id)
  }

  async findVerification(id: number, trx: Knex.Transaction | Db = this.db) {
    return trx('email_verifications').where({ id }).first<{ id: number; email: string; verified_at: Date | null }>()
  }

  async attachVerification(verificationId: number, userId: number, trx: Knex.Transaction): Promise<void> {
    await trx('email_verifications').where({ id: verificationId }).update({ user_id: userId })
  }

  private rosterQuery() {
    return this.db('members as m')
      .join('providers as p', 'p.id', 'm.pcp_provider_id')
      .select<RosterMember[]>(
        'm.id',
        'm.mrn',
        'm.first_name',
        'm.last_name',
        'm.birth_date',
        'm.address_line1',
        'm.state',
        'm.city',
        'm.zip',
        'm.phone',
        'p.name as pcp_name',
      )
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'

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

  async findById(memberId: number): Promise<RosterMember | undefined> {
    return this.rosterQuery().where('m.id', memberId).first()
  }

  /** Values from other members' records and other doctors, for identity-question decoys. */
  async decoyPool(memberId: number) {
    const others = await this.db('members')
      .whereNot('id', memberId)
      .select('address_line1', 'phone')
      .orderBy('id')
      .limit(200)
    const doctors = await this.db('providers').pluck('name')
    return {
      addresses: others.map((row: { address_line1: string }) => row.address_line1),
      phones: others.map((row: { phone: string }) => row.phone),
      doctors: doctors as string[],
    }
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

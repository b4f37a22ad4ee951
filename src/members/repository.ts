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

  async findSummary(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<MemberSummary | undefined> {
    const row = await trx('members as m')
      .join('clinics as c', 'c.id', 'm.clinic_id')
      .join('providers as p', 'p.id', 'm.pcp_provider_id')
      .where('m.id', memberId)
      .first(
        'm.id',
        'm.mrn',
        'm.first_name',
        'm.last_name',
        'm.birth_date',
        'c.name as clinic_name',
        'c.phone as clinic_phone',
        'p.name as pcp_name',
      )
    if (!row) return undefined
    return {
      id: row.id,
      mrn: row.mrn,
      firstName: row.first_name,
      lastName: row.last_name,
      birthDate: row.birth_date,
      clinicName: row.clinic_name,
      clinicPhone: row.clinic_phone,
      pcpName: row.pcp_name,
    }
  }
}

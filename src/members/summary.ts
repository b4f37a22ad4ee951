import type { Knex } from 'knex'

/** A member's name, MRN and care team, as member pages head them. Its SQL is shared by the roster and the viewing look-up. */
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

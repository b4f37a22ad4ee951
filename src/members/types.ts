import type { MemberSummary } from './summary'

// The roster as the repository returns it, and what other features may ask of it: a feature never imports
// another's repository (eslint.config.mjs); services.ts passes the repository in as a `Roster`.

/** What the roster holds for the API's Patient: who the member is, how to reach them, and their doctor. */
export interface PatientRecord extends MemberSummary {
  gender: 'male' | 'female' | 'other' | 'unknown'
  preferredLanguage: string
  address: { line1: string; line2: string | null; city: string; state: string; zip: string }
  phone: string
  email: string | null
  pcpProviderId: number
  createdAt: Date
}

/** A roster line as typed membership details are matched against it. */
export interface RosterEntry {
  id: number
  mrn: string
  first_name: string
  last_name: string
  birth_date: string
}

/** The roster's look-ups other features make; each takes only those it uses (`Pick<Roster, 'findByMrn'>`). */
export interface Roster {
  findByMrn(mrn: string): Promise<RosterEntry | undefined>
  summaryOf(of: { memberId: number; summary?: MemberSummary }): Promise<MemberSummary | undefined>
  findSummary(memberId: number): Promise<MemberSummary | undefined>
  findPatientRecord(memberId: number): Promise<PatientRecord | undefined>
}

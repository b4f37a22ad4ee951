import { formatDate } from '../platform/dates'
import { languages, message } from '../platform/i18n'

/**
 * "Most prescriptions" as a rule. A refill may be asked for online when the medicine is active, not a
 * controlled substance, the prescription has not expired, it has refills left, no refill of it is already
 * under way, and enough of the last fill has been used: 75% of its days' supply, counted in whole days
 * (the usual early-refill window of pharmacies and plans, so a member never runs out while it is filled).
 */
export const earlyRefillShare = 0.75

export interface MedicationFacts {
  status: 'active' | 'inactive'
  schedule: 'II' | 'III' | 'IV' | 'V' | null
  daysSupply: number
  refillsLeft: number
  /** Calendar dates, YYYY-MM-DD. */
  lastFilledOn: string | null
  expiresOn: string
  /** A refill request of this medicine is still on its way to the pharmacy or being filled. */
  refillUnderWay: boolean
}

export type RefillEligibility =
  | { status: 'eligible' }
  | { status: 'inactive' }
  | { status: 'controlled' }
  | { status: 'expired' }
  | { status: 'no-refills' }
  | { status: 'under-way' }
  | { status: 'too-soon'; from: string }

/** The calendar day `days` after `date` (both YYYY-MM-DD). */
export function addCalendarDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() + days)
  return day.toISOString().slice(0, 10)
}

/** The first day a refill may be asked for: the last fill plus 75% of its days' supply, rounded up. */
export function earliestRefillDate(lastFilledOn: string | null, daysSupply: number): string | undefined {
  if (!lastFilledOn) return undefined
  return addCalendarDays(lastFilledOn, Math.ceil(daysSupply * earlyRefillShare))
}

/** Whether the medicine can be refilled on `today` (the plan's calendar date), and if not, why. */
export function refillEligibility(medication: MedicationFacts, today: string): RefillEligibility {
  if (medication.status !== 'active') return { status: 'inactive' }
  if (medication.schedule) return { status: 'controlled' }
  if (medication.expiresOn < today) return { status: 'expired' }
  if (medication.refillsLeft <= 0) return { status: 'no-refills' }
  if (medication.refillUnderWay) return { status: 'under-way' }
  const from = earliestRefillDate(medication.lastFilledOn, medication.daysSupply)
  if (from && today < from) return { status: 'too-soon', from }
  return { status: 'eligible' }
}

/**
 * A calendar date as a message value: written out in every language, since a message's values are not
 * formatted when it is read ("prescriptions:eligibility.date" picks the reader's).
 */
function dateInEveryLanguage(date: string): string {
  return message(
    'prescriptions:eligibility.date',
    Object.fromEntries(languages.map((language) => [language, formatDate(date, language)])),
  )
}

/** The rule in the member's words (a message key), as the list shows it and as a refused request explains it. */
export function eligibilityMessage(eligibility: RefillEligibility): string {
  if (eligibility.status === 'too-soon')
    return message('prescriptions:eligibility.too-soon', { from: dateInEveryLanguage(eligibility.from) })
  return `prescriptions:eligibility.${eligibility.status}`
}

/** Expired prescriptions and those with no refills left can be renewed by the doctor's office. */
export function renewalOffered(eligibility: RefillEligibility): boolean {
  return eligibility.status === 'expired' || eligibility.status === 'no-refills'
}

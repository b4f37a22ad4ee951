import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import { planDate } from '../platform/dates'
import { npiFor } from '../fhir/npi'
import { addCalendarDays } from '../prescriptions/eligibility'
import type { SeededMember } from './health-records'

/**
 * The demo plan's pharmacies and the demo members' medications, read from `data/pharmacies.json` and
 * `data/medications.json`. Days there are offsets from the day the demo is loaded, so every refill rule
 * shows whenever it is loaded.
 */

interface PharmacyData {
  pharmacies: {
    code: string
    name: string
    kind: 'retail' | 'mail'
    address_line1: string
    city: string
    state: string
    zip: string
    phone: string
    hours: string | null
    /** A made-up NPI's 9-digit base; the seed adds its check digit and marks it as demo data. */
    npi: string
  }[]
  preferred: Record<string, string>
}

interface MedicationData {
  rx: string
  name: string
  prescriber: string
  sig: string
  quantity: number
  unit: string
  daysSupply: number
  refillsLeft: number
  lastFilledDay: number | null
  expiresDay: number
  schedule: 'II' | 'III' | 'IV' | 'V' | null
  /** Set for a medication the member no longer takes. */
  endedDay?: number
}

const dataDirectory = path.join(__dirname, 'data')

/**
 * RxNorm codes (RXCUI of the clinical drug, NLM RxNorm) of the demo medicines, each confirmed against the RxNorm
 * names in the eCQM value sets NLM's VSAC publishes (docs/api.md names the source). A medicine whose code could not
 * be confirmed keeps its name alone in the API rather than a guessed code.
 */
const rxnormCodes: Readonly<Record<string, string>> = {
  // lisinopril 10 MG Oral Tablet
  'Lisinopril 10 mg tablet': '314076',
  // amlodipine 5 MG Oral Tablet
  'Amlodipine 5 mg tablet': '197361',
  // metformin hydrochloride 500 MG Oral Tablet
  'Metformin 500 mg tablet': '861007',
  // metformin hydrochloride 1000 MG Oral Tablet
  'Metformin 1,000 mg tablet': '861004',
  // atorvastatin 40 MG Oral Tablet
  'Atorvastatin 40 mg tablet': '617311',
  // acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet
  'Oxycodone and acetaminophen 5 mg/325 mg tablet': '1049221',
  // amoxicillin 500 MG Oral Capsule
  'Amoxicillin 500 mg capsule': '308191',
  // amoxicillin 80 MG/ML Oral Suspension (400 mg in 5 mL)
  'Amoxicillin 400 mg/5 mL suspension': '308189',
  // zolpidem tartrate 5 MG Oral Tablet
  'Zolpidem 5 mg tablet': '854876',
  // 24 HR methylphenidate hydrochloride 18 MG Extended Release Oral Tablet
  'Methylphenidate ER 18 mg tablet': '1091155',
}

function readData<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(dataDirectory, file), 'utf8')) as T
}

export async function seedPrescriptions(
  trx: Knex.Transaction,
  now: Date,
  members: SeededMember[],
  providerIds: Map<string, { id: number }>,
): Promise<void> {
  const today = planDate(now)
  const { pharmacies, preferred } = readData<PharmacyData>('pharmacies.json')
  const pharmacyIds = new Map<string, number>()
  for (const { npi, ...pharmacy } of pharmacies) {
    const [id] = await trx('pharmacies').insert({ ...pharmacy, npi: npiFor(npi), npi_is_demo: true, updated_at: now })
    pharmacyIds.set(pharmacy.code, Number(id))
  }
  const medications = readData<Record<string, MedicationData[] | string>>('medications.json')
  for (const member of members) {
    const code = preferred[member.mrn]
    if (code) await trx('member_pharmacies').insert({ member_id: member.id, pharmacy_id: pharmacyIds.get(code)! })
    const list = medications[member.mrn]
    if (!Array.isArray(list)) continue
    for (const medication of list) {
      await trx('medications').insert({
        member_id: member.id,
        rx_number: medication.rx,
        name: medication.name,
        prescriber_provider_id: providerIds.get(medication.prescriber)!.id,
        sig: medication.sig,
        quantity: medication.quantity,
        quantity_unit: medication.unit,
        days_supply: medication.daysSupply,
        refills_left: medication.refillsLeft,
        last_filled_on: medication.lastFilledDay === null ? null : addCalendarDays(today, medication.lastFilledDay),
        expires_on: addCalendarDays(today, medication.expiresDay),
        schedule: medication.schedule,
        status: medication.endedDay === undefined ? 'active' : 'inactive',
        ended_on: medication.endedDay === undefined ? null : addCalendarDays(today, medication.endedDay),
        // A prescription is good for a year from when it was written (California's rule for most medicines).
        written_on: addCalendarDays(today, medication.expiresDay - 365),
        rxnorm_code: rxnormCodes[medication.name] ?? null,
      })
    }
  }
}

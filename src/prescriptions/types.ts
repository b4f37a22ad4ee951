// Medicines as the repository returns them. Other features name these shapes from here: a feature never
// imports another's repository (eslint.config.mjs).

export type RefillStatus = 'requested' | 'sent' | 'ready' | 'shipped' | 'denied' | 'failed'

export interface MedicationRecord {
  id: number
  rxNumber: string
  name: string
  prescriber: string
  /** The prescriber's provider id (the API's Practitioner). */
  prescriberId: number
  sig: string
  quantity: number
  quantityUnit: string
  daysSupply: number
  refillsLeft: number
  lastFilledOn: string | null
  expiresOn: string
  schedule: 'II' | 'III' | 'IV' | 'V' | null
  status: 'active' | 'inactive'
  endedOn: string | null
  refillUnderWay: boolean
  renewalRequestedAt: Date | null
  /** When it was written, and its RxNorm code where the plan has it (the API's authoredOn and coding). */
  writtenOn: string | null
  rxnormCode: string | null
}

/** A pharmacy of the plan's network; its NPI makes it the API's Organization `pharmacy-<id>`. */
export interface PharmacyRecord {
  id: number
  code: string
  name: string
  kind: 'retail' | 'mail'
  addressLine1: string
  city: string
  state: string
  zip: string
  phone: string
  hours: string | null
  npi: string | null
  npiIsDemo: boolean
  updatedAt: Date
}

/** The pharmacies as the API reads them (its Organization read and search); the repository implements it. */
export interface PharmacyDirectory {
  findPharmacy(id: number): Promise<PharmacyRecord | undefined>
  searchPharmacies(filter: { nameContains?: string; addressContains?: string; npi?: string }): Promise<PharmacyRecord[]>
}

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

// Coverage, benefits and claims as the repository returns them. Other features name these shapes from here: a
// feature never imports another's repository (eslint.config.mjs).

export interface CoverageRecord {
  id: number
  memberNumber: string
  groupNumber: string
  subscriberName: string
  effectiveFrom: string
  effectiveTo: string | null
  deductibleMetCents: number
  outOfPocketMetCents: number
  accumulatorsAsOf: string
  plan: {
    id: number
    name: string
    type: string
    yearStart: string
    yearEnd: string
    deductibleCents: number
    outOfPocketMaxCents: number
  }
}

export interface BenefitRecord {
  serviceCode: string
  serviceName: string
  costShare: 'copay' | 'coinsurance'
  copayCents: number | null
  coinsurancePercent: number | null
  typicalAllowedCents: number
  note: string | null
}

export interface ClaimRecord {
  id: number
  claimNumber: string
  serviceDate: string
  providerName: string
  serviceDescription: string
  status: 'pending' | 'processed'
  processedOn: string | null
  billedCents: number
  allowedCents: number | null
  planPaidCents: number | null
  deductibleCents: number | null
  copayCents: number | null
  coinsuranceCents: number | null
  memberOwesCents: number | null
  /** Professional (CMS-1500), pharmacy or institutional: the API serves professional claims (docs/api.md). */
  claimType: 'professional' | 'pharmacy' | 'institutional'
  billingClinicId: number | null
  renderingProviderId: number | null
  /** The CMS place-of-service code (11 office, 20 urgent care, 22 outpatient hospital …). */
  placeOfService: string | null
  receivedOn: string | null
  paidOn: string | null
  paymentStatus: 'paid' | 'partially-paid' | 'denied' | null
  networkStatus: 'in-network' | 'out-of-network'
}

/** A claim's diagnosis: ICD-10-CM, the principal one first. */
export interface ClaimDiagnosis {
  sequence: number
  code: string
  display: string
  kind: 'principal' | 'secondary'
}

/** A service line: its CPT or HCPCS code and its share of the claim's amounts. */
export interface ClaimLine {
  sequence: number
  procedureCode: string
  codeSystem: 'cpt' | 'hcpcs'
  modifier: string | null
  description: string
  units: number
  billedCents: number
  allowedCents: number | null
  planPaidCents: number | null
  deductibleCents: number | null
  copayCents: number | null
  coinsuranceCents: number | null
  memberOwesCents: number | null
}

/** A claim with its diagnoses and lines, as the API's ExplanationOfBenefit reads it. */
export type CodedClaim = ClaimRecord & { diagnoses: ClaimDiagnosis[]; lines: ClaimLine[] }

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

/** What was billed, allowed, paid and owed, for a whole claim or one line of it; null while not decided. */
export interface ClaimAmounts {
  billedCents: number
  allowedCents: number | null
  planPaidCents: number | null
  deductibleCents: number | null
  copayCents: number | null
  coinsuranceCents: number | null
  memberOwesCents: number | null
}

export interface ClaimRecord extends ClaimAmounts {
  id: number
  claimNumber: string
  serviceDate: string
  providerName: string
  serviceDescription: string
  status: 'pending' | 'processed'
  processedOn: string | null
  /** Professional (CMS-1500), pharmacy (NCPDP) or institutional (UB-04). */
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

/** A line's share of the claim's amounts, whatever codes it. */
export interface LineAmounts extends ClaimAmounts {
  sequence: number
  description: string
  units: number
}

/** A professional service line: its CPT or HCPCS code and its share of the claim's amounts. */
export interface ClaimLine extends LineAmounts {
  procedureCode: string
  codeSystem: 'cpt' | 'hcpcs'
  modifier: string | null
}

/** A hospital's line: its NUBC revenue code ("0120" room and board, semi-private) and its share of the amounts. */
export interface RevenueLine extends LineAmounts {
  revenueCode: string
}

/** A hospital stay, in the UB-04's NUBC codes. */
export interface ClaimStay {
  /** NUBC type of bill ("0111": hospital inpatient, admit through discharge). */
  typeOfBill: string
  admittedOn: string
  dischargedOn: string
  /** NUBC point of origin ("1" non-health care facility point of origin). */
  pointOfOrigin: string
  /** NUBC priority (type) of admission ("1" emergency). */
  admissionType: string
  /** NUBC patient discharge status ("01" discharged to home or self care). */
  dischargeStatus: string
  /** The MS-DRG the stay was paid under. */
  drg: string | null
}

/** A hospital stay's claim with its stay, diagnoses and revenue lines, as the API's ExplanationOfBenefit reads it. */
export type InstitutionalClaim = ClaimRecord & {
  claimType: 'institutional'
  stay: ClaimStay
  diagnoses: ClaimDiagnosis[]
  lines: RevenueLine[]
}

/** A professional claim with its diagnoses and lines, as the API's ExplanationOfBenefit reads it. */
export type CodedClaim = ClaimRecord & { claimType: 'professional'; diagnoses: ClaimDiagnosis[]; lines: ClaimLine[] }

/** What a pharmacy claim paid for: one fill of one drug, in NCPDP's terms. */
export interface PharmacyFill {
  /** The package NDC, 11 digits in 5-4-2 form ("00093-5057-98"), and the package as FDA's NDC Directory words it. */
  ndc: string
  drugDescription: string
  quantity: number
  /** NCPDP's unit of measure: EA each, ML millilitres, GM grams. */
  quantityUnit: 'EA' | 'ML' | 'GM'
  daysSupply: number
  /** NCPDP dispense as written / product selection code ("0": no product selection indicated). */
  dawCode: string
  /** NCPDP brand/generic indicator ("1" brand, "2" generic), where the pharmacy sent it. */
  brandGenericCode: string | null
  /** NCPDP compound code ("1" not a compound). */
  compoundCode: string
  /** NCPDP prescription origin code (1 written, 2 telephone, 3 electronic, 4 facsimile, 5 pharmacy). */
  rxOriginCode: string | null
  /** 0 for the first fill. */
  refillNumber: number
  refillsAuthorized: number
  /** The prescriber's provider id (the API's Practitioner), where the directory has them. */
  prescriberId: number | null
  /** The dispensing pharmacy's id (the API's Organization `pharmacy-<id>`). */
  pharmacyId: number
}

/** A pharmacy claim with its fill, as the API's ExplanationOfBenefit reads it. */
export type PharmacyClaim = ClaimRecord & { claimType: 'pharmacy'; fill: PharmacyFill }

/** A claim the API serves: professional, pharmacy or a hospital stay's (institutional). */
export type ApiClaim = CodedClaim | PharmacyClaim | InstitutionalClaim

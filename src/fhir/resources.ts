import type { AppointmentRecord } from '../appointments/types'
import type {
  ApiClaim,
  ClaimAmounts,
  ClaimDiagnosis,
  ClaimRecord,
  CodedClaim,
  CoverageRecord,
  InstitutionalClaim,
  PharmacyClaim,
} from '../coverage/types'
import type { LabResultView, Reading } from '../labs/service'
import type { MemberSummary } from '../members/summary'
import type { MedicationRecord, PharmacyRecord } from '../prescriptions/types'
import type { ImmunizationRecord } from '../vaccinations/types'
import type { ClinicRecord, ProviderRecord } from '../directory/types'
import type { PatientRecord } from '../members/types'
import type { AuthorizationView } from '../prior-authorizations/service'
import { loincCodes } from '../labs/loinc'
import { ucumCodes, ucumSystem } from './ucum'

/** A FHIR resource as JSON: its type, its id, and the rest of its elements. */
export type FhirResource = { resourceType: string; id?: string } & Record<string, unknown>

// The portal's own identifier and code systems, under its documented namespace.
export const systems = {
  mrn: 'https://memberportal.example/fhir/sid/mrn',
  memberNumber: 'https://memberportal.example/fhir/sid/member-number',
  claimNumber: 'https://memberportal.example/fhir/sid/claim-number',
  rxNumber: 'https://memberportal.example/fhir/sid/rx-number',
  labTest: 'https://memberportal.example/fhir/CodeSystem/lab-test',
  payerId: 'https://memberportal.example/fhir/sid/payer-id',
  authorizationNumber: 'https://memberportal.example/fhir/sid/prior-authorization-number',
}

/**
 * The profile each resource declares in `meta.profile` (US Core 6.1.0, CARIN Blue Button 2.0.0, Da Vinci PDex
 * 2.0.0). CARIN BB and PDex ask for the version in the canonical (their `…-meta-profile-version` invariants).
 */
export const profiles = {
  patient: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0',
  observationLab: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab|6.1.0',
  immunization: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-immunization|6.1.0',
  medicationRequest: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationrequest|6.1.0',
  practitioner: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitioner|6.1.0',
  organization: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization|6.1.0',
  carinCoverage: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage|2.0.0',
  carinProfessionalClaim:
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician|2.0.0',
  carinPharmacyClaim: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy|2.0.0',
  carinInpatientClaim:
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional|2.0.0',
  carinOrganization: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization|2.0.0',
  carinPractitioner: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner|2.0.0',
  priorAuthorization: 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization|2.0.0',
} as const

/** Each resource type the API serves, with the profiles its resources declare (the CapabilityStatement's list). */
export const supportedProfiles: Record<string, string[]> = {
  Patient: [profiles.patient],
  Observation: [profiles.observationLab],
  Immunization: [profiles.immunization],
  MedicationRequest: [profiles.medicationRequest],
  Practitioner: [profiles.practitioner, profiles.carinPractitioner],
  Organization: [profiles.organization, profiles.carinOrganization],
  Coverage: [profiles.carinCoverage],
  ExplanationOfBenefit: [
    profiles.carinProfessionalClaim,
    profiles.carinPharmacyClaim,
    profiles.carinInpatientClaim,
    profiles.priorAuthorization,
  ],
}

// HL7's security label for test data: the demo plan's made-up NPIs are marked with it.
const demoDataLabel = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'HTEST',
  display: 'test health data',
}

/** A date (YYYY-MM-DD) or a time as a FHIR instant; a date is taken as midnight UTC of that day. */
function instant(at: Date | string): string {
  return typeof at === 'string' ? `${at}T00:00:00Z` : at.toISOString()
}

function meta(profile: readonly string[], lastUpdated: Date | string, demo = false) {
  return { lastUpdated: instant(lastUpdated), profile: [...profile], ...(demo ? { security: [demoDataLabel] } : {}) }
}

const npiIdentifier = (npi: string) => ({
  use: 'official',
  type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v2-0203', 'NPI', 'National provider identifier')] },
  system: 'http://hl7.org/fhir/sid/us-npi',
  value: npi,
})

/** The one Organization that is the plan itself: the insurer and payor of every claim and coverage. */
export const payerOrganizationId = 'payer'

export function practitionerReference(providerId: number, display?: string) {
  return { reference: `Practitioner/${providerId}`, ...(display ? { display } : {}) }
}

export function organizationReference(id: string, display?: string) {
  return { reference: `Organization/${id}`, ...(display ? { display } : {}) }
}

export const clinicOrganizationId = (clinicId: number) => `clinic-${clinicId}`
export const pharmacyOrganizationId = (pharmacyId: number) => `pharmacy-${pharmacyId}`

const usd = (cents: number) => ({ value: cents / 100, currency: 'USD' })
const coding = (system: string, code: string, display?: string) => ({ system, code, ...(display ? { display } : {}) })

export function patientReference(memberId: number) {
  return { reference: `Patient/${memberId}` }
}

const languageNames: Record<string, string> = { en: 'English', es: 'Spanish', vi: 'Vietnamese', zh: 'Chinese' }

/** US Core Patient: identifier, name, gender, birth date, address, phone and email, and preferred language. */
export function patientResource(member: PatientRecord): FhirResource {
  const { address } = member
  const language = member.preferredLanguage
  return {
    resourceType: 'Patient',
    id: String(member.id),
    meta: meta([profiles.patient], member.createdAt),
    identifier: [
      {
        use: 'usual',
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v2-0203', 'MR', 'Medical record number')] },
        system: systems.mrn,
        value: member.mrn,
      },
    ],
    active: true,
    name: [
      {
        use: 'official',
        text: `${member.firstName} ${member.lastName}`,
        family: member.lastName,
        given: [member.firstName],
      },
    ],
    telecom: [
      { system: 'phone', value: member.phone, use: 'home' },
      ...(member.email ? [{ system: 'email', value: member.email }] : []),
    ],
    gender: member.gender,
    birthDate: member.birthDate,
    address: [
      {
        use: 'home',
        type: 'both',
        line: [address.line1, ...(address.line2 ? [address.line2] : [])],
        city: address.city,
        state: address.state,
        postalCode: address.zip,
        country: 'US',
      },
    ],
    communication: [
      {
        language: {
          coding: [coding('urn:ietf:bcp:47', language, languageNames[language.split('-')[0]])],
          text: languageNames[language.split('-')[0]] ?? language,
        },
        preferred: true,
      },
    ],
    generalPractitioner: [practitionerReference(member.pcpProviderId, member.pcpName)],
  }
}

const interpretationCodes = { High: 'H', Low: 'L', Abnormal: 'A', Normal: 'N' } as const

/** US Core Laboratory Result Observation, for a released result only (the caller has no other kind). */
export function observationResource(result: LabResultView & { reading: Reading }, memberId: number): FhirResource {
  const { reading } = result
  const loinc = loincCodes[result.testCode] as (typeof loincCodes)[string] | undefined
  const ucum = reading.unit ? ucumCodes[reading.unit] : undefined
  const quantity = (value: number) => ({
    value,
    ...(reading.unit ? { unit: reading.unit } : {}),
    ...(ucum ? { system: ucumSystem, code: ucum } : {}),
  })
  const range =
    reading.referenceLow !== undefined || reading.referenceHigh !== undefined || reading.referenceRange
      ? [
          {
            ...(reading.referenceLow !== undefined ? { low: quantity(reading.referenceLow) } : {}),
            ...(reading.referenceHigh !== undefined ? { high: quantity(reading.referenceHigh) } : {}),
            ...(reading.referenceRange ? { text: reading.referenceRange } : {}),
          },
        ]
      : undefined
  return {
    resourceType: 'Observation',
    id: String(result.id),
    meta: meta([profiles.observationLab], result.resultedAt),
    status: 'final',
    category: [
      {
        coding: [coding('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory', 'Laboratory')],
        text: 'Laboratory',
      },
    ],
    code: {
      coding: [
        ...(loinc ? [coding('http://loinc.org', loinc.code, loinc.display)] : []),
        coding(systems.labTest, result.testCode, result.testName),
      ],
      text: result.testName,
    },
    subject: patientReference(memberId),
    effectiveDateTime: result.collectedAt.toISOString(),
    issued: result.resultedAt.toISOString(),
    ...(reading.numericValue !== undefined && /^-?\d+(\.\d+)?$/.test(reading.value.trim())
      ? { valueQuantity: quantity(reading.numericValue) }
      : { valueString: reading.value }),
    ...(reading.flag
      ? {
          interpretation: [
            {
              coding: [
                coding(
                  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
                  interpretationCodes[reading.flag],
                  reading.flag,
                ),
              ],
              text: reading.flag,
            },
          ],
        }
      : {}),
    ...(range ? { referenceRange: range } : {}),
    ...(result.panelName
      ? { note: [{ text: `Part of: ${result.panelName}. Ordered by ${result.orderingProvider}.` }] }
      : {}),
  }
}

/** US Core Immunization: the vaccine by its CVX code, when and where it was given, and which dose. */
export function immunizationResource(record: ImmunizationRecord, memberId: number): FhirResource {
  const dose = /^Dose (\d+) of (\d+)$/.exec(record.dose)
  return {
    resourceType: 'Immunization',
    id: String(record.id),
    meta: meta([profiles.immunization], record.administeredOn),
    status: 'completed',
    vaccineCode: {
      coding: [coding('http://hl7.org/fhir/sid/cvx', record.cvxCode, record.vaccineName)],
      text: record.vaccineName,
    },
    patient: patientReference(memberId),
    occurrenceDateTime: record.administeredOn,
    // The plan keeps the record from the clinics' reports, not as the one who gave the shot.
    primarySource: false,
    location: { display: record.givenAt },
    protocolApplied: [
      dose
        ? { doseNumberPositiveInt: Number(dose[1]), seriesDosesPositiveInt: Number(dose[2]) }
        : { doseNumberString: record.dose },
    ],
  }
}

/** CARIN Blue Button Coverage: the member's plan, member number and group. */
export function coverageResource(coverage: CoverageRecord, member: MemberSummary): FhirResource {
  const memberId = member.id
  // The coverage names its subscriber; a child on a parent's plan is not the subscriber.
  const self = coverage.subscriberName.trim().toLowerCase() === `${member.firstName} ${member.lastName}`.toLowerCase()
  return {
    resourceType: 'Coverage',
    id: String(coverage.id),
    meta: meta([profiles.carinCoverage], coverage.accumulatorsAsOf),
    identifier: [
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v2-0203', 'MB', 'Member Number')] },
        system: systems.memberNumber,
        value: coverage.memberNumber,
      },
    ],
    status: 'active',
    type: { text: coverage.plan.type },
    subscriber: { display: coverage.subscriberName },
    subscriberId: coverage.memberNumber,
    beneficiary: patientReference(memberId),
    relationship: {
      coding: [coding('http://terminology.hl7.org/CodeSystem/subscriber-relationship', self ? 'self' : 'other')],
    },
    period: { start: coverage.effectiveFrom, ...(coverage.effectiveTo ? { end: coverage.effectiveTo } : {}) },
    payor: [organizationReference(payerOrganizationId, coverage.plan.name)],
    class: [
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/coverage-class', 'group', 'Group')] },
        value: coverage.groupNumber,
      },
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/coverage-class', 'plan', 'Plan')] },
        value: String(coverage.plan.id),
        name: coverage.plan.name,
      },
    ],
  }
}

const baseAdjudication = 'http://terminology.hl7.org/CodeSystem/adjudication'
const carinAdjudication = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication'
const carinDiscriminator = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator'
const carinStatus = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus'
const adjudication = (system: string, code: string, display: string) => ({ coding: [coding(system, code, display)] })

/** The code systems CARIN BB binds a professional claim's codes to. */
export const claimCodeSystems = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  placeOfService: 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set',
}

// CMS place-of-service codes the plan's claims use, with CMS's names for them.
const placesOfService: Record<string, string> = {
  '11': 'Office',
  '20': 'Urgent Care Facility',
  '21': 'Inpatient Hospital',
  '22': 'On Campus-Outpatient Hospital',
  '23': 'Emergency Room – Hospital',
  '24': 'Ambulatory Surgical Center',
  '81': 'Independent Laboratory',
}

/** A claim's or a line's amounts as CARIN BB adjudication amount types, leaving out those not decided yet. */
function amountsOf(amounts: ClaimAmounts) {
  return [
    { system: baseAdjudication, code: 'submitted', display: 'Submitted Amount', cents: amounts.billedCents },
    { system: baseAdjudication, code: 'eligible', display: 'Eligible Amount', cents: amounts.allowedCents },
    { system: baseAdjudication, code: 'benefit', display: 'Benefit Amount', cents: amounts.planPaidCents },
    { system: baseAdjudication, code: 'deductible', display: 'Deductible', cents: amounts.deductibleCents },
    { system: baseAdjudication, code: 'copay', display: 'CoPay', cents: amounts.copayCents },
    { system: carinAdjudication, code: 'coinsurance', display: 'Co-insurance', cents: amounts.coinsuranceCents },
    { system: carinAdjudication, code: 'memberliability', display: 'Member liability', cents: amounts.memberOwesCents },
  ]
    .filter((amount) => amount.cents !== null)
    .map((amount) => ({
      category: adjudication(amount.system, amount.code, amount.display),
      amount: usd(amount.cents!),
    }))
}

const networkStatus = (status: ClaimRecord['networkStatus']) =>
  status === 'in-network'
    ? adjudication(carinStatus, 'innetwork', 'In Network')
    : adjudication(carinStatus, 'outofnetwork', 'Out Of Network')

const paymentStatuses = {
  paid: { code: 'paid', display: 'Paid' },
  'partially-paid': { code: 'partiallypaid', display: 'Partially Paid' },
  denied: { code: 'denied', display: 'Denied' },
} as const

const carinCareTeamRole = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole'
const carinSupportingInfo = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType'
const ncpdp = (name: string) => `http://terminology.hl7.org/CodeSystem/${name}`

/** The code system of a pharmacy claim's drug: the FDA's National Drug Code. */
export const ndcSystem = 'http://hl7.org/fhir/sid/ndc'

type Coverage = { id: number; planName: string } | undefined

/**
 * What every CARIN BB claim carries, whatever its kind: the claim number, the patient, the plan as insurer, the
 * member's coverage, the claim's totals, its payment and whether the provider is in network.
 */
function claimCommon(claim: ClaimRecord, memberId: number, coverage: Coverage, profile: string) {
  const payment = claim.paymentStatus ? paymentStatuses[claim.paymentStatus] : undefined
  return {
    resourceType: 'ExplanationOfBenefit',
    id: String(claim.id),
    meta: meta([profile], claim.paidOn ?? claim.processedOn ?? claim.receivedOn ?? claim.serviceDate),
    identifier: [
      {
        type: {
          coding: [coding('http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType', 'uc', 'Unique Claim ID')],
        },
        system: systems.claimNumber,
        value: claim.claimNumber,
      },
    ],
    status: 'active',
    use: 'claim',
    patient: patientReference(memberId),
    billablePeriod: { start: claim.serviceDate, end: claim.serviceDate },
    created: claim.processedOn ?? claim.receivedOn ?? claim.serviceDate,
    insurer: organizationReference(payerOrganizationId, coverage?.planName),
    outcome: claim.status === 'processed' ? 'complete' : 'queued',
    insurance: [
      { focal: true, coverage: coverage ? { reference: `Coverage/${coverage.id}` } : { display: 'Health plan' } },
    ],
    total: amountsOf(claim),
    ...(payment
      ? {
          payment: {
            type: adjudication(carinStatus, payment.code, payment.display),
            ...(claim.paidOn ? { date: claim.paidOn } : {}),
            ...(claim.planPaidCents !== null ? { amount: usd(claim.planPaidCents) } : {}),
          },
        }
      : {}),
  }
}

/** An adjudication entry for one of CARIN BB's network statuses (billing, rendering, benefit payment). */
function networkAdjudication(code: string, display: string, claim: ClaimRecord) {
  return { category: adjudication(carinDiscriminator, code, display), reason: networkStatus(claim.networkStatus) }
}

type SupportingFact = { category: string; display: string; [value: string]: unknown }

/** When the plan received the claim: CARIN BB's `clmrecvddate`, which every claim profile has. */
function receivedDate(claim: ClaimRecord): SupportingFact | undefined {
  return claim.receivedOn
    ? { category: 'clmrecvddate', display: 'Claim Received Date', timingDate: claim.receivedOn }
    : undefined
}

/** A claim's supportingInfo, numbered in order so each sequence is unique; none when there are no facts. */
function supportingInfoOf(facts: (SupportingFact | undefined)[]) {
  const present = facts.filter((fact) => fact !== undefined)
  if (present.length === 0) return {}
  return {
    supportingInfo: present.map(({ category, display, ...value }, index) => ({
      sequence: index + 1,
      category: adjudication(carinSupportingInfo, category, display),
      ...value,
    })),
  }
}

function careTeamMember(providerId: number, role: string, display: string) {
  return {
    sequence: 1,
    provider: practitionerReference(providerId),
    role: { coding: [coding(carinCareTeamRole, role, display)] },
  }
}

/**
 * CARIN Blue Button ExplanationOfBenefit for a claim the API serves: a professional claim under the professional
 * and non-clinician profile, a pharmacy claim under the pharmacy profile, a hospital stay under the inpatient
 * institutional one.
 */
export function explanationOfBenefitResource(claim: ApiClaim, memberId: number, coverage: Coverage): FhirResource {
  if (claim.claimType === 'pharmacy') return pharmacyClaimResource(claim, memberId, coverage)
  if (claim.claimType === 'institutional') return inpatientClaimResource(claim, memberId, coverage)
  return professionalClaimResource(claim, memberId, coverage)
}

/**
 * A claim's ICD-10-CM diagnoses, the first the principal one; the others are `secondary` on a professional claim
 * and `other` on an institutional one (each profile's value set).
 */
function diagnosesOf(diagnoses: ClaimDiagnosis[], others: { code: string; display: string }) {
  return diagnoses.map((diagnosis) => ({
    sequence: diagnosis.sequence,
    diagnosisCodeableConcept: {
      coding: [coding(claimCodeSystems.icd10cm, diagnosis.code, diagnosis.display)],
      text: diagnosis.display,
    },
    type: [
      diagnosis.kind === 'principal'
        ? adjudication('http://terminology.hl7.org/CodeSystem/ex-diagnosistype', 'principal', 'Principal Diagnosis')
        : adjudication(
            'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType',
            others.code,
            others.display,
          ),
    ],
  }))
}

/**
 * CARIN Blue Button ExplanationOfBenefit, professional and non-clinician: who billed and who gave the care, the
 * diagnoses (ICD-10-CM), a line for each service (CPT or HCPCS, where it was given) with what was billed, allowed,
 * paid and owed, whether the provider is in network, and when the plan received and paid the claim.
 */
function professionalClaimResource(claim: CodedClaim, memberId: number, coverage: Coverage): FhirResource {
  const place = claim.placeOfService
  return {
    ...claimCommon(claim, memberId, coverage, profiles.carinProfessionalClaim),
    type: { coding: [coding('http://terminology.hl7.org/CodeSystem/claim-type', 'professional', 'Professional')] },
    // The billing provider: a clinic of the plan's directory.
    provider: claim.billingClinicId
      ? organizationReference(clinicOrganizationId(claim.billingClinicId))
      : { display: claim.providerName },
    ...(claim.renderingProviderId
      ? { careTeam: [careTeamMember(claim.renderingProviderId, 'rendering', 'Rendering provider')] }
      : {}),
    ...supportingInfoOf([receivedDate(claim)]),
    diagnosis: diagnosesOf(claim.diagnoses, { code: 'secondary', display: 'Secondary' }),
    item: claim.lines.map((line) => ({
      sequence: line.sequence,
      diagnosisSequence: claim.diagnoses.map((diagnosis) => diagnosis.sequence),
      productOrService: {
        coding: [coding(line.codeSystem === 'cpt' ? claimCodeSystems.cpt : claimCodeSystems.hcpcs, line.procedureCode)],
        text: line.description,
      },
      ...(line.modifier
        ? {
            modifier: [
              {
                coding: [
                  coding(line.codeSystem === 'cpt' ? claimCodeSystems.cpt : claimCodeSystems.hcpcs, line.modifier),
                ],
              },
            ],
          }
        : {}),
      servicedDate: claim.serviceDate,
      ...(place
        ? {
            locationCodeableConcept: {
              coding: [coding(claimCodeSystems.placeOfService, place, placesOfService[place])],
            },
          }
        : {}),
      quantity: { value: line.units },
      // The professional profile slices benefitpaymentstatus on each line; the pharmacy profile on the claim.
      adjudication: [...amountsOf(line), networkAdjudication('benefitpaymentstatus', 'Benefit Payment Status', claim)],
    })),
    adjudication: [
      networkAdjudication('billingnetworkstatus', 'Billing Network Status', claim),
      ...(claim.renderingProviderId
        ? [networkAdjudication('renderingnetworkstatus', 'Rendering Network Status', claim)]
        : []),
    ],
  }
}

const nubc = (codeSystem: string) => `https://www.nubc.org/CodeSystem/${codeSystem}`
const msDrg =
  'https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software'

/**
 * CARIN Blue Button ExplanationOfBenefit, inpatient institutional: the hospital that billed, the stay's UB-04 facts
 * (admission period, type of bill, point of origin, admission type, discharge status, MS-DRG, when the plan received
 * the claim), the diagnoses (ICD-10-CM) and a line per NUBC revenue code with its share of the amounts. The
 * amounts are on the lines only: the profile allows them on the lines or on the claim, not both.
 */
function inpatientClaimResource(claim: InstitutionalClaim, memberId: number, coverage: Coverage): FhirResource {
  const { stay } = claim
  const stayed = { start: stay.admittedOn, end: stay.dischargedOn }
  const code = (system: string, value: string) => ({ code: { coding: [{ system, code: value }] } })
  return {
    ...claimCommon(claim, memberId, coverage, profiles.carinInpatientClaim),
    billablePeriod: stayed,
    type: { coding: [coding('http://terminology.hl7.org/CodeSystem/claim-type', 'institutional', 'Institutional')] },
    subType: {
      coding: [
        coding('http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType', 'inpatient', 'Inpatient'),
      ],
    },
    provider: claim.billingClinicId
      ? organizationReference(clinicOrganizationId(claim.billingClinicId))
      : { display: claim.providerName },
    ...supportingInfoOf([
      receivedDate(claim),
      { category: 'admissionperiod', display: 'Admission Period', timingPeriod: stayed },
      { category: 'typeofbill', display: 'Type of Bill', ...code(nubc('TypeOfBill'), stay.typeOfBill) },
      { category: 'pointoforigin', display: 'Point Of Origin', ...code(nubc('PointOfOrigin'), stay.pointOfOrigin) },
      {
        category: 'admtype',
        display: 'Admission Type',
        ...code(nubc('PriorityTypeOfAdmitOrVisit'), stay.admissionType),
      },
      {
        category: 'discharge-status',
        display: 'Discharge Status',
        ...code(nubc('PatDischargeStatus'), stay.dischargeStatus),
      },
      stay.drg ? { category: 'drg', display: 'Diagnosis Related Group', ...code(msDrg, stay.drg) } : undefined,
    ]),
    diagnosis: diagnosesOf(claim.diagnoses, { code: 'other', display: 'Other' }),
    item: claim.lines.map((line) => ({
      sequence: line.sequence,
      diagnosisSequence: claim.diagnoses.map((diagnosis) => diagnosis.sequence),
      revenue: { coding: [{ system: nubc('RevenueCodes'), code: line.revenueCode }], text: line.description },
      // A room-and-board or department line has no CPT or HCPCS code: CARIN BB's data-absent code says so.
      productOrService: {
        coding: [
          coding('http://terminology.hl7.org/CodeSystem/data-absent-reason', 'not-applicable', 'Not Applicable'),
        ],
      },
      servicedPeriod: stayed,
      quantity: { value: line.units },
      adjudication: amountsOf(line),
    })),
    adjudication: [
      networkAdjudication('benefitpaymentstatus', 'Benefit Payment Status', claim),
      networkAdjudication('billingnetworkstatus', 'Billing Network Status', claim),
    ],
  }
}

// NCPDP's names for the codes the plan's fills use.
const dawCodes: Record<string, string> = {
  '0': 'No Product Selection Indicated',
  '1': 'Substitution Not Allowed by Prescriber',
}
const brandGenericCodes: Record<string, string> = { '1': 'Brand', '2': 'Generic' }
const compoundCodes: Record<string, string> = { '0': 'Not specified', '1': 'Not a compound', '2': 'Compound' }
const rxOriginCodes: Record<string, string> = {
  '1': 'Written',
  '2': 'Telephone',
  '3': 'Electronic',
  '4': 'Facsimile',
  '5': 'Pharmacy',
}

/**
 * CARIN Blue Button ExplanationOfBenefit, pharmacy: the pharmacy that dispensed the fill (an Organization), the
 * prescriber where the directory has them, the fill's NCPDP facts (days' supply, dispense as written, refill number
 * and refills authorized, brand or generic, compound, how the prescription arrived, when the plan received the
 * claim) and one item: the drug's NDC, the quantity dispensed and the claim's amounts.
 */
function pharmacyClaimResource(claim: PharmacyClaim, memberId: number, coverage: Coverage): FhirResource {
  const { fill } = claim
  const quantity = (value: number, unit?: string) => ({ value, ...(unit ? { unit } : {}) })
  const facts = [
    receivedDate(claim),
    { category: 'dayssupply', display: 'Days Supply', valueQuantity: quantity(fill.daysSupply, 'days') },
    {
      category: 'dawcode',
      display: 'DAW (Dispense As Written) Code',
      code: adjudication(ncpdp('NCPDPDispensedAsWrittenOrProductSelectionCode'), fill.dawCode, dawCodes[fill.dawCode]),
    },
    { category: 'refillnum', display: 'Refill Number', valueQuantity: quantity(fill.refillNumber) },
    { category: 'refillsauthorized', display: 'Refills Authorized', valueQuantity: quantity(fill.refillsAuthorized) },
    fill.brandGenericCode
      ? {
          category: 'brandgenericindicator',
          display: 'Brand Generic Indicator',
          code: adjudication(
            ncpdp('NCPDPBrandGenericIndicator'),
            fill.brandGenericCode,
            brandGenericCodes[fill.brandGenericCode],
          ),
        }
      : undefined,
    {
      category: 'compoundcode',
      display: 'Compound Code',
      code: adjudication(ncpdp('NCPDPCompoundCode'), fill.compoundCode, compoundCodes[fill.compoundCode]),
    },
    fill.rxOriginCode
      ? {
          category: 'rxorigincode',
          display: 'Rx Origin Code',
          code: adjudication(ncpdp('NCPDPPrescriptionOriginCode'), fill.rxOriginCode, rxOriginCodes[fill.rxOriginCode]),
        }
      : undefined,
  ]
  return {
    ...claimCommon(claim, memberId, coverage, profiles.carinPharmacyClaim),
    type: { coding: [coding('http://terminology.hl7.org/CodeSystem/claim-type', 'pharmacy', 'Pharmacy')] },
    provider: organizationReference(pharmacyOrganizationId(fill.pharmacyId), claim.providerName),
    ...(fill.prescriberId
      ? { careTeam: [careTeamMember(fill.prescriberId, 'prescribing', 'Prescribing provider')] }
      : {}),
    ...supportingInfoOf(facts),
    item: [
      {
        sequence: 1,
        productOrService: {
          coding: [coding(ndcSystem, fill.ndc, fill.drugDescription)],
          text: claim.serviceDescription,
        },
        servicedDate: claim.serviceDate,
        quantity: quantity(fill.quantity, fill.quantityUnit),
        adjudication: amountsOf(claim),
      },
    ],
    adjudication: [
      networkAdjudication('benefitpaymentstatus', 'Benefit Payment Status', claim),
      networkAdjudication('billingnetworkstatus', 'Billing Network Status', claim),
    ],
  }
}

/** US Core MedicationRequest: the medicine (RxNorm where the plan has it), who wrote it and when, directions and supply. */
export function medicationRequestResource(medication: MedicationRecord, memberId: number): FhirResource {
  return {
    resourceType: 'MedicationRequest',
    id: String(medication.id),
    meta: meta(
      [profiles.medicationRequest],
      medication.endedOn ?? medication.lastFilledOn ?? medication.writtenOn ?? medication.expiresOn,
    ),
    identifier: [{ system: systems.rxNumber, value: medication.rxNumber }],
    status: medication.status === 'active' ? 'active' : 'stopped',
    intent: 'order',
    category: [
      {
        coding: [coding('http://terminology.hl7.org/CodeSystem/medicationrequest-category', 'community', 'Community')],
        text: 'Filled at a pharmacy',
      },
    ],
    // The prescriber's own order, as the pharmacy system reports it, not a patient's or relative's report.
    reportedBoolean: false,
    medicationCodeableConcept: {
      ...(medication.rxnormCode
        ? { coding: [coding('http://www.nlm.nih.gov/research/umls/rxnorm', medication.rxnormCode, medication.name)] }
        : {}),
      text: medication.name,
    },
    subject: patientReference(memberId),
    ...(medication.writtenOn ? { authoredOn: medication.writtenOn } : {}),
    requester: practitionerReference(medication.prescriberId, medication.prescriber),
    dosageInstruction: [{ text: medication.sig }],
    dispenseRequest: {
      validityPeriod: { end: medication.expiresOn },
      numberOfRepeatsAllowed: medication.refillsLeft,
      quantity: { value: medication.quantity, unit: medication.quantityUnit },
      expectedSupplyDuration: {
        value: medication.daysSupply,
        unit: 'days',
        system: 'http://unitsofmeasure.org',
        code: 'd',
      },
    },
  }
}

/** Appointment: when, with whom, where and for what kind of visit. */
export function appointmentResource(appointment: AppointmentRecord, memberId: number): FhirResource {
  const { provider } = appointment
  const clinic = provider.clinic
  return {
    resourceType: 'Appointment',
    id: String(appointment.id),
    status: appointment.status === 'cancelled' ? 'cancelled' : 'booked',
    serviceType: [{ text: appointment.visitType.name }],
    description: `${appointment.visitType.name} with ${provider.name}`,
    start: appointment.startsAt.toISOString(),
    end: appointment.endsAt.toISOString(),
    minutesDuration: Math.round((appointment.endsAt.getTime() - appointment.startsAt.getTime()) / 60_000),
    created: appointment.scheduledAt.toISOString().slice(0, 10),
    ...(appointment.reason ? { comment: appointment.reason } : {}),
    patientInstruction: appointment.visitType.whatToBring,
    participant: [
      { actor: { ...patientReference(memberId) }, required: 'required', status: 'accepted' },
      { actor: { display: `${provider.name} (${provider.specialty})` }, required: 'required', status: 'accepted' },
      {
        actor: { display: `${clinic.name}, ${clinic.address}, ${clinic.city}, ${clinic.state} ${clinic.zip}` },
        required: 'required',
        status: 'accepted',
      },
    ],
  }
}

/** Practitioner (US Core and CARIN BB): the doctor's NPI and name; a demo NPI is labelled test data. */
export function practitionerResource(provider: ProviderRecord): FhirResource {
  const parts = provider.name.replace(/^Dr\.\s+/, '').split(/\s+/)
  return {
    resourceType: 'Practitioner',
    id: String(provider.id),
    meta: meta([profiles.practitioner, profiles.carinPractitioner], provider.updatedAt, provider.npiIsDemo),
    identifier: provider.npi ? [npiIdentifier(provider.npi)] : [],
    active: true,
    name: [
      {
        use: 'official',
        text: provider.name,
        family: parts[parts.length - 1],
        given: parts.slice(0, -1),
        ...(provider.name.startsWith('Dr.') ? { prefix: ['Dr.'] } : {}),
      },
    ],
  }
}

type ProviderOrganization = Pick<
  ClinicRecord,
  'name' | 'addressLine1' | 'city' | 'state' | 'zip' | 'phone' | 'npi' | 'npiIsDemo' | 'updatedAt'
>

/** Organization (US Core and CARIN BB) for a place that gives care: its NPI, name, address and phone. */
function providerOrganizationResource(id: string, place: ProviderOrganization): FhirResource {
  return {
    resourceType: 'Organization',
    id,
    meta: meta([profiles.organization, profiles.carinOrganization], place.updatedAt, place.npiIsDemo),
    identifier: place.npi ? [npiIdentifier(place.npi)] : [],
    active: true,
    type: [
      { coding: [coding('http://terminology.hl7.org/CodeSystem/organization-type', 'prov', 'Healthcare Provider')] },
    ],
    name: place.name,
    telecom: [{ system: 'phone', value: place.phone, use: 'work' }],
    address: [
      { line: [place.addressLine1], city: place.city, state: place.state, postalCode: place.zip, country: 'US' },
    ],
  }
}

/** A clinic of the directory as an Organization. */
export function clinicOrganizationResource(clinic: ClinicRecord): FhirResource {
  return providerOrganizationResource(clinicOrganizationId(clinic.id), clinic)
}

/** A pharmacy of the plan's network as an Organization: the provider of its pharmacy claims. */
export function pharmacyOrganizationResource(pharmacy: PharmacyRecord): FhirResource {
  return providerOrganizationResource(pharmacyOrganizationId(pharmacy.id), pharmacy)
}

/** The plan itself as an Organization: the insurer of claims and prior authorizations, the payor of coverage. */
export function payerOrganizationResource(payer: {
  name: string
  payerId: string
  phone: string
  updatedAt: Date | string
}): FhirResource {
  return {
    resourceType: 'Organization',
    id: payerOrganizationId,
    meta: meta([profiles.organization, profiles.carinOrganization], payer.updatedAt),
    identifier: [
      {
        type: {
          coding: [coding('http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType', 'payerid', 'Payer ID')],
        },
        system: systems.payerId,
        value: payer.payerId,
      },
    ],
    active: true,
    type: [{ coding: [coding('http://terminology.hl7.org/CodeSystem/organization-type', 'pay', 'Payer')] }],
    name: payer.name,
    telecom: [{ system: 'phone', value: payer.phone, use: 'work' }],
  }
}

/** The API's id of a prior authorization: its own ids, apart from the claims' in the same resource type. */
export const priorAuthorizationId = (id: number) => `pa-${id}`

const pdexDiscriminator = 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PDexAdjudicationDiscriminator'
// X12 306 (Healthcare Services Review action codes), as PDex's reviewAction extension carries them.
const reviewActionCodes: Partial<Record<AuthorizationView['status'], { code: string; display: string }>> = {
  approved: { code: 'A1', display: 'Certified in total' },
  'partly-approved': { code: 'A2', display: 'Certified - partial' },
  denied: { code: 'A3', display: 'Not Certified' },
  pending: { code: 'A4', display: 'Pended' },
  cancelled: { code: 'C', display: 'Cancelled' },
}

/**
 * Da Vinci PDex Prior Authorization (an ExplanationOfBenefit with use "preauthorization"): the service, its status
 * and decision, the units approved and used, the period it is good for and a denial's reason and code.
 */
export function priorAuthorizationResource(
  authorization: AuthorizationView,
  coverage: { id: number; planName: string } | undefined,
): FhirResource {
  const review = reviewActionCodes[authorization.status]
  const decided = authorization.status !== 'pending'
  return {
    resourceType: 'ExplanationOfBenefit',
    id: priorAuthorizationId(authorization.id),
    meta: meta([profiles.priorAuthorization], authorization.statusChangedAt),
    identifier: [{ system: systems.authorizationNumber, value: authorization.authNumber }],
    status: authorization.status === 'cancelled' ? 'cancelled' : 'active',
    type: { coding: [coding('http://terminology.hl7.org/CodeSystem/claim-type', 'professional', 'Professional')] },
    use: 'preauthorization',
    patient: patientReference(authorization.memberId),
    created: authorization.requestedAt.toISOString(),
    insurer: organizationReference(payerOrganizationId, coverage?.planName),
    provider: practitionerReference(authorization.orderingProvider.id, authorization.orderingProvider.name),
    outcome: !decided ? 'queued' : authorization.status === 'partly-approved' ? 'partial' : 'complete',
    disposition: authorization.statusText,
    preAuthRef: [authorization.authNumber],
    ...(authorization.validFrom && authorization.validTo
      ? { preAuthRefPeriod: [{ start: authorization.validFrom, end: authorization.validTo }] }
      : {}),
    insurance: [
      { focal: true, coverage: coverage ? { reference: `Coverage/${coverage.id}` } : { display: 'Health plan' } },
    ],
    item: [
      {
        sequence: 1,
        productOrService: {
          coding: [coding('http://www.ama-assn.org/go/cpt', authorization.serviceCode)],
          text: authorization.serviceDescription,
        },
        ...(authorization.validFrom && authorization.validTo
          ? { servicedPeriod: { start: authorization.validFrom, end: authorization.validTo } }
          : {}),
        quantity: { value: authorization.unitsRequested },
        adjudication: [
          ...(review
            ? [
                {
                  extension: [
                    {
                      url: 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/extension-reviewAction',
                      extension: [
                        {
                          url: 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/extension-reviewActionCode',
                          valueCodeableConcept: {
                            coding: [coding('https://codesystem.x12.org/005010/306', review.code, review.display)],
                            text: authorization.statusText,
                          },
                        },
                        { url: 'number', valueString: authorization.authNumber },
                      ],
                    },
                  ],
                  category: { coding: [coding(pdexDiscriminator, 'allowedunits', 'allowed units')] },
                  value: authorization.unitsApproved ?? 0,
                },
              ]
            : []),
          ...(authorization.unitsApproved !== null
            ? [
                {
                  category: { coding: [coding(pdexDiscriminator, 'consumedunits', 'consumed units')] },
                  value: authorization.unitsUsed,
                },
              ]
            : []),
          ...(authorization.denialCode
            ? [
                {
                  category: { coding: [coding(pdexDiscriminator, 'denialreason', 'denial reason')] },
                  reason: {
                    coding: [coding('https://x12.org/codes/claim-adjustment-reason-codes', authorization.denialCode)],
                    ...(authorization.denialReason ? { text: authorization.denialReason } : {}),
                  },
                },
              ]
            : []),
        ],
      },
    ],
  }
}

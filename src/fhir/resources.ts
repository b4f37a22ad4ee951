import type { AppointmentRecord } from '../appointments/repository'
import type { ClaimRecord, CoverageRecord } from '../coverage/repository'
import type { LabResultView, Reading } from '../labs/service'
import type { MemberSummary } from '../members/summary'
import type { MedicationRecord } from '../prescriptions/repository'
import type { ImmunizationRecord } from '../vaccinations/repository'
import { loincCodes } from '../labs/loinc'

/** A FHIR resource as JSON: its type, its id, and the rest of its elements. */
export type FhirResource = { resourceType: string; id?: string } & Record<string, unknown>

// The portal's own identifier and code systems, under its documented namespace.
export const systems = {
  mrn: 'https://memberportal.example/fhir/sid/mrn',
  memberNumber: 'https://memberportal.example/fhir/sid/member-number',
  claimNumber: 'https://memberportal.example/fhir/sid/claim-number',
  rxNumber: 'https://memberportal.example/fhir/sid/rx-number',
  labTest: 'https://memberportal.example/fhir/CodeSystem/lab-test',
}

const usd = (cents: number) => ({ value: cents / 100, currency: 'USD' })
const coding = (system: string, code: string, display?: string) => ({ system, code, ...(display ? { display } : {}) })

export function patientReference(memberId: number) {
  return { reference: `Patient/${memberId}` }
}

/** US Core Patient. The roster records no administrative gender, so it is "unknown" (as US Core allows). */
export function patientResource(member: MemberSummary): FhirResource {
  return {
    resourceType: 'Patient',
    id: String(member.id),
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
    gender: 'unknown',
    birthDate: member.birthDate,
    generalPractitioner: [{ display: member.pcpName }],
  }
}

const interpretationCodes = { High: 'H', Low: 'L', Abnormal: 'A', Normal: 'N' } as const

/** US Core Laboratory Result Observation, for a released result only (the caller has no other kind). */
export function observationResource(result: LabResultView & { reading: Reading }, memberId: number): FhirResource {
  const { reading } = result
  const loinc = loincCodes[result.testCode] as (typeof loincCodes)[string] | undefined
  const quantity = (value: number) => ({ value, ...(reading.unit ? { unit: reading.unit } : {}) })
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
    payor: [{ display: coverage.plan.name }],
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
const adjudication = (system: string, code: string, display: string) => ({ coding: [coding(system, code, display)] })

/** CARIN Blue Button ExplanationOfBenefit (professional): what was billed, allowed, paid and owed. */
export function explanationOfBenefitResource(
  claim: ClaimRecord,
  memberId: number,
  coverage: { id: number; planName: string } | undefined,
): FhirResource {
  const amounts: { system: string; code: string; display: string; cents: number | null }[] = [
    { system: baseAdjudication, code: 'submitted', display: 'Submitted Amount', cents: claim.billedCents },
    { system: baseAdjudication, code: 'eligible', display: 'Eligible Amount', cents: claim.allowedCents },
    { system: baseAdjudication, code: 'benefit', display: 'Benefit Amount', cents: claim.planPaidCents },
    { system: baseAdjudication, code: 'deductible', display: 'Deductible', cents: claim.deductibleCents },
    { system: baseAdjudication, code: 'copay', display: 'CoPay', cents: claim.copayCents },
    { system: carinAdjudication, code: 'coinsurance', display: 'Co-insurance', cents: claim.coinsuranceCents },
    { system: carinAdjudication, code: 'memberliability', display: 'Member liability', cents: claim.memberOwesCents },
  ]
  const present = amounts.filter((amount) => amount.cents !== null)
  return {
    resourceType: 'ExplanationOfBenefit',
    id: String(claim.id),
    identifier: [{ system: systems.claimNumber, value: claim.claimNumber }],
    status: 'active',
    type: { coding: [coding('http://terminology.hl7.org/CodeSystem/claim-type', 'professional', 'Professional')] },
    use: 'claim',
    patient: patientReference(memberId),
    billablePeriod: { start: claim.serviceDate, end: claim.serviceDate },
    created: claim.processedOn ?? claim.serviceDate,
    insurer: { display: coverage?.planName ?? 'Health plan' },
    provider: { display: claim.providerName },
    outcome: claim.status === 'processed' ? 'complete' : 'queued',
    insurance: [
      { focal: true, coverage: coverage ? { reference: `Coverage/${coverage.id}` } : { display: 'Health plan' } },
    ],
    item: [
      {
        sequence: 1,
        productOrService: { text: claim.serviceDescription },
        servicedDate: claim.serviceDate,
        adjudication: present.map((amount) => ({
          category: adjudication(amount.system, amount.code, amount.display),
          amount: usd(amount.cents!),
        })),
      },
    ],
    total: present.map((amount) => ({
      category: adjudication(amount.system, amount.code, amount.display),
      amount: usd(amount.cents!),
    })),
    ...(claim.planPaidCents !== null ? { payment: { amount: usd(claim.planPaidCents) } } : {}),
  }
}

/** US Core MedicationRequest: the medicine, its directions, refills left and supply. */
export function medicationRequestResource(medication: MedicationRecord, memberId: number): FhirResource {
  return {
    resourceType: 'MedicationRequest',
    id: String(medication.id),
    identifier: [{ system: systems.rxNumber, value: medication.rxNumber }],
    status: medication.status === 'active' ? 'active' : 'stopped',
    intent: 'order',
    medicationCodeableConcept: { text: medication.name },
    subject: patientReference(memberId),
    requester: { display: medication.prescriber },
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

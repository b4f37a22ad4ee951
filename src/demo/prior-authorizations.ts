import type { Knex } from 'knex'
import { planDate } from '../platform/dates'
import { addCalendarDays } from '../prescriptions/eligibility'
import type { SeededMember } from './health-records'

const hourMs = 60 * 60 * 1000

interface DemoAuthorization {
  mrn: string
  authNumber: string
  serviceCode: string
  service: string
  orderedBy: string
  urgency: 'standard' | 'expedited'
  status: 'pending' | 'approved' | 'partly-approved' | 'denied'
  /** Hours before the seed's clock when it was asked for, and (when decided) when it was decided. */
  requestedHoursAgo: number
  decidedHoursAgo?: number
  unitsRequested: number
  unitsApproved?: number
  unitsUsed?: number
  /** Days from the seed's day that the approval starts and ends. */
  validDays?: [number, number]
  denial?: { reason: string; code: string }
}

/**
 * Alex has one of each outcome a member most often meets (an approved MRI with an end date, a request still
 * pending, a denial with its reason); Pat has a partly approved course of physical therapy; Sam, under 12, has
 * an approved allergy test his parent sees. Services are CPT codes; denial codes are X12 claim adjustment
 * reason codes (50: not deemed a medical necessity).
 */
const authorizations: DemoAuthorization[] = [
  {
    mrn: '11000003',
    authNumber: 'PA-2026-000101',
    serviceCode: '72148',
    service: 'MRI of the lower back (lumbar spine), without contrast',
    orderedBy: 'bell',
    urgency: 'standard',
    status: 'approved',
    requestedHoursAgo: 20 * 24,
    decidedHoursAgo: 17 * 24,
    unitsRequested: 1,
    unitsApproved: 1,
    validDays: [-17, 73],
  },
  {
    mrn: '11000003',
    authNumber: 'PA-2026-000102',
    serviceCode: '97110',
    service: 'Physical therapy: therapeutic exercise, 15-minute sessions',
    orderedBy: 'bell',
    urgency: 'standard',
    status: 'pending',
    requestedHoursAgo: 30,
    unitsRequested: 12,
  },
  {
    mrn: '11000003',
    authNumber: 'PA-2026-000103',
    serviceCode: '95810',
    service: 'Overnight sleep study in a sleep center',
    orderedBy: 'ortiz',
    urgency: 'standard',
    status: 'denied',
    requestedHoursAgo: 40 * 24,
    decidedHoursAgo: 36 * 24,
    unitsRequested: 1,
    denial: {
      reason:
        'A home sleep test is covered first. The plan covers a sleep study in a sleep center when a home test cannot be done or did not give a clear answer, and your records do not show a home test yet.',
      code: '50',
    },
  },
  {
    mrn: '11000004',
    authNumber: 'PA-2026-000201',
    serviceCode: '95004',
    service: 'Allergy skin testing',
    orderedBy: 'park',
    urgency: 'standard',
    status: 'approved',
    requestedHoursAgo: 10 * 24,
    decidedHoursAgo: 8 * 24,
    unitsRequested: 40,
    unitsApproved: 40,
    validDays: [-8, 82],
  },
  {
    mrn: '11000006',
    authNumber: 'PA-2026-000301',
    serviceCode: '97110',
    service: 'Physical therapy: therapeutic exercise, 15-minute sessions',
    orderedBy: 'haddad',
    urgency: 'standard',
    status: 'partly-approved',
    requestedHoursAgo: 12 * 24,
    decidedHoursAgo: 9 * 24,
    unitsRequested: 24,
    unitsApproved: 12,
    unitsUsed: 4,
    validDays: [-9, 51],
    denial: {
      reason:
        'Twelve sessions are approved now. Your therapist can ask for more once these are used, with notes on how you are doing.',
      code: '198',
    },
  },
]

export async function seedPriorAuthorizations(
  trx: Knex.Transaction,
  today: Date,
  members: SeededMember[],
  providerIds: Map<string, { id: number; clinicId: number }>,
): Promise<void> {
  const day = planDate(today)
  const hoursAgo = (hours: number) => new Date(today.getTime() - hours * hourMs)
  for (const authorization of authorizations) {
    const member = members.find((candidate) => candidate.mrn === authorization.mrn)!
    const orderedBy = providerIds.get(authorization.orderedBy)!
    const decidedAt = authorization.decidedHoursAgo === undefined ? null : hoursAgo(authorization.decidedHoursAgo)
    await trx('prior_authorizations').insert({
      member_id: member.id,
      auth_number: authorization.authNumber,
      service_code: authorization.serviceCode,
      service_description: authorization.service,
      ordering_provider_id: orderedBy.id,
      servicing_clinic_id: orderedBy.clinicId,
      urgency: authorization.urgency,
      status: authorization.status,
      requested_at: hoursAgo(authorization.requestedHoursAgo),
      decided_at: decidedAt,
      units_requested: authorization.unitsRequested,
      units_approved: authorization.unitsApproved ?? null,
      units_used: authorization.unitsUsed ?? 0,
      valid_from: authorization.validDays ? addCalendarDays(day, authorization.validDays[0]) : null,
      valid_to: authorization.validDays ? addCalendarDays(day, authorization.validDays[1]) : null,
      denial_reason: authorization.denial?.reason ?? null,
      denial_code: authorization.denial?.code ?? null,
      status_changed_at: decidedAt ?? hoursAgo(authorization.requestedHoursAgo),
    })
  }
}

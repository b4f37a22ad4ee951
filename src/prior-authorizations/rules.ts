import { planDate } from '../platform/dates'

export const authorizationStatuses = [
  'pending',
  'approved',
  'partly-approved',
  'denied',
  'cancelled',
  'expired',
] as const
export type AuthorizationStatus = (typeof authorizationStatuses)[number]

/** Each status's message key: pages read it in their language (locales/<language>/priorAuthorizations.json). */
export function statusKey(status: AuthorizationStatus): string {
  return `priorAuthorizations:status.${status}`
}

/**
 * How long the plan has to decide: 72 hours for an expedited request, 7 calendar days for a standard one
 * (CMS-0057-F, 89 FR 8758, from 1 January 2026; see docs/product/coverage.md, "Prior authorizations").
 */
export const decisionHours = { expedited: 72, standard: 7 * 24 } as const

export interface AuthorizationFacts {
  status: AuthorizationStatus
  urgency: 'standard' | 'expedited'
  requestedAt: Date
  validTo: string | null
  unitsApproved: number | null
  unitsUsed: number
}

/** When the plan must have decided a request. */
export function decisionDueBy(facts: Pick<AuthorizationFacts, 'urgency' | 'requestedAt'>): Date {
  return new Date(facts.requestedAt.getTime() + decisionHours[facts.urgency] * 3_600_000)
}

/**
 * The status the member sees: an approval whose last day has passed has ended — shown as expired — whatever
 * the plan's system last sent.
 */
export function effectiveStatus(facts: AuthorizationFacts, now: Date): AuthorizationStatus {
  if (facts.status !== 'approved' && facts.status !== 'partly-approved') return facts.status
  if (facts.validTo && facts.validTo < planDate(now)) return 'expired'
  return facts.status
}

/** Units left to use under an approval: approved less used, never below zero. */
export function unitsLeft(facts: Pick<AuthorizationFacts, 'unitsApproved' | 'unitsUsed'>): number | null {
  return facts.unitsApproved === null ? null : Math.max(0, facts.unitsApproved - facts.unitsUsed)
}

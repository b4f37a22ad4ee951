/** The audited actions a member reads in their access history, each as `family:actions.<action>`. */
const describedActions = new Set([
  'lab-result.list',
  'lab-result.view',
  'lab-result.shown-early',
  'lab-result.office-view',
  'lab-result.review',
  'lab-result.note',
  'lab-result.hold',
  'lab-result.release',
  'lab-release-choice.change',
  'immunization.list',
  'immunization.pdf-download',
  'coverage.view',
  'cost-estimate.view',
  'claim.list',
  'claim.view',
  'appointment.list',
  'appointment.view',
  'appointment-calendar.view',
  'appointment.book',
  'appointment.cancel',
  'appointment.reschedule',
  'medication.list',
  'medication.refill-form',
  'medication.view',
  'refill-request.create',
  'refill-request.view',
  'proxy-access.switch',
  'proxy-access.denied',
  'proxy-grant.create',
  'proxy-grant.change',
  'proxy-grant.revoke',
  'access-history.view',
])

/** An audited action as a message key, read in the member's language. */
export function describeAction(action: string): string {
  if (describedActions.has(action)) return `family:actions.${action}`
  if (action.endsWith('-denied')) return 'family:history.notFound'
  return 'family:history.other'
}

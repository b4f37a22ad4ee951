/** Each audited action as a member reads it in their access history. */
const actionWords: Record<string, string> = {
  'lab-result.list': 'Looked at lab results',
  'lab-result.view': 'Looked at a lab result',
  'lab-result.shown-early': 'Chose to see a lab result before the doctor’s review',
  'lab-result.office-view': 'Doctor’s office looked at a lab result to review it',
  'lab-result.review': 'Doctor’s office reviewed a lab result',
  'lab-result.note': 'Doctor’s office added a note to a lab result',
  'lab-result.hold': 'Doctor’s office held a lab result to talk with you first',
  'lab-result.release': 'A lab result appeared online',
  'lab-release-choice.change': 'Changed when lab results appear',
  'immunization.list': 'Looked at the vaccination record',
  'immunization.pdf-download': 'Downloaded the vaccination record',
  'coverage.view': 'Looked at coverage and costs',
  'cost-estimate.view': 'Asked for a cost estimate',
  'claim.list': 'Looked at claims',
  'claim.view': 'Looked at a claim',
  'appointment.list': 'Looked at appointments',
  'appointment.view': 'Looked at an appointment',
  'appointment-calendar.view': 'Downloaded an appointment for a calendar',
  'appointment.book': 'Booked an appointment',
  'appointment.cancel': 'Cancelled an appointment',
  'appointment.reschedule': 'Rescheduled an appointment',
  'medication.list': 'Looked at prescriptions',
  'medication.refill-form': 'Opened the refill form',
  'medication.view': 'Asked for a renewal',
  'refill-request.create': 'Requested a refill',
  'refill-request.view': 'Looked at a refill request',
  'proxy-access.switch': 'Chose these records in "You are viewing"',
  'proxy-access.denied': 'Was refused a page: no access to it',
  'proxy-grant.create': 'Gave someone access',
  'proxy-grant.change': 'Changed what someone can use',
  'proxy-grant.revoke': 'Took away someone’s access',
  'access-history.view': 'Looked at this access history',
}

export function describeAction(action: string): string {
  if (actionWords[action]) return actionWords[action]
  if (action.endsWith('-denied')) return 'Asked for a record that was not found'
  return 'Other activity in the portal'
}

// Appointments as the repository returns them. Other features name these shapes from here: a feature never
// imports another's repository (eslint.config.mjs).

export interface VisitType {
  id: number
  code: string
  name: string
  durationMinutes: number
  whatToBring: string
}

export interface Clinic {
  name: string
  address: string
  city: string
  state: string
  zip: string
  phone: string
}

export interface Provider {
  id: number
  name: string
  specialty: string
  clinic: Clinic
}

export interface AppointmentRecord {
  id: number
  memberId: number
  slotId: number
  status: 'booked' | 'cancelled'
  startsAt: Date
  endsAt: Date
  reason: string
  sequence: number
  scheduledAt: Date
  cancelledAt: Date | null
  visitType: VisitType
  provider: Provider
  /** Who booked it when that was not the member (a parent or another proxy). */
  bookedByOther: string | null
}

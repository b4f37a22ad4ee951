import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { AppointmentRecord, Clinic, Provider, VisitType } from './types'

export interface Slot {
  id: number
  providerId: number
  startsAt: Date
  lengthMinutes: number
}

export interface DueReminder {
  appointmentId: number
  startsAt: Date
}

export interface ReminderToSend {
  id: number
  leadMinutes: number
  startsAt: Date
  sentAt: Date | null
  appointment: { id: number; status: string; startsAt: Date; clinic: Clinic } | undefined
  /** The member's own address: their account's, else the plan's record. */
  email: string | null
  /** The member's preferred language, which their own reminder is written in. */
  language: string
  /** The member's name and birth date, for a reminder that goes to their parents instead. */
  member: { name: string; birthDate: string } | undefined
}

type Query = Knex.Transaction | Db

const clinicColumns = [
  'c.name as clinic_name',
  'c.address_line1 as clinic_address',
  'c.city as clinic_city',
  'c.state as clinic_state',
  'c.zip as clinic_zip',
  'c.phone as clinic_phone',
]

function toClinic(row: Record<string, unknown>): Clinic {
  return {
    name: row.clinic_name as string,
    address: row.clinic_address as string,
    city: row.clinic_city as string,
    state: row.clinic_state as string,
    zip: row.clinic_zip as string,
    phone: row.clinic_phone as string,
  }
}

function toVisitType(row: Record<string, unknown>, prefix = ''): VisitType {
  return {
    id: Number(row[`${prefix}id`]),
    code: row[`${prefix}code`] as string,
    name: row[`${prefix}name`] as string,
    durationMinutes: Number(row[`${prefix}duration_minutes`]),
    whatToBring: row[`${prefix}what_to_bring`] as string,
  }
}

function toProvider(row: Record<string, unknown>, prefix = ''): Provider {
  return {
    id: Number(row[`${prefix}id`]),
    name: row[`${prefix}name`] as string,
    specialty: row[`${prefix}specialty`] as string,
    clinic: toClinic(row),
  }
}

function toSlot(row: Record<string, unknown>): Slot {
  return {
    id: Number(row.id),
    providerId: Number(row.provider_id),
    startsAt: row.starts_at as Date,
    lengthMinutes: Number(row.length_minutes),
  }
}

const appointmentColumns = [
  'a.id',
  'a.member_id',
  'a.slot_id',
  'a.status',
  'a.starts_at',
  'a.ends_at',
  'a.reason',
  'a.sequence',
  'a.scheduled_at',
  'a.cancelled_at',
  'v.id as v_id',
  'v.code as v_code',
  'v.name as v_name',
  'v.duration_minutes as v_duration_minutes',
  'v.what_to_bring as v_what_to_bring',
  'p.id as p_id',
  'p.name as p_name',
  'p.specialty as p_specialty',
  ...clinicColumns,
  'booker.display_name as booked_by_name',
  'booker.member_id as booked_by_member_id',
]

function toAppointment(row: Record<string, unknown>): AppointmentRecord {
  return {
    id: Number(row.id),
    memberId: Number(row.member_id),
    slotId: Number(row.slot_id),
    status: row.status as AppointmentRecord['status'],
    startsAt: row.starts_at as Date,
    endsAt: row.ends_at as Date,
    reason: row.reason as string,
    sequence: Number(row.sequence),
    scheduledAt: row.scheduled_at as Date,
    cancelledAt: (row.cancelled_at as Date | null) ?? null,
    visitType: toVisitType(row, 'v_'),
    provider: toProvider(row, 'p_'),
    bookedByOther:
      row.booked_by_name && Number(row.booked_by_member_id) !== Number(row.member_id)
        ? (row.booked_by_name as string)
        : null,
  }
}

/** Appointments' SQL. Members' appointments are always read with the member id: there is no lookup by id alone. */
export class AppointmentRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work)
  }

  async visitTypes(trx: Query = this.db): Promise<VisitType[]> {
    const rows = await trx('visit_types').orderBy('sort_order').orderBy('id').select('*')
    return rows.map((row: Record<string, unknown>) => toVisitType(row))
  }

  /** Providers who offer the visit type, with their clinics. */
  async providersOffering(visitTypeId: number, trx: Query = this.db): Promise<Provider[]> {
    const rows = await trx('providers as p')
      .join('provider_visit_types as pv', 'pv.provider_id', 'p.id')
      .join('clinics as c', 'c.id', 'p.clinic_id')
      .where('pv.visit_type_id', visitTypeId)
      .orderBy('c.name')
      .orderBy('p.name')
      .select('p.id', 'p.name', 'p.specialty', ...clinicColumns)
    return rows.map((row: Record<string, unknown>) => toProvider(row))
  }

  async primaryCareProviderId(memberId: number, trx: Query = this.db): Promise<number | undefined> {
    const row = await trx('members').where('id', memberId).first('pcp_provider_id')
    return row ? Number(row.pcp_provider_id) : undefined
  }

  /** Open slots of one provider from `from` (inclusive) to `to` (exclusive) that are long enough. */
  async openSlots(
    providerId: number,
    range: { from: Date; to: Date; minLength: number; limit?: number },
    trx: Query = this.db,
  ): Promise<Slot[]> {
    const query = trx('appointment_slots as s')
      .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
      .whereNull('a.id')
      .andWhere('s.provider_id', providerId)
      .andWhere('s.starts_at', '>=', range.from)
      .andWhere('s.starts_at', '<', range.to)
      .andWhere('s.length_minutes', '>=', range.minLength)
      .orderBy('s.starts_at')
      .select('s.id', 's.provider_id', 's.starts_at', 's.length_minutes')
    if (range.limit) query.limit(range.limit)
    return (await query).map(toSlot)
  }

  /** The open slots nearest to an instant, either side, for the member who just lost one. */
  async nearestOpenSlots(
    providerId: number,
    around: Date,
    options: { notBefore: Date; minLength: number; count: number },
    trx: Query = this.db,
  ): Promise<Slot[]> {
    const open = () =>
      trx('appointment_slots as s')
        .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
        .whereNull('a.id')
        .andWhere('s.provider_id', providerId)
        .andWhere('s.length_minutes', '>=', options.minLength)
        .select('s.id', 's.provider_id', 's.starts_at', 's.length_minutes')
    const later = await open().andWhere('s.starts_at', '>', around).orderBy('s.starts_at').limit(options.count)
    const earlier = await open()
      .andWhere('s.starts_at', '<', around)
      .andWhere('s.starts_at', '>=', options.notBefore)
      .orderBy('s.starts_at', 'desc')
      .limit(options.count)
    return [...earlier, ...later].map(toSlot)
  }

  async slot(id: number, trx: Query = this.db): Promise<(Slot & { open: boolean }) | undefined> {
    const row = await trx('appointment_slots as s')
      .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
      .where('s.id', id)
      .first('s.id', 's.provider_id', 's.starts_at', 's.length_minutes', 'a.id as appointment_id')
    return row ? { ...toSlot(row), open: row.appointment_id === null } : undefined
  }

  /** Inserts a booking; the unique key on the active slot throws a duplicate-key error if it is taken. */
  async insertAppointment(
    row: {
      memberId: number
      slot: Slot
      visitType: VisitType
      reason: string
      now: Date
      /** The signed-on person who booked it: the member, or a parent or proxy acting for them. */
      bookedByUserId: number
    },
    trx: Query = this.db,
  ): Promise<number> {
    const [id] = await trx('appointments').insert({
      member_id: row.memberId,
      slot_id: row.slot.id,
      provider_id: row.slot.providerId,
      visit_type_id: row.visitType.id,
      starts_at: row.slot.startsAt,
      ends_at: new Date(row.slot.startsAt.getTime() + row.visitType.durationMinutes * 60_000),
      reason: row.reason,
      booked_by_user_id: row.bookedByUserId,
      status: 'booked',
      scheduled_at: row.now,
      created_at: row.now,
    })
    return Number(id)
  }

  /** Moves a booking to another slot; the old slot is free the moment this commits. */
  async moveAppointment(
    memberId: number,
    id: number,
    to: { slot: Slot; durationMinutes: number; now: Date },
    trx: Query = this.db,
  ): Promise<boolean> {
    const changed = await trx('appointments')
      .where({ id, member_id: memberId, status: 'booked' })
      .update({
        slot_id: to.slot.id,
        starts_at: to.slot.startsAt,
        ends_at: new Date(to.slot.startsAt.getTime() + to.durationMinutes * 60_000),
        scheduled_at: to.now,
        sequence: trx.raw('sequence + 1'),
      })
    return changed === 1
  }

  async cancel(memberId: number, id: number, now: Date, trx: Query = this.db): Promise<boolean> {
    const changed = await trx('appointments')
      .where({ id, member_id: memberId, status: 'booked' })
      .update({ status: 'cancelled', cancelled_at: now, sequence: trx.raw('sequence + 1') })
    return changed === 1
  }

  private appointments(trx: Query) {
    return trx('appointments as a')
      .join('visit_types as v', 'v.id', 'a.visit_type_id')
      .join('providers as p', 'p.id', 'a.provider_id')
      .join('clinics as c', 'c.id', 'p.clinic_id')
      .leftJoin('users as booker', 'booker.id', 'a.booked_by_user_id')
  }

  async findForMember(memberId: number, id: number, trx: Query = this.db): Promise<AppointmentRecord | undefined> {
    const row = await this.appointments(trx).where({ 'a.member_id': memberId, 'a.id': id }).first(appointmentColumns)
    return row ? toAppointment(row) : undefined
  }

  /** Booked appointments still to come, soonest first. */
  async upcoming(memberId: number, now: Date, limit?: number, trx: Query = this.db): Promise<AppointmentRecord[]> {
    const query = this.appointments(trx)
      .where({ 'a.member_id': memberId, 'a.status': 'booked' })
      .andWhere('a.ends_at', '>', now)
      .orderBy('a.starts_at')
      .orderBy('a.id')
      .select(appointmentColumns)
    const rows = await (limit === undefined ? query : query.limit(limit))
    return rows.map(toAppointment)
  }

  /** Past visits and cancelled ones, newest first. */
  async past(memberId: number, now: Date, limit: number, trx: Query = this.db): Promise<AppointmentRecord[]> {
    const rows = await this.appointments(trx)
      .where('a.member_id', memberId)
      .andWhere((where) => where.where('a.ends_at', '<=', now).orWhere('a.status', 'cancelled'))
      .orderBy('a.starts_at', 'desc')
      .limit(limit)
      .select(appointmentColumns)
    return rows.map(toAppointment)
  }

  /**
   * Booked appointments starting in (from, to] whose time was chosen no later than `lead` before it, with no
   * reminder yet for this lead and this start time. Reads the (status, starts_at) index.
   */
  async dueForReminder(
    leadMinutes: number,
    window: { from: Date; to: Date },
    limit: number,
    trx: Query = this.db,
  ): Promise<DueReminder[]> {
    const rows = await trx('appointments as a')
      .leftJoin('appointment_reminders as r', (join) =>
        join
          .on('r.appointment_id', 'a.id')
          .andOn('r.starts_at', 'a.starts_at')
          .andOn('r.lead_minutes', trx.raw('?', [leadMinutes])),
      )
      .where('a.status', 'booked')
      .andWhere('a.starts_at', '>', window.from)
      .andWhere('a.starts_at', '<=', window.to)
      .andWhereRaw('a.scheduled_at <= a.starts_at - INTERVAL ? MINUTE', [leadMinutes])
      .whereNull('r.id')
      .orderBy('a.starts_at')
      .limit(limit)
      .select('a.id', 'a.starts_at')
    return rows.map((row: { id: number; starts_at: Date }) => ({
      appointmentId: Number(row.id),
      startsAt: row.starts_at,
    }))
  }

  /**
   * Records reminders under this sweep's token; rows another sweep recorded first are ignored. Returns the ids
   * this sweep recorded, so only it queues their emails.
   */
  async recordReminders(
    leadMinutes: number,
    due: DueReminder[],
    sweep: { token: string; now: Date },
    trx: Query = this.db,
  ): Promise<number[]> {
    if (due.length === 0) return []
    // One lock order for every sweep, so two sweeps inserting the same rows wait for each other rather than deadlock.
    const ordered = [...due].sort((a, b) => a.appointmentId - b.appointmentId)
    for (let start = 0; start < ordered.length; start += 1000) {
      const rows = ordered.slice(start, start + 1000).map((reminder) => ({
        appointment_id: reminder.appointmentId,
        lead_minutes: leadMinutes,
        starts_at: reminder.startsAt,
        sweep_token: sweep.token,
        created_at: sweep.now,
      }))
      await trx('appointment_reminders').insert(rows).onConflict().ignore()
    }
    const recorded = await trx('appointment_reminders')
      .where({ sweep_token: sweep.token, lead_minutes: leadMinutes })
      .select('id')
    return recorded.map((row: { id: number }) => Number(row.id))
  }

  async reminderToSend(id: number, trx: Query = this.db): Promise<ReminderToSend | undefined> {
    const reminder = await trx('appointment_reminders').where('id', id).first()
    if (!reminder) return undefined
    const row = await trx('appointments as a')
      .join('providers as p', 'p.id', 'a.provider_id')
      .join('clinics as c', 'c.id', 'p.clinic_id')
      .join('members as m', 'm.id', 'a.member_id')
      .leftJoin('users as u', (join) => join.on('u.member_id', 'm.id').andOn('u.role', trx.raw('?', ['member'])))
      .where('a.id', reminder.appointment_id)
      .first(
        'a.id',
        'a.status',
        'a.starts_at',
        'a.member_id',
        'u.email as user_email',
        'm.email as member_email',
        'm.first_name',
        'm.last_name',
        'm.birth_date',
        'm.preferred_language',
        ...clinicColumns,
      )
    return {
      id: Number(reminder.id),
      leadMinutes: Number(reminder.lead_minutes),
      startsAt: reminder.starts_at,
      sentAt: reminder.sent_at,
      appointment: row
        ? { id: Number(row.id), status: row.status, startsAt: row.starts_at, clinic: toClinic(row) }
        : undefined,
      email: row ? (row.user_email ?? row.member_email ?? null) : null,
      language: row ? String(row.preferred_language) : 'en',
      member: row ? { name: `${row.first_name} ${row.last_name}`, birthDate: String(row.birth_date) } : undefined,
    }
  }

  /**
   * The email addresses of a child's parents and guardians who have accounts, each with the language its
   * reminder is written in (whether they may still act is the rules').
   */
  async guardianEmails(reminderId: number, trx: Query = this.db): Promise<{ email: string; language: string }[]> {
    return trx('appointment_reminders as r')
      .join('appointments as a', 'a.id', 'r.appointment_id')
      .join('guardianships as g', 'g.child_member_id', 'a.member_id')
      .join('users as u', (join) =>
        join.on('u.member_id', 'g.guardian_member_id').andOn('u.role', trx.raw('?', ['member'])),
      )
      .join('members as m', 'm.id', 'u.member_id')
      .where('r.id', reminderId)
      .whereNotNull('u.email')
      .orderBy('u.id')
      .select('u.email', 'm.preferred_language as language')
  }

  /** Marks a reminder done once; false when another job already did. */
  async finishReminder(id: number, outcome: 'sent' | 'skipped', now: Date, trx: Query = this.db): Promise<boolean> {
    const changed = await trx('appointment_reminders').where('id', id).whereNull('sent_at').update({
      sent_at: now,
      outcome,
    })
    return changed === 1
  }
}

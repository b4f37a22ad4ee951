import { createHash, randomUUID } from 'node:crypto'
import type { Viewing } from '../viewing/middleware'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { childAccess } from '../viewing/rules'
import { isDeadlock, isDuplicateKey } from '../platform/db'
import { intlLocale, planDate, planTimeZone } from '../platform/dates'
import { NotFoundError, RuleBrokenError } from '../platform/errors'
import { type Language, languageOf, message, translateMessage, translatorFor } from '../platform/i18n'
import type { SentEmails } from '../platform/sent-emails'
import { addAllToOutbox } from '../platform/outbox'
import { recordId } from '../platform/record-id'
import { RecordAccess, who as auditWho } from '../viewing/record-access'
import { calendarFile } from './calendar-file'
import type { AppointmentRepository, Slot } from './repository'
import type { AppointmentRecord, Provider, VisitType } from './types'
import {
  bookingWeek,
  BookingWeek,
  cancellationAllowed,
  DayOfTimes,
  groupByDay,
  nearestTimes,
  reminderWindows,
  slotFits,
} from './rules'
import { formatDay, formatTime, formatTimeWithZone } from './times'
import { visitName, visitNameInSentence, whatToBring } from './words'

export const remindersQueue = 'appointment-reminders'
export const reasonMaxLength = 500

/**
 * Thrown when a choice is not one the member may make (or was tampered with); `field` is the form field, the
 * message a key or `message()` (i18n.ts).
 */
export class AppointmentInputError extends RuleBrokenError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super([{ field, text: message }])
  }
}

/** Thrown when another member booked the slot first; carries the nearest other open times. */
export class SlotTakenError extends Error {
  readonly status = 409
  constructor(readonly nearest: Slot[]) {
    super('That time was just taken')
  }
}

/** Thrown when a member tries to cancel or move a visit online inside the 24-hour notice. */
export class TooLateToChangeError extends Error {
  readonly status = 409
}

export interface BookingChoice {
  visitType: VisitType
  provider: Provider
  isPrimaryCare: boolean
}

/** Appointments: the choices, booking without double booking, changes with notice, the calendar file, reminders. */
export class AppointmentService {
  constructor(
    private readonly repository: AppointmentRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly options: {
      reminderLeadMinutes: number[]
      publicUrl: string
      /** The mailbox the .ics names as the organizer's, beside the clinic's name (the portal's sender address). */
      organizerEmail: string
      sweepLimit?: number
    },
  ) {}

  visitTypes(): Promise<VisitType[]> {
    return this.repository.visitTypes()
  }

  async visitType(code: unknown): Promise<VisitType> {
    const found = (await this.repository.visitTypes()).find((type) => type.code === code)
    if (!found) throw new AppointmentInputError('visitType', 'appointments:errors.chooseVisitType')
    return found
  }

  /** Providers offering the visit, the member's own primary care provider first. */
  async providersFor(viewing: Viewing, visitType: VisitType): Promise<(Provider & { isPrimaryCare: boolean })[]> {
    const pcp = await this.repository.primaryCareProviderId(viewing.memberId)
    const providers = (await this.repository.providersOffering(visitType.id)).map((provider) => ({
      ...provider,
      isPrimaryCare: provider.id === pcp,
    }))
    return [...providers.filter((p) => p.isPrimaryCare), ...providers.filter((p) => !p.isPrimaryCare)]
  }

  /** The visit type and provider from a form, refused when the provider does not offer that visit. */
  async choice(viewing: Viewing, visitTypeCode: unknown, rawProviderId: unknown): Promise<BookingChoice> {
    const visitType = await this.visitType(visitTypeCode)
    const providerId = recordId(rawProviderId)
    const provider = (await this.providersFor(viewing, visitType)).find((candidate) => candidate.id === providerId)
    if (!provider) {
      throw new AppointmentInputError(
        'provider',
        message('appointments:errors.chooseProvider', { visit: visitNameInSentence(visitType) }),
      )
    }
    return { visitType, provider, isPrimaryCare: provider.isPrimaryCare }
  }

  /** A week of open times for the choice, grouped by day, its words in the reader's language. */
  async openTimes(
    choice: BookingChoice,
    askedWeek: unknown,
    language: Language = 'en',
  ): Promise<{ week: BookingWeek; days: DayOfTimes[] }> {
    const now = this.clock()
    const week = bookingWeek(askedWeek, now, language)
    const slots = await this.repository.openSlots(choice.provider.id, {
      from: week.from.getTime() > now.getTime() ? week.from : now,
      to: week.to,
      minLength: choice.visitType.durationMinutes,
    })
    return { week, days: groupByDay(slots, language) }
  }

  /** An open slot of the chosen provider that fits the visit, or a message for the time field. */
  async bookableSlot(choice: BookingChoice, rawSlotId: unknown): Promise<Slot> {
    const slotId = recordId(rawSlotId)
    if (slotId === undefined) throw new AppointmentInputError('slot', 'appointments:errors.chooseTime')
    const slot = await this.repository.slot(slotId)
    if (!slot || slot.providerId !== choice.provider.id) {
      throw new AppointmentInputError('slot', 'appointments:errors.chooseShownTime')
    }
    if (slot.startsAt.getTime() <= this.clock().getTime()) {
      throw new AppointmentInputError('slot', 'appointments:errors.timePassed')
    }
    if (!slotFits(slot, choice.visitType.durationMinutes, this.clock())) {
      throw new AppointmentInputError(
        'slot',
        message('appointments:errors.tooShort', { visit: visitNameInSentence(choice.visitType) }),
      )
    }
    if (!slot.open) throw new SlotTakenError(await this.nearest(choice, slot))
    return slot
  }

  private async nearest(choice: BookingChoice, lost: Slot): Promise<Slot[]> {
    const candidates = await this.repository.nearestOpenSlots(choice.provider.id, lost.startsAt, {
      notBefore: this.clock(),
      minLength: choice.visitType.durationMinutes,
      count: 5,
    })
    return nearestTimes(candidates, lost.startsAt, 5)
  }

  /** Books the slot. The database's unique key on booked slots decides a race: the loser gets SlotTakenError. */
  async book(
    viewing: Viewing,
    form: { visitType: unknown; provider: unknown; slot: unknown; reason: string },
  ): Promise<number> {
    const choice = await this.choice(viewing, form.visitType, form.provider)
    const slot = await this.bookableSlot(choice, form.slot)
    const now = this.clock()
    try {
      return await retryOnDeadlock(() =>
        this.repository.transaction(async (trx) => {
          const id = await this.repository.insertAppointment(
            {
              memberId: viewing.memberId,
              slot,
              visitType: choice.visitType,
              reason: form.reason,
              now,
              bookedByUserId: viewing.actorUserId,
            },
            trx,
          )
          await this.audit.record(
            { ...auditWho(viewing), action: 'appointment.book', targetType: 'appointment', targetId: id },
            trx,
          )
          return id
        }),
      )
    } catch (error) {
      if (isDuplicateKey(error)) throw new SlotTakenError(await this.nearest(choice, slot))
      throw error
    }
  }

  /** Upcoming and past appointments (audited as a list view). */
  list(viewing: Viewing): Promise<{ upcoming: AppointmentRecord[]; past: AppointmentRecord[] }> {
    const now = this.clock()
    return this.access.viewRecords(viewing, { type: 'appointment' }, async (memberId) => ({
      upcoming: await this.repository.upcoming(memberId, now),
      past: await this.repository.past(memberId, now, 20),
    }))
  }

  /** The next few appointments, for the home page: when (in the reader's language) and where only (audited). */
  comingUp(
    viewing: Viewing,
    count = 3,
    language: Language = 'en',
  ): Promise<{ id: number; when: string; where: string }[]> {
    const now = this.clock()
    return this.access.viewRecords(viewing, { type: 'appointment', detail: { on: 'home' } }, async (memberId) =>
      (await this.repository.upcoming(memberId, now, count)).map((appointment) => ({
        id: appointment.id,
        when: translatorFor(language)('appointments:dayAndTime', {
          day: formatDay(appointment.startsAt, language),
          time: formatTime(appointment.startsAt, language),
        }),
        where: appointment.provider.clinic.name,
      })),
    )
  }

  /** One of the member's appointments; anyone else's id is a 404, audited. */
  show(viewing: Viewing, rawId: unknown): Promise<AppointmentRecord> {
    return this.access.viewRecord(viewing, { type: 'appointment', id: rawId }, (memberId, id) =>
      this.repository.findForMember(memberId, id),
    )
  }

  /** Whether the appointment is still to come and may be changed online now. */
  state(appointment: AppointmentRecord): { upcoming: boolean; changeAllowed: boolean } {
    const now = this.clock()
    const upcoming = appointment.status === 'booked' && appointment.startsAt.getTime() > now.getTime()
    return { upcoming, changeAllowed: upcoming && cancellationAllowed(appointment.startsAt, now) }
  }

  /** A booked appointment still to come, which the member may change. */
  async changeable(viewing: Viewing, rawId: unknown): Promise<AppointmentRecord & { changeAllowed: boolean }> {
    const appointment = await this.show(viewing, rawId)
    const now = this.clock()
    if (appointment.status !== 'booked' || appointment.startsAt.getTime() <= now.getTime()) throw new NotFoundError()
    return { ...appointment, changeAllowed: cancellationAllowed(appointment.startsAt, now) }
  }

  async cancel(viewing: Viewing, rawId: unknown): Promise<AppointmentRecord> {
    const appointment = await this.changeable(viewing, rawId)
    if (!appointment.changeAllowed) throw new TooLateToChangeError('Too late to cancel online')
    await this.repository.transaction(async (trx) => {
      if (!(await this.repository.cancel(viewing.memberId, appointment.id, this.clock(), trx)))
        throw new NotFoundError()
      await this.audit.record(
        { ...auditWho(viewing), action: 'appointment.cancel', targetType: 'appointment', targetId: appointment.id },
        trx,
      )
    })
    return appointment
  }

  /** Books the new time and frees the old one in one transaction: both happen or neither. */
  async reschedule(viewing: Viewing, rawId: unknown, rawSlotId: unknown): Promise<AppointmentRecord> {
    const appointment = await this.changeable(viewing, rawId)
    if (!appointment.changeAllowed) throw new TooLateToChangeError('Too late to change online')
    const choice = { visitType: appointment.visitType, provider: appointment.provider, isPrimaryCare: false }
    if (recordId(rawSlotId) === appointment.slotId) {
      throw new AppointmentInputError('slot', 'appointments:errors.sameTime')
    }
    const slot = await this.bookableSlot(choice, rawSlotId)
    try {
      await retryOnDeadlock(() =>
        this.repository.transaction(async (trx) => {
          const moved = await this.repository.moveAppointment(
            viewing.memberId,
            appointment.id,
            { slot, durationMinutes: appointment.visitType.durationMinutes, now: this.clock() },
            trx,
          )
          if (!moved) throw new NotFoundError()
          await this.audit.record(
            {
              ...auditWho(viewing),
              action: 'appointment.reschedule',
              targetType: 'appointment',
              targetId: appointment.id,
              detail: { fromSlot: appointment.slotId, toSlot: slot.id },
            },
            trx,
          )
        }),
      )
    } catch (error) {
      if (isDuplicateKey(error)) throw new SlotTakenError(await this.nearest(choice, slot))
      throw error
    }
    return this.repository.findForMember(viewing.memberId, appointment.id) as Promise<AppointmentRecord>
  }

  /** The .ics file for an upcoming appointment, its words in the reader's language (the download is audited). */
  async calendarFile(
    viewing: Viewing,
    rawId: unknown,
    language: Language = 'en',
  ): Promise<{ filename: string; body: string }> {
    const appointment = await this.access.viewRecord(
      viewing,
      { type: 'appointment-calendar', id: rawId },
      (memberId, id) => this.repository.findForMember(memberId, id),
    )
    const { clinic } = appointment.provider
    const t = translatorFor(language)
    const body = calendarFile({
      uid: `appointment-${appointment.id}@${new URL(this.options.publicUrl).hostname}`,
      sequence: appointment.sequence,
      stamp: this.clock(),
      startsAt: appointment.startsAt,
      endsAt: appointment.endsAt,
      summary: t('appointments:calendar.summary', {
        visit: translateMessage(t, visitName(appointment.visitType)),
        doctor: appointment.provider.name,
      }),
      location: `${clinic.name}, ${clinic.address}, ${clinic.city}, ${clinic.state} ${clinic.zip}`,
      description: t('appointments:calendar.description', {
        whatToBring: translateMessage(t, whatToBring(appointment.visitType)),
        link: `${this.options.publicUrl}/appointments/${appointment.id}`,
        phone: clinic.phone,
      }),
      language,
      organizer: { name: clinic.name, email: this.options.organizerEmail },
      cancelled: appointment.status === 'cancelled',
    })
    return { filename: `appointment-${appointment.id}.ics`, body }
  }

  /**
   * Finds the reminders due now, records each once (a unique key on appointment, lead and start time), and
   * queues an email for each one this sweep recorded, in the same transaction. Safe to run in any number of
   * workers at once and again after a crash.
   */
  async sweepReminders(): Promise<{ found: number; queued: number }> {
    const now = this.clock()
    const token = randomUUID()
    let found = 0
    let queued = 0
    for (const window of reminderWindows(this.options.reminderLeadMinutes, now)) {
      const due = await this.repository.dueForReminder(window.leadMinutes, window, this.options.sweepLimit ?? 5000)
      found += due.length
      if (due.length === 0) continue
      queued += await retryOnDeadlock(() =>
        this.repository.transaction(async (trx) => {
          const ids = await this.repository.recordReminders(window.leadMinutes, due, { token, now }, trx)
          await addAllToOutbox(
            trx,
            this.clock,
            ids.map((reminderId) => ({ queue: remindersQueue, jobName: 'send-reminder', payload: { reminderId } })),
          )
          return ids.length
        }),
      )
    }
    return { found, queued }
  }

  /**
   * Sends one reminder unless it was sent already, the visit was cancelled, or it moved (the reminder was for
   * its old time). The email holds the date, time, place and how to cancel — never the reason or the doctor.
   */
  async sendReminder(reminderId: number, sentEmails: SentEmails): Promise<'sent' | 'skipped'> {
    const reminder = await this.repository.reminderToSend(reminderId)
    if (!reminder || reminder.sentAt) return 'skipped'
    const now = this.clock()
    const { appointment } = reminder
    const current =
      appointment?.status === 'booked' &&
      appointment.startsAt.getTime() === reminder.startsAt.getTime() &&
      appointment.startsAt.getTime() > now.getTime()
    // A child without an address of their own (most have none) is reminded through the parents who may book
    // for them: under 18, by the same rule as the switcher.
    const forChild =
      !reminder.email && reminder.member && childAccess(reminder.member.birthDate, planDate(now)).kind !== 'none'
    const recipients = reminder.email
      ? [{ email: reminder.email, language: reminder.language }]
      : forChild
        ? await this.repository.guardianEmails(reminder.id)
        : []
    if (!current || recipients.length === 0 || !appointment) {
      await this.repository.finishReminder(reminder.id, 'skipped', now)
      return 'skipped'
    }
    const { clinic } = appointment
    // One record per recipient, so a retry after some went out sends only the rest.
    // Each in its recipient's preferred language; the child's name and the clinic stay as recorded.
    for (const { email: to, language } of recipients) {
      const t = translatorFor(language)
      const name = reminder.member?.name
      await sentEmails.sendOnce(recipientKey(reminder.id, to), 'appointment-reminder', async () => ({
        userId: null,
        email: {
          to,
          subject: forChild
            ? t('emails:appointmentReminder.subjectForChild', { name })
            : t('emails:appointmentReminder.subject'),
          text: [
            forChild ? t('emails:appointmentReminder.introForChild', { name }) : t('emails:appointmentReminder.intro'),
            '',
            t('emails:appointmentReminder.date', { date: reminderDay(appointment.startsAt, language) }),
            t('emails:appointmentReminder.time', { time: reminderTime(appointment.startsAt, language) }),
            t('emails:appointmentReminder.place', {
              place: `${clinic.name}, ${clinic.address}, ${clinic.city}, ${clinic.state} ${clinic.zip}`,
            }),
            '',
            t('emails:appointmentReminder.change', {
              link: `${this.options.publicUrl}/appointments`,
              phone: clinic.phone,
            }),
          ].join('\n'),
        },
      }))
    }
    await this.repository.finishReminder(reminder.id, 'sent', this.clock())
    return 'sent'
  }
}

const spanishDay = new Intl.DateTimeFormat(intlLocale.es, {
  timeZone: planTimeZone,
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
})
const spanishTime = new Intl.DateTimeFormat(intlLocale.es, {
  timeZone: planTimeZone,
  hour: 'numeric',
  minute: '2-digit',
})

/** "Monday, November 30, 2026" / "lunes, 30 de noviembre de 2026", in the clinic's time zone, for an email. */
function reminderDay(at: Date, language: string): string {
  return languageOf(language) === 'es' ? spanishDay.format(at) : formatDay(at)
}

/** "10:20 AM PST" / "10:20 a. m., hora del Pacífico": read away from the page, so the zone is named. */
function reminderTime(at: Date, language: string): string {
  return languageOf(language) === 'es' ? `${spanishTime.format(at)}, hora del Pacífico` : formatTimeWithZone(at)
}

/** A reminder's record in sent_emails for one address: the address hashed, so the key holds no email. */
function recipientKey(reminderId: number, to: string): string {
  return `appointment-reminder-${reminderId}-${createHash('sha256').update(to.toLowerCase()).digest('hex').slice(0, 16)}`
}

/** Sweeps in several workers can still deadlock on the reminders' unique key; the loser simply runs again. */
async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (!isDeadlock(error) || attempt >= attempts) throw error
    }
  }
}

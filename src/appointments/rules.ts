import { formatDate } from '../platform/dates'
import { type Language, translatorFor } from '../platform/i18n'
import { addDays, clinicTime, formatDay, formatTime, planDate, weekStartOf } from './times'
import type { Slot } from './repository'

/** The rules of booking, as plain functions of their inputs and the time. */

const hourMs = 60 * 60 * 1000

/** Members may cancel online up to this long before the start; later, they call the office. */
export const cancellationNoticeHours = 24

/** How far ahead members can book: the slots made from the schedules. */
export const bookingWeeks = 8

export function cancellationAllowed(startsAt: Date, now: Date): boolean {
  return now.getTime() <= startsAt.getTime() - cancellationNoticeHours * hourMs
}

/** A slot takes a visit when it starts after now and is at least as long as the visit. */
export function slotFits(slot: Pick<Slot, 'startsAt' | 'lengthMinutes'>, durationMinutes: number, now: Date): boolean {
  return slot.startsAt.getTime() > now.getTime() && slot.lengthMinutes >= durationMinutes
}

export interface BookingWeek {
  /** The Monday, YYYY-MM-DD. */
  start: string
  from: Date
  to: Date
  /** "Week of November 23, 2026", in the reader's language. */
  heading: string
  /** The Monday in words: "November 23, 2026". */
  firstDay: string
  previous?: string
  next?: string
}

/**
 * The week of open times a page shows: the week asked for (by its Monday) if it is between this week and the
 * last bookable one, otherwise this week.
 */
export function bookingWeek(asked: unknown, now: Date, language: Language = 'en'): BookingWeek {
  const first = weekStartOf(now)
  const last = addDays(first, 7 * bookingWeeks)
  let start = first
  const realDate =
    typeof asked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(asked) && !Number.isNaN(Date.parse(`${asked}T12:00:00Z`))
  if (realDate && addDays(asked, 0) === asked && asked >= first && asked <= last) {
    start = weekStartOf(clinicTime(asked, '12:00'))
  }
  const end = addDays(start, 7)
  const firstDay = formatDate(clinicTime(start, '12:00'), language)
  return {
    start,
    from: clinicTime(start, '00:00'),
    to: clinicTime(end, '00:00'),
    heading: translatorFor(language)('appointments:weekOf', { date: firstDay }),
    firstDay,
    previous: start > first ? addDays(start, -7) : undefined,
    next: end <= last ? end : undefined,
  }
}

export interface DayOfTimes {
  date: string
  heading: string
  times: { slotId: number; time: string; startsAt: Date }[]
}

/** Open times grouped by the clinic's calendar day, in order, their words in the reader's language. */
export function groupByDay(slots: Slot[], language: Language = 'en'): DayOfTimes[] {
  const days: DayOfTimes[] = []
  for (const slot of slots) {
    const date = planDate(slot.startsAt)
    let day = days.at(-1)
    if (!day || day.date !== date) {
      day = { date, heading: formatDay(slot.startsAt, language), times: [] }
      days.push(day)
    }
    day.times.push({ slotId: slot.id, time: formatTime(slot.startsAt, language), startsAt: slot.startsAt })
  }
  return days
}

/** The `count` open times closest to the one that was lost, in time order. */
export function nearestTimes(slots: Slot[], lost: Date, count: number): Slot[] {
  return [...slots]
    .sort((a, b) => Math.abs(a.startsAt.getTime() - lost.getTime()) - Math.abs(b.startsAt.getTime() - lost.getTime()))
    .slice(0, count)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
}

export interface ReminderWindow {
  leadMinutes: number
  from: Date
  to: Date
}

/**
 * For each lead time (shortest first), the start times whose reminder for that lead is due now: those starting
 * within the lead but not within a shorter one — once a shorter reminder is due the longer one is pointless.
 */
export function reminderWindows(leadMinutes: number[], now: Date): ReminderWindow[] {
  const sorted = [...new Set(leadMinutes)].sort((a, b) => a - b)
  return sorted.map((lead, index) => ({
    leadMinutes: lead,
    from: new Date(now.getTime() + (index === 0 ? 0 : sorted[index - 1]) * 60_000),
    to: new Date(now.getTime() + lead * 60_000),
  }))
}

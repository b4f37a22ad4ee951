import { intlLocale, planDate, planTimeZone } from '../platform/dates'
import type { Language } from '../platform/i18n'

/** Appointment times as members read them: always the clinic's time zone, whatever the server's. */

const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs

const dayHeadings = {
  en: new Intl.DateTimeFormat(intlLocale.en, {
    timeZone: planTimeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
  }),
  es: new Intl.DateTimeFormat(intlLocale.es, {
    timeZone: planTimeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
  }),
}
const clockTimes = {
  en: new Intl.DateTimeFormat(intlLocale.en, { timeZone: planTimeZone, hour: 'numeric', minute: '2-digit' }),
  es: new Intl.DateTimeFormat(intlLocale.es, { timeZone: planTimeZone, hour: 'numeric', minute: '2-digit' }),
}
const zoneName = new Intl.DateTimeFormat('en-US', { timeZone: planTimeZone, timeZoneName: 'short' })
const wallClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: planTimeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** "Tuesday, December 1, 2026" ("martes, 1 de diciembre de 2026") in the clinic's time zone. */
export function formatDay(at: Date, language: Language = 'en'): string {
  return dayHeadings[language].format(at)
}

/** "9:20 AM" ("9:20 a. m.") in the clinic's time zone. */
export function formatTime(at: Date, language: Language = 'en'): string {
  return clockTimes[language].format(at)
}

/** "9:20 AM PST": for emails and calendar text, read away from the page. */
export function formatTimeWithZone(at: Date): string {
  const zone = zoneName.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'Pacific time'
  return `${formatTime(at)} ${zone}`
}

/** How far the clinic's wall clock is ahead of UTC at an instant (negative in California). */
function zoneOffsetMs(at: Date): number {
  const parts = Object.fromEntries(wallClock.formatToParts(at).map((part) => [part.type, part.value]))
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  )
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/** The instant a wall-clock time (YYYY-MM-DD, HH:MM) happens at the clinic, across daylight-saving changes. */
export function clinicTime(date: string, time: string): Date {
  const naive = Date.parse(`${date}T${time}:00Z`)
  const first = naive - zoneOffsetMs(new Date(naive))
  return new Date(naive - zoneOffsetMs(new Date(first)))
}

/** A calendar date some days after another (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * dayMs).toISOString().slice(0, 10)
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay()
  return day === 0 ? 7 : day
}

/** The Monday of the clinic's week that holds the instant, as YYYY-MM-DD. */
export function weekStartOf(at: Date): string {
  const today = planDate(at)
  return addDays(today, 1 - isoWeekday(today))
}

export { planDate }

/** The plan's clinics are in California: business days and the dates members read are counted there. */
export const planTimeZone = 'America/Los_Angeles'

const weekdayFormat = new Intl.DateTimeFormat('en-US', { timeZone: planTimeZone, weekday: 'short' })
const dateFormat = new Intl.DateTimeFormat('en-US', { timeZone: planTimeZone, dateStyle: 'long' })
const calendarDateFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'long' })
const shortDateFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: planTimeZone,
  year: 'numeric',
  month: 'short',
  day: 'numeric',
})
const isoDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: planTimeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

const dayMs = 24 * 60 * 60 * 1000

/** True on Saturdays and Sundays as the plan's clinics see them. */
export function isWeekend(at: Date): boolean {
  const day = weekdayFormat.format(at)
  return day === 'Sat' || day === 'Sun'
}

/**
 * The same time of day, the given number of business days (Monday to Friday in the plan's time zone) later:
 * a result ready on Friday morning with a 3-day hold is released on Wednesday morning.
 */
export function addBusinessDays(from: Date, days: number): Date {
  let at = from.getTime()
  let counted = 0
  while (counted < days) {
    at += dayMs
    if (!isWeekend(new Date(at))) counted += 1
  }
  return new Date(at)
}

/** The calendar date (YYYY-MM-DD) of an instant in the plan's time zone. */
export function planDate(at: Date): string {
  return isoDateFormat.format(at)
}

/**
 * "November 24, 2026". DATE columns arrive as YYYY-MM-DD strings and are shown as that calendar day;
 * instants are shown as the day it was in the plan's time zone.
 */
export function formatDate(value: Date | string): string {
  if (typeof value === 'string') return calendarDateFormat.format(new Date(`${value}T00:00:00Z`))
  return dateFormat.format(value)
}

/** "Nov 24, 2026", for tables. */
export function formatShortDate(value: Date | string): string {
  if (typeof value === 'string') return shortDateFormat.format(new Date(`${value}T12:00:00Z`))
  return shortDateFormat.format(value)
}

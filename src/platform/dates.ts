import type { FormError } from './forms'
import { message } from './i18n'

export interface DateInputValues {
  day: string
  month: string
  year: string
}

export type DateInputResult =
  { ok: true; value: string; values: DateInputValues } | { ok: false; error: FormError; values: DateInputValues }

const field = (body: Record<string, unknown>, name: string) => {
  const value = body[name]
  return typeof value === 'string' ? value.trim().slice(0, 10) : ''
}

/**
 * The GOV.UK three-field date (`<name>-day`, `-month`, `-year`) read from a form body, with the messages
 * that pattern uses. The value is an ISO date (YYYY-MM-DD); `today` bounds dates that must be in the past.
 */
export function parseDateInput(
  body: unknown,
  name: string,
  options: { label: string; today: Date; mustBePast?: boolean },
): DateInputResult {
  const source = (body ?? {}) as Record<string, unknown>
  const values = {
    day: field(source, `${name}-day`),
    month: field(source, `${name}-month`),
    year: field(source, `${name}-year`),
  }
  const fail = (part: keyof DateInputValues, text: string): DateInputResult => ({
    ok: false,
    error: { href: `#${name}-${part}`, text },
    values,
  })
  const label = options.label
  const missing = (['day', 'month', 'year'] as const).filter((part) => values[part] === '')
  if (missing.length === 3) return fail('day', message('common:forms.dateMissing', { label }))
  if (missing.length > 0) {
    const parts =
      missing.length === 1
        ? { key: `common:forms.${missing[0]}` }
        : message('common:forms.twoParts', {
            first: `common:forms.${missing[0]}`,
            second: `common:forms.${missing[1]}`,
          })
    return fail(missing[0], message('common:forms.datePartsMissing', { label, parts }))
  }
  if (!/^\d{1,2}$/.test(values.day) || !/^\d{1,2}$/.test(values.month))
    return fail('day', message('common:forms.dateNotReal', { label }))
  if (!/^\d{4}$/.test(values.year)) return fail('year', 'common:forms.yearDigits')

  const [day, month, year] = [Number(values.day), Number(values.month), Number(values.year)]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (month < 1 || month > 12 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    return fail('day', message('common:forms.dateNotReal', { label }))
  }
  if (year < 1900) return fail('year', message('common:forms.dateTooEarly', { label }))
  const iso = date.toISOString().slice(0, 10)
  if (options.mustBePast && iso > options.today.toISOString().slice(0, 10))
    return fail('day', message('common:forms.dateNotPast', { label }))
  return { ok: true, value: iso, values }
}

/** The plan's clinics are in California: business days and the dates members read are counted there. */
export const planTimeZone = 'America/Los_Angeles'

const weekdayFormat = new Intl.DateTimeFormat('en-US', { timeZone: planTimeZone, weekday: 'short' })
/** The Intl locale of each language the portal speaks: US English, and the Spanish of the United States. */
export const intlLocale = { en: 'en-US', es: 'es-US' } as const
type Locale = keyof typeof intlLocale

/** Each locale's formats, built once (an Intl.DateTimeFormat is costly to make and cheap to use). */
const formatsOf = (locale: Locale) => ({
  date: new Intl.DateTimeFormat(intlLocale[locale], { timeZone: planTimeZone, dateStyle: 'long' }),
  calendarDate: new Intl.DateTimeFormat(intlLocale[locale], { timeZone: 'UTC', dateStyle: 'long' }),
  shortDate: new Intl.DateTimeFormat(intlLocale[locale], {
    timeZone: planTimeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  }),
  time: new Intl.DateTimeFormat(intlLocale[locale], { timeZone: planTimeZone, hour: 'numeric', minute: '2-digit' }),
})
const formats = { en: formatsOf('en'), es: formatsOf('es') }
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

/** The calendar date (YYYY-MM-DD) of an instant in the plan's time zone (or another one, such as the mailroom's). */
export function planDate(at: Date, timeZone = planTimeZone): string {
  if (timeZone === planTimeZone) return isoDateFormat.format(at)
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

/**
 * "November 24, 2026". DATE columns arrive as YYYY-MM-DD strings and are shown as that calendar day;
 * instants are shown as the day it was in the plan's time zone.
 */
export function formatDate(value: Date | string, locale: Locale = 'en'): string {
  if (typeof value === 'string') return formats[locale].calendarDate.format(new Date(`${value}T00:00:00Z`))
  return formats[locale].date.format(value)
}

/** "Nov 24, 2026" ("24 nov 2026"), for tables. */
export function formatShortDate(value: Date | string, locale: Locale = 'en'): string {
  if (typeof value === 'string') return formats[locale].shortDate.format(new Date(`${value}T12:00:00Z`))
  return formats[locale].shortDate.format(value)
}

/**
 * "November 26, 2026 at 2:19 a.m. Pacific time": an instant as members and staff read it, in the plan's time
 * zone (never raw UTC).
 */
export function formatDateTime(at: Date | string, locale: Locale = 'en'): string {
  const instant = typeof at === 'string' ? new Date(at) : at
  const time = formats[locale].time.format(instant)
  const date = formats[locale].date.format(instant)
  if (locale === 'es') return `${date}, a las ${time}, hora del Pacífico`
  return `${date} at ${time.replace(/\s?AM$/, ' a.m.').replace(/\s?PM$/, ' p.m.')} Pacific time`
}

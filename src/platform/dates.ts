import type { FormError } from './forms'

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
  if (missing.length === 3) return fail('day', `Enter your ${label}`)
  if (missing.length > 0) return fail(missing[0], `Your ${label} must include a ${missing.join(' and ')}`)
  if (!/^\d{1,2}$/.test(values.day) || !/^\d{1,2}$/.test(values.month))
    return fail('day', `Your ${label} must be a real date`)
  if (!/^\d{4}$/.test(values.year)) return fail('year', 'Year must include 4 numbers')

  const [day, month, year] = [Number(values.day), Number(values.month), Number(values.year)]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (month < 1 || month > 12 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    return fail('day', `Your ${label} must be a real date`)
  }
  if (year < 1900) return fail('year', `Your ${label} must be after 1900`)
  const iso = date.toISOString().slice(0, 10)
  if (options.mustBePast && iso > options.today.toISOString().slice(0, 10))
    return fail('day', `Your ${label} must be in the past`)
  return { ok: true, value: iso, values }
}

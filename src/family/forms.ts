import { z } from 'zod'
import { memberTools, type MemberTool } from '../viewing/rules'
import { parseDateInput, type DateInputValues } from '../platform/dates'
import { FormError, parseForm } from '../platform/forms'
import { message } from '../platform/i18n'

export interface GrantFormValues {
  firstName: string
  lastName: string
  mrn: string
  birthDate: DateInputValues
  tools: string[]
  endsOn: DateInputValues
}

export interface GrantRequest {
  firstName: string
  lastName: string
  mrn: string
  birthDate: string
  tools: MemberTool[]
  endsOn: string | null
}

const name = (which: 'firstName' | 'lastName') =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z.string().min(1, `family:errors.${which}Missing`).max(60, `family:errors.${which}TooLong`),
  )

const person = z.object({
  firstName: name('firstName'),
  lastName: name('lastName'),
  mrn: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : ''),
    z
      .string()
      .min(1, 'family:errors.mrnMissing')
      .max(20, 'family:errors.mrnLength')
      .regex(/^\d+$/, 'family:errors.mrnDigits')
      .length(8, 'family:errors.mrnLength'),
  ),
})

const dateMessages = ['dateMissing', 'datePartsMissing', 'dateNotReal', 'dateTooEarly', 'dateNotPast']

/**
 * A date field's message about someone else's date: the shared messages say "your date of birth", this form
 * asks for "their" date of birth and "the" end date, so each becomes the family namespace's own sentence.
 */
function aboutTheirDate(error: FormError, field: 'birthDate' | 'endsOn'): FormError {
  if (!error.text.startsWith('{"key":"common:forms.')) return error
  const { key, values } = JSON.parse(error.text) as { key: string; values?: Record<string, unknown> }
  const name = key.slice('common:forms.'.length)
  return dateMessages.includes(name) ? { ...error, text: message(`family:errors.${field}.${name}`, values) } : error
}

/** How far ahead an end date may be set: a longer arrangement is simply one without an end date. */
export const furthestEndYears = 10

const typed = (body: unknown, field: string, max = 100) => {
  const value = (body as Record<string, unknown> | undefined)?.[field]
  return typeof value === 'string' ? value.slice(0, max) : ''
}

function chosenTools(body: unknown): string[] {
  const raw = (body as Record<string, unknown> | undefined)?.tools
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return list.filter((item): item is string => typeof item === 'string').slice(0, 20)
}

/**
 * The grant form: who (as on their member ID card), which tools, and an optional last day. Errors come in the
 * page's order; the date messages speak of "their" date of birth and "the" end date, not the member's own.
 */
export function parseGrantForm(
  body: unknown,
  today: string,
):
  | { ok: true; value: GrantRequest; values: GrantFormValues }
  | { ok: false; errors: FormError[]; values: GrantFormValues } {
  const todayDate = new Date(`${today}T12:00:00Z`)
  const names = parseForm(person, body)
  const birth = parseDateInput(body, 'birthDate', {
    label: 'family:grant.birthDate',
    today: todayDate,
    mustBePast: true,
  })
  const tools = chosenTools(body)
  const ends = parseDateInput(body, 'endsOn', { label: 'family:grant.endsOn', today: todayDate })
  const endsEmpty = Object.values(ends.values).every((part) => part === '')
  const values: GrantFormValues = {
    firstName: typed(body, 'firstName'),
    lastName: typed(body, 'lastName'),
    mrn: typed(body, 'mrn', 20),
    birthDate: birth.values,
    tools: tools.filter((tool) => (memberTools as readonly string[]).includes(tool)),
    endsOn: ends.values,
  }

  const errors: FormError[] = []
  const nameErrors = names.ok ? [] : names.errors
  errors.push(...nameErrors.filter((error) => error.href !== '#mrn'))
  if (!birth.ok) errors.push(aboutTheirDate(birth.error, 'birthDate'))
  errors.push(...nameErrors.filter((error) => error.href === '#mrn'))
  if (tools.length === 0) errors.push({ href: '#tools', text: 'family:errors.toolsMissing' })
  else if (values.tools.length !== tools.length) errors.push({ href: '#tools', text: 'family:errors.toolsUnknown' })
  let endsOn: string | null = null
  if (!endsEmpty) {
    if (!ends.ok) errors.push(aboutTheirDate(ends.error, 'endsOn'))
    else if (ends.value < today) errors.push({ href: '#endsOn-day', text: 'family:errors.endsPast' })
    else if (Number(ends.value.slice(0, 4)) > Number(today.slice(0, 4)) + furthestEndYears)
      errors.push({
        href: '#endsOn-year',
        text: message('family:errors.endsTooFar', { years: furthestEndYears }),
      })
    else endsOn = ends.value
  }
  if (errors.length > 0 || !names.ok || !birth.ok) return { ok: false, errors, values }
  return {
    ok: true,
    value: { ...names.value, birthDate: birth.value, tools: values.tools as MemberTool[], endsOn },
    values,
  }
}

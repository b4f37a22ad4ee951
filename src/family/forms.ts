import { z } from 'zod'
import { memberTools, type MemberTool } from '../viewing/rules'
import { parseDateInput, type DateInputValues } from '../platform/dates'
import { FormError, parseForm } from '../platform/forms'

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

const name = (which: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z.string().min(1, `Enter their ${which}`).max(60, `Their ${which} must be 60 characters or fewer`),
  )

const person = z.object({
  firstName: name('first name'),
  lastName: name('last name'),
  mrn: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : ''),
    z
      .string()
      .min(1, 'Enter their medical record number (MRN)')
      .max(20, 'Their medical record number must be 8 digits')
      .regex(/^\d+$/, 'Their medical record number can only contain digits, as printed on their member ID card')
      .length(8, 'Their medical record number must be 8 digits'),
  ),
})

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
  const birth = parseDateInput(body, 'birthDate', { label: 'date of birth', today: todayDate, mustBePast: true })
  const tools = chosenTools(body)
  const ends = parseDateInput(body, 'endsOn', { label: 'end date', today: todayDate })
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
  if (!birth.ok)
    errors.push({ ...birth.error, text: birth.error.text.replace(/\byour\b/, 'their').replace(/^Your/, 'Their') })
  errors.push(...nameErrors.filter((error) => error.href === '#mrn'))
  if (tools.length === 0) errors.push({ href: '#tools', text: 'Choose at least one thing they can use for you' })
  else if (values.tools.length !== tools.length) errors.push({ href: '#tools', text: 'Choose from the list' })
  let endsOn: string | null = null
  if (!endsEmpty) {
    if (!ends.ok) errors.push({ ...ends.error, text: ends.error.text.replace(/^Your/, 'The') })
    else if (ends.value < today)
      errors.push({ href: '#endsOn-day', text: 'The end date must be today or in the future' })
    else if (Number(ends.value.slice(0, 4)) > Number(today.slice(0, 4)) + furthestEndYears)
      errors.push({
        href: '#endsOn-year',
        text: `The end date must be within ${furthestEndYears} years, or leave it empty for no end date`,
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

import { z } from 'zod'
import { parseDateInput, DateInputValues } from '../platform/dates'
import { FormError, parseForm, password, text } from '../platform/forms'
import type { MembershipDetails } from './membership'
import { passwordProblem } from './password-policy'
import { isSecretQuestionKey, normaliseAnswer, SecretQuestionKey } from './secret-questions'

const namesAndMrn = z.object({
  firstName: text('first name', { max: 60 }),
  lastName: text('last name', { max: 60 }),
  mrn: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : ''),
    z
      .string()
      .min(1, 'Enter your medical record number (MRN)')
      .max(20, 'Your medical record number must be 8 digits')
      .regex(/^\d+$/, 'Your medical record number can only contain digits, as printed on your member ID card')
      .length(8, 'Your medical record number must be 8 digits'),
  ),
})

export interface MembershipFormValues {
  firstName: string
  lastName: string
  mrn: string
  birthDate: DateInputValues
}

const typed = (body: unknown, field: string, max = 100) => {
  const value = (body as Record<string, unknown> | undefined)?.[field]
  return typeof value === 'string' ? value.slice(0, max) : ''
}

/** Step 1 (and forgot user ID): names, the three-field birth date and the MRN, errors in page order. */
export function parseMembershipForm(
  body: unknown,
  today: Date,
):
  | { ok: true; value: MembershipDetails; values: MembershipFormValues }
  | { ok: false; errors: FormError[]; values: MembershipFormValues } {
  const names = parseForm(namesAndMrn, body)
  const date = parseDateInput(body, 'birthDate', { label: 'date of birth', today, mustBePast: true })
  const values = {
    firstName: typed(body, 'firstName'),
    lastName: typed(body, 'lastName'),
    mrn: typed(body, 'mrn', 20),
    birthDate: date.values,
  }
  if (names.ok && date.ok) return { ok: true, value: { ...names.value, birthDate: date.value }, values }
  const errors = names.ok ? [] : names.errors
  const dateErrors = date.ok ? [] : [date.error]
  const ordered = [
    ...errors.filter((error) => error.href !== '#mrn'),
    ...dateErrors,
    ...errors.filter((error) => error.href === '#mrn'),
  ]
  return { ok: false, errors: ordered, values }
}

export const userIdAndEmailForm = z.object({
  userId: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .min(1, 'Enter a user ID')
      .min(6, 'Your user ID must be at least 6 characters')
      .max(32, 'Your user ID must be 32 characters or fewer')
      .regex(
        /^[A-Za-z0-9._-]+$/,
        'Your user ID can only include letters, numbers, full stops (.), underscores (_) and hyphens (-)',
      ),
  ),
  email: emailField(),
})

export function emailField() {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .min(1, 'Enter your email address')
      .max(254, 'Your email address must be 254 characters or fewer')
      .pipe(z.email('Enter an email address in the correct format, like name@example.com')),
  )
}

export interface NewCredentials {
  password: string
  answers: { questionKey: SecretQuestionKey; answer: string }[]
}

export interface CredentialsFormValues {
  questions: string[]
  answers: string[]
}

/**
 * A new password (with confirmation) and three different secret questions with answers: used by step 4,
 * first sign-on and account settings. Passwords are never echoed back.
 */
export function parseCredentialsForm(
  body: unknown,
  context: { userId?: string; firstName?: string; lastName?: string },
  options: { password?: boolean; questions?: boolean } = { password: true, questions: true },
):
  | { ok: true; value: NewCredentials; values: CredentialsFormValues }
  | { ok: false; errors: FormError[]; values: CredentialsFormValues } {
  const source = (body ?? {}) as Record<string, unknown>
  const errors: FormError[] = []
  const values: CredentialsFormValues = {
    questions: [1, 2, 3].map((n) => typed(body, `question${n}`, 40)),
    answers: [1, 2, 3].map((n) => typed(body, `answer${n}`, 60)),
  }
  let newPassword = ''
  if (options.password !== false) {
    const parsed = parseForm(
      z.object({ password: password('new password', { max: 128, missing: 'Enter a new password' }) }),
      source,
    )
    newPassword = parsed.ok ? parsed.value.password : ''
    const problem = parsed.ok ? passwordProblem(newPassword, context) : parsed.errors[0].text
    if (problem) errors.push({ href: '#password', text: problem })
    else if (source.confirmPassword !== newPassword)
      errors.push({ href: '#confirmPassword', text: 'The passwords do not match. Type the same password twice' })
  }
  const answers: NewCredentials['answers'] = []
  if (options.questions !== false) {
    const chosen = new Set<string>()
    for (const n of [1, 2, 3]) {
      const key = source[`question${n}`]
      const answer = typeof source[`answer${n}`] === 'string' ? (source[`answer${n}`] as string).trim() : ''
      if (!isSecretQuestionKey(key)) {
        errors.push({ href: `#question${n}`, text: `Choose secret question ${n}` })
        continue
      }
      if (chosen.has(key)) {
        errors.push({
          href: `#question${n}`,
          text: `Choose a different question for secret question ${n}: each must be different`,
        })
        continue
      }
      chosen.add(key)
      if (normaliseAnswer(answer).length < 2)
        errors.push({
          href: `#answer${n}`,
          text: `Enter an answer to secret question ${n} of at least 2 letters or numbers`,
        })
      else if (answer.length > 60)
        errors.push({ href: `#answer${n}`, text: `The answer to secret question ${n} must be 60 characters or fewer` })
      else answers.push({ questionKey: key, answer })
    }
  }
  if (errors.length > 0) return { ok: false, errors, values }
  return { ok: true, value: { password: newPassword, answers }, values }
}

import { z } from 'zod'
import { parseDateInput, DateInputValues } from '../platform/dates'
import { FormError, parseForm, password, text } from '../platform/forms'
import { message } from '../platform/i18n'
import type { MembershipDetails } from './membership'
import { passwordProblem } from './password-policy'
import { isSecretQuestionKey, normaliseAnswer, SecretQuestionKey } from './secret-questions'

const namesAndMrn = z.object({
  firstName: text('accounts:fields.firstName', { max: 60 }),
  lastName: text('accounts:fields.lastName', { max: 60 }),
  mrn: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : ''),
    z
      .string()
      .min(1, 'accounts:errors.mrnMissing')
      .max(20, 'accounts:errors.mrnLength')
      .regex(/^\d+$/, 'accounts:errors.mrnDigits')
      .length(8, 'accounts:errors.mrnLength'),
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
  const date = parseDateInput(body, 'birthDate', { label: 'accounts:fields.dateOfBirth', today, mustBePast: true })
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
      .min(1, 'accounts:errors.userIdMissing')
      .min(6, 'accounts:errors.userIdTooShort')
      .max(32, 'accounts:errors.userIdTooLong')
      .regex(/^[A-Za-z0-9._-]+$/, 'accounts:errors.userIdCharacters'),
  ),
  email: emailField(),
})

export function emailField() {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .min(1, 'accounts:errors.emailMissing')
      .max(254, 'accounts:errors.emailTooLong')
      .pipe(z.email('accounts:errors.emailFormat')),
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
      z.object({
        password: password('accounts:fields.newPassword', { max: 128, missing: 'accounts:errors.newPasswordMissing' }),
      }),
      source,
    )
    newPassword = parsed.ok ? parsed.value.password : ''
    const problem = parsed.ok ? passwordProblem(newPassword, context) : parsed.errors[0].text
    if (problem) errors.push({ href: '#password', text: problem })
    else if (source.confirmPassword !== newPassword)
      errors.push({ href: '#confirmPassword', text: 'accounts:errors.passwordsDiffer' })
  }
  const answers: NewCredentials['answers'] = []
  if (options.questions !== false) {
    const chosen = new Set<string>()
    for (const n of [1, 2, 3]) {
      const key = source[`question${n}`]
      const answer = typeof source[`answer${n}`] === 'string' ? (source[`answer${n}`] as string).trim() : ''
      if (!isSecretQuestionKey(key)) {
        errors.push({ href: `#question${n}`, text: message('accounts:errors.questionMissing', { number: n }) })
        continue
      }
      if (chosen.has(key)) {
        errors.push({
          href: `#question${n}`,
          text: message('accounts:errors.questionRepeated', { number: n }),
        })
        continue
      }
      chosen.add(key)
      if (normaliseAnswer(answer).length < 2)
        errors.push({
          href: `#answer${n}`,
          text: message('accounts:errors.answerTooShort', { number: n }),
        })
      else if (answer.length > 60)
        errors.push({ href: `#answer${n}`, text: message('accounts:errors.answerTooLong', { number: n }) })
      else answers.push({ questionKey: key, answer })
    }
  }
  if (errors.length > 0) return { ok: false, errors, values }
  return { ok: true, value: { password: newPassword, answers }, values }
}

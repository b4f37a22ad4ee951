import { z } from 'zod'
import type { Problem } from './errors'
import { message } from './i18n'

/**
 * The one shape of a form error: the error summary links to `href`, the field shows `text`, a message key or a
 * key with values (`message()` in i18n.ts) that the page reads in its language.
 */
export interface FormError {
  href: string
  text: string
}

/**
 * How a form reports what was typed wrong (a value missing, too long, not a date): the form's parser checks the
 * shape of what was sent and returns this. A business rule broken by well-formed input is a `RuleBrokenError`.
 */
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormError[] }

/**
 * Validates a posted body with a zod schema whose messages are written for members. Errors come back in the
 * order of the schema's fields so the summary follows the page.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const result = schema.safeParse(body ?? {})
  if (result.success) return { ok: true, value: result.data }
  const seen = new Set<string>()
  const errors: FormError[] = []
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    if (seen.has(field)) continue
    seen.add(field)
    errors.push({ href: `#${field}`, text: issue.message })
  }
  return { ok: false, errors }
}

/** One field's error, for a check the schema cannot make (a choice that is not among the options offered). */
export function fieldError(field: string, text: string): FormError {
  return { href: `#${field}`, text }
}

/** A service's broken rules as the error summary lists them, each linking to its field: for routes only. */
export function errorSummary(problems: readonly Problem[]): FormError[] {
  return problems.map((problem) => ({ href: `#${problem.field}`, text: problem.text }))
}

/** The message for a field, for the inline error beside it. */
export function errorFor(errors: FormError[] | undefined, field: string): string | undefined {
  return errors?.find((error) => error.href === `#${field}`)?.text
}

/**
 * A required text field: trimmed, with a message when it is missing and when it is too long. Bodies may
 * carry arrays or objects from hostile clients; anything that is not a string counts as missing. `label` is
 * the field's message key in the reader's words ("accounts:fields.userId"); messages are keys (i18n.ts).
 */
export function text(label: string, options: { max: number; min?: number; missing?: string }) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .min(1, options.missing ?? message('common:forms.missing', { label }))
      .max(options.max, message('common:forms.tooLong', { label, max: options.max }))
      .refine(
        (value) => value.length >= (options.min ?? 0),
        message('common:forms.tooShort', { label, min: options.min }),
      ),
  )
}

/** A password field: never trimmed (spaces count), still bounded. */
export function password(label: string, options: { max: number; missing?: string }) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z
      .string()
      .min(1, options.missing ?? message('common:forms.missing', { label }))
      .max(options.max, message('common:forms.tooLong', { label, max: options.max })),
  )
}

import fs from 'node:fs'
import path from 'node:path'

export const passwordMinLength = 15
export const passwordMaxLength = 128

// Shipped with the project; read once.
const commonPasswords = new Set(
  fs
    .readFileSync(path.join(__dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#')),
)

export interface PasswordContext {
  userId?: string
  firstName?: string
  lastName?: string
}

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()

/**
 * NIST SP 800-63B rev. 4 for a single-factor password: 15 to 128 characters of anything (spaces and pasting
 * welcome), no composition rules, refused only when it is known or easy to guess — and then the member is
 * told why. Returns the reason, or undefined when the password is acceptable.
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | undefined {
  const length = [...password].length
  if (length === 0) return 'Enter a password'
  if (length < passwordMinLength)
    return `Your password must be at least ${passwordMinLength} characters. A few words together, like a short sentence, make a strong one`
  if (length > passwordMaxLength) return `Your password must be ${passwordMaxLength} characters or fewer`

  const folded = fold(password)
  const compact = folded.replace(/[^a-z0-9]/g, '')
  const lettersOnly = folded.replace(/[^a-z]/g, '')
  const mentions = (part: string | undefined, minimum: number) => {
    const needle = part ? fold(part).replace(/[^a-z0-9]/g, '') : ''
    return needle.length >= minimum && compact.includes(needle)
  }
  if (mentions(context.userId, 4)) return 'Your password must not contain your user ID'
  if (mentions(context.firstName, 3) || mentions(context.lastName, 3)) return 'Your password must not contain your name'
  if (compact.includes('memberportal')) return 'Your password must not contain the name of this website'

  if (lettersOnly.length === 0) return 'Your password is too easy to guess: use words, not only numbers or symbols'
  if (commonPasswords.has(compact) || commonPasswords.has(lettersOnly))
    return 'Your password is on a list of common or breached passwords. Choose another one'
  if (isRepetitionOfCommon(lettersOnly))
    return 'Your password is on a list of common or breached passwords. Choose another one'
  if (/^(.+?)\1+$/.test(compact)) return 'Your password is too easy to guess: it repeats the same characters'
  return undefined
}

/** "passwordpassword", "letmeinletmein": a common password said twice is no stronger. */
function isRepetitionOfCommon(letters: string): boolean {
  const match = /^(.+?)\1+$/.exec(letters)
  return match !== null && commonPasswords.has(match[1])
}

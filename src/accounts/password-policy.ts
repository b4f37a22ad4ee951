import fs from 'node:fs'
import path from 'node:path'
import { message } from '../platform/i18n'

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
 * told why. Returns the reason as a message (a key, see platform/i18n.ts), or undefined when the password is
 * acceptable.
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | undefined {
  const length = [...password].length
  if (length === 0) return 'accounts:passwordPolicy.missing'
  if (length < passwordMinLength) return message('accounts:passwordPolicy.tooShort', { min: passwordMinLength })
  if (length > passwordMaxLength) return message('accounts:passwordPolicy.tooLong', { max: passwordMaxLength })

  const folded = fold(password)
  const compact = folded.replace(/[^a-z0-9]/g, '')
  const lettersOnly = folded.replace(/[^a-z]/g, '')
  const mentions = (part: string | undefined, minimum: number) => {
    const needle = part ? fold(part).replace(/[^a-z0-9]/g, '') : ''
    return needle.length >= minimum && compact.includes(needle)
  }
  if (mentions(context.userId, 4)) return 'accounts:passwordPolicy.containsUserId'
  if (mentions(context.firstName, 3) || mentions(context.lastName, 3)) return 'accounts:passwordPolicy.containsName'
  if (compact.includes('memberportal')) return 'accounts:passwordPolicy.containsSiteName'

  if (lettersOnly.length === 0) return 'accounts:passwordPolicy.onlyNumbers'
  if (commonPasswords.has(compact) || commonPasswords.has(lettersOnly)) return 'accounts:passwordPolicy.common'
  if (isRepetitionOfCommon(lettersOnly)) return 'accounts:passwordPolicy.common'
  if (/^(.+?)\1+$/.test(compact)) return 'accounts:passwordPolicy.repeats'
  return undefined
}

/** "passwordpassword", "letmeinletmein": a common password said twice is no stronger. */
function isRepetitionOfCommon(letters: string): boolean {
  const match = /^(.+?)\1+$/.exec(letters)
  return match !== null && commonPasswords.has(match[1])
}

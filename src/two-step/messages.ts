import { message } from '../platform/i18n'
import type { MethodKind } from './repository'

/** What the second step's pages say about codes: message keys (locales/<language>/twoStep.json). */
export const codeMessages = {
  missing: 'twoStep:codes.missing',
  tooLong: 'twoStep:codes.tooLong',
  wrong: 'twoStep:codes.wrong',
  reused: 'twoStep:codes.reused',
  expired: 'twoStep:codes.expired',
  emailCapped: 'twoStep:codes.emailCapped',
  emailNotSent: 'twoStep:codes.emailNotSent',
}

/** Why no code was emailed, in the member's words. */
export const unsentCodeMessage = (sent: 'capped' | 'no-address' | 'not-sent') =>
  sent === 'capped' ? codeMessages.emailCapped : codeMessages.emailNotSent

/** A remembered browser's recorded label ("Chrome on Windows", "A browser") in the reader's words. */
export function browserLabel(label: string): string {
  const match = /^(.+) on (.+)$/.exec(label)
  const browser = match ? match[1] : label
  const named = browser === 'A browser' ? 'twoStep:browsers.unknown' : browser
  return match ? message('twoStep:browsers.onSystem', { browser: named, system: match[2] }) : named
}

/**
 * A method's recorded label in the reader's words: the app and passkeys are stored in English when added
 * ("Authenticator app", "Passkey (Chrome on Mac)"); an email method's label is its masked address, shown as it is.
 */
export function methodLabel(method: { kind: MethodKind; label: string }): string {
  if (method.kind === 'app' && method.label === 'Authenticator app') return 'twoStep:methods.app'
  const passkey = method.kind === 'passkey' ? /^Passkey \((.*)\)$/.exec(method.label) : null
  if (passkey) return message('twoStep:methods.passkey', { browser: browserLabel(passkey[1]) })
  return method.label
}

import { createHash, randomBytes } from 'node:crypto'

/** A link token: 256 random bits, so a fast hash is enough to store it safely. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashLinkToken(token) }
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Tokens arrive in URLs typed or pasted by people; anything not shaped like one is not looked up. */
export function looksLikeLinkToken(candidate: unknown): candidate is string {
  return typeof candidate === 'string' && /^[A-Za-z0-9_-]{43}$/.test(candidate)
}

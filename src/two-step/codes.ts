import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

export const issuer = 'Member Portal'
export const totpPeriodSeconds = 30
export const recoveryCodeCount = 10
export const emailCodeValidMinutes = 10

/**
 * The keys derived from TWO_STEP_KEY, one a purpose, so a hash made for one thing never matches another:
 * AES-256-GCM for authenticator apps' keys, HMAC-SHA256 for codes and remembered browsers' tokens.
 */
export class TwoStepKeys {
  private readonly encryptionKey: Buffer
  private readonly hashKey: Buffer

  constructor(secret: string) {
    this.encryptionKey = createHash('sha256').update(`encrypt:${secret}`).digest()
    this.hashKey = createHash('sha256').update(`hash:${secret}`).digest()
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
  }

  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
  }

  /** A keyed hash: codes have too few bits for a plain hash to hide them from someone who reads the table. */
  hash(purpose: string, value: string): string {
    return createHmac('sha256', this.hashKey).update(`${purpose}:${value}`).digest('hex')
  }
}

/** A new authenticator app key: 160 random bits, as RFC 4226 recommends. */
export function newAppSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totpFor(secretBase32: string, account: string): TOTP {
  return new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: 6,
    period: totpPeriodSeconds,
    secret: Secret.fromBase32(secretBase32),
  })
}

/** The 30-second step a time falls in. */
export function stepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / totpPeriodSeconds)
}

/**
 * The step whose code this is, when it is the code of the step now or of one either side (a phone's clock a
 * little off, or a code typed as it changed); undefined otherwise.
 */
export function matchingStep(secretBase32: string, typed: string, at: Date): number | undefined {
  const delta = totpFor(secretBase32, 'check').validate({ token: typed, timestamp: at.getTime(), window: 1 })
  return delta === null ? undefined : stepAt(at) + delta
}

/** The code an authenticator app shows at a time (for the demo accounts' tests and the seed's notes). */
export function appCodeAt(secretBase32: string, at: Date): string {
  return totpFor(secretBase32, 'code').generate({ timestamp: at.getTime() })
}

/** What the set-up page shows: the otpauth:// address as a QR code (SVG, drawn on the server) and as text. */
export async function appSetupDetails(secretBase32: string, account: string) {
  const uri = totpFor(secretBase32, account).toString()
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return {
    qrSvg: svg.replace('<svg ', '<svg role="img" aria-label="QR code to scan with your authenticator app" '),
    // The key in groups of four, so it can be read and typed without losing one's place.
    groupedKey: secretBase32.match(/.{1,4}/g)?.join(' ') ?? secretBase32,
  }
}

// No look-alikes (0/o, 1/l/i), lowercase so nobody wonders about case.
const recoveryAlphabet = '23456789abcdefghjkmnpqrstuvwxyz'

/** Ten single-use recovery codes of 10 characters (about 50 bits each), shown as xxxxx-xxxxx. */
export function newRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    let code = ''
    for (let i = 0; i < 10; i++) code += recoveryAlphabet[randomInt(recoveryAlphabet.length)]
    return `${code.slice(0, 5)}-${code.slice(5)}`
  })
}

/** What was typed, without the spaces and dashes people add, in lowercase. */
export function normaliseCode(typed: string): string {
  return typed.replace(/[\s-]+/g, '').toLowerCase()
}

export function newEmailCode(): string {
  return String(randomInt(1_000_000)).padStart(6, '0')
}

/** A remembered browser's token: 256 random bits. */
export function newBrowserToken(): string {
  return randomBytes(32).toString('base64url')
}

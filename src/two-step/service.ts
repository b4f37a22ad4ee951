import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { CredentialService } from '../accounts/credentials'
import { signOnCodeMessage, type SecurityEvent } from '../notifications/account-emails'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { RuleBrokenError } from '../platform/errors'
import type { Mailer } from '../platform/mail'
import type { SessionRegistry, SessionUser } from '../platform/session'
import { FailureThrottle } from '../platform/throttle'
import {
  appSetupDetails,
  emailCodeValidMinutes,
  matchingStep,
  newAppSecret,
  newBrowserToken,
  newEmailCode,
  newRecoveryCodes,
  normaliseCode,
  TwoStepKeys,
} from './codes'
import { codeMessages } from './messages'
import type { MethodKind, MethodRow, TwoStepRepository } from './repository'

export type CodeMethod = 'app' | 'email' | 'recovery-code'

/** A code that was accepted: the method it came from and, after a recovery code, how many are left. */
export interface CodeAccepted {
  method: CodeMethod
  recoveryCodesLeft?: number
}

/** Why a code was refused. */
export type CodeRefusal = 'wrong' | 'reused' | 'expired'

/**
 * Thrown when a one-time code is refused: wrong (or from no method the account has), used already, or expired.
 * Its problem is the code field's message key (messages.ts); the second step of sign-on answers 401.
 */
export class CodeRefusedError extends RuleBrokenError {
  constructor(readonly reason: CodeRefusal) {
    super([{ field: 'oneTimeCode', text: codeMessages[reason] }])
  }
}

export const rememberDays = 30
export const promptAgainDays = 30
// Emailed codes an account may ask for in an hour: enough for a person, no inbox flood.
export const emailCodesPerHour = 5

/** What became of a request for an emailed code. */
export type EmailCodeSent = 'sent' | 'capped' | 'no-address' | 'not-sent'
export const rememberCookie = 'portal.rb'

export interface MethodSummary {
  id: number
  kind: MethodKind
  label: string
  createdAt: Date
  lastUsedAt: Date | null
}

/** "Chrome on Windows": enough to tell one's own browsers apart in settings, nothing more. */
export function describeBrowser(userAgent: string | undefined): string {
  const agent = userAgent ?? ''
  const browser =
    [
      ['Edge', /Edg\//],
      ['Firefox', /Firefox\//],
      ['Chrome', /(Chrome|Chromium|CriOS)\//],
      ['Safari', /Safari\//],
    ].find(([, pattern]) => (pattern as RegExp).test(agent))?.[0] ?? 'A browser'
  const system =
    [
      ['Android', /Android/],
      ['iPhone', /iPhone/],
      ['iPad', /iPad/],
      ['Windows', /Windows/],
      ['Mac', /Macintosh|Mac OS X/],
      ['Linux', /Linux/],
    ].find(([, pattern]) => (pattern as RegExp).test(agent))?.[0] ?? undefined
  return system ? `${browser} on ${system}` : String(browser)
}

/**
 * 2-step verification: the methods an account has (an authenticator app, codes by email, passkeys), its
 * recovery codes, checking a code at sign-on, and browsers remembered for 30 days. Codes are good once;
 * emailed and recovery codes are kept only as keyed hashes, an app's key only encrypted.
 */
export class TwoStepService {
  private readonly emailCodeRequests: FailureThrottle

  constructor(
    private readonly db: Db,
    private readonly repository: TwoStepRepository,
    private readonly keys: TwoStepKeys,
    private readonly credentials: CredentialService,
    private readonly sessions: SessionRegistry,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    throttles: { redis: Redis; prefix: string },
    private readonly options: { requiredForMembers: boolean; helpPhone: string },
  ) {
    this.emailCodeRequests = new FailureThrottle(
      throttles.redis,
      `${throttles.prefix}:two-step-email`,
      emailCodesPerHour,
      3600,
      3600,
    )
  }

  /** Staff always; members when the plan's switch says so. */
  isRequired(role: SessionUser['role']): boolean {
    return role !== 'member' || this.options.requiredForMembers
  }

  async methods(userId: number): Promise<MethodSummary[]> {
    return (await this.repository.methods(userId)).map((row) => ({
      id: row.id,
      kind: row.kind,
      label: row.label,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
    }))
  }

  /** What the second step and settings need to know about an account. */
  async overview(userId: number) {
    const [methods, codes, contact] = await Promise.all([
      this.methods(userId),
      this.repository.recoveryCodesLeft(userId),
      this.repository.contact(userId),
    ])
    const kinds = new Set(methods.map((method) => method.kind))
    return {
      methods,
      hasApp: kinds.has('app'),
      hasEmail: kinds.has('email'),
      hasPasskey: kinds.has('passkey'),
      recoveryCodesLeft: codes.left,
      recoveryCodesIssued: codes.issued,
      // An address the member has shown they read: the only one a code may go to.
      verifiedEmail: contact?.email && contact.email_verified_at ? contact.email : undefined,
      enabled: methods.length > 0,
    }
  }

  /** A member with no method, not asked in the last 30 days, is asked (on their home page) to set one up. */
  async shouldOffer(userId: number): Promise<boolean> {
    const { methods, promptedAt } = await this.repository.offerState(userId)
    if (methods > 0) return false
    return !promptedAt || this.clock().getTime() - promptedAt.getTime() > promptAgainDays * 86_400_000
  }

  async notNow(userId: number): Promise<void> {
    await this.repository.setPromptedAt(userId, this.clock())
  }

  /** A new app key, sealed for the session while the member scans it, with what the page shows. */
  async startAppSetup(account: string) {
    const secret = newAppSecret()
    return { sealed: this.keys.encrypt(secret), ...(await appSetupDetails(secret, account)) }
  }

  /** The page again, for the same key (after a wrong code). */
  async appSetupFromSealed(sealed: string, account: string) {
    return appSetupDetails(this.keys.decrypt(sealed), account)
  }

  /** Adds the app once a code from it matches; its step counts as used. */
  async confirmApp(userId: number, sealed: string, typed: string, label: string): Promise<boolean> {
    const code = typed.replace(/\s+/g, '')
    if (!/^\d{6}$/.test(code)) return false
    const step = matchingStep(this.keys.decrypt(sealed), code, this.clock())
    if (step === undefined) return false
    await this.addMethod(userId, { kind: 'app', label, secretEncrypted: sealed, lastStep: step })
    return true
  }

  /** The email method, once a code sent to the verified address came back; a `CodeRefusedError` when it did not. */
  async confirmEmailMethod(userId: number, typed: string): Promise<void> {
    await this.checkEmailCode(userId, typed)
    const contact = await this.repository.contact(userId)
    await this.addMethod(userId, { kind: 'email', label: maskEmail(contact?.email ?? '') })
  }

  async addPasskey(
    userId: number,
    passkey: { credentialId: string; publicKey: string; signCount: number; transports?: string; label: string },
  ): Promise<void> {
    await this.addMethod(userId, { kind: 'passkey', ...passkey })
  }

  private async addMethod(
    userId: number,
    method: Omit<Parameters<TwoStepRepository['addMethod']>[0], 'userId' | 'at'>,
  ) {
    await this.db.transaction(async (trx) => {
      await this.repository.addMethod({ ...method, userId, at: this.clock() }, trx)
      await this.credentials.notify(userId, 'two-step-added', trx)
    })
  }

  /** Removes a method (the caller has checked the password and a current code); others' sessions end. */
  async removeMethod(userId: number, methodId: number, keepSession?: string): Promise<boolean> {
    const removed = await this.db.transaction(async (trx) => {
      if (!(await this.repository.removeMethod(userId, methodId, trx))) return false
      await this.credentials.notify(userId, 'two-step-removed', trx)
      return true
    })
    if (removed) await this.sessions.endOthers(userId, keepSession)
    return removed
  }

  /** Ten new recovery codes, shown once: the old ones stop working. */
  async newRecoveryCodes(userId: number, options: { notify: boolean }): Promise<string[]> {
    const codes = newRecoveryCodes()
    await this.db.transaction(async (trx) => {
      await this.repository.replaceRecoveryCodes(
        userId,
        codes.map((code) => this.keys.hash('recovery', `${userId}:${normaliseCode(code)}`)),
        this.clock(),
        trx,
      )
      if (options.notify) await this.credentials.notify(userId, 'recovery-codes-renewed', trx)
    })
    return codes
  }

  /**
   * Emails a 6-digit code to the account's verified address, up to five an hour; false when the cap is
   * reached, there is no such address or the mail server did not take it. The code goes straight to SMTP, never into a job or a log.
   */
  async sendEmailCode(userId: number): Promise<EmailCodeSent> {
    const contact = await this.repository.contact(userId)
    if (!contact?.email || !contact.email_verified_at) return 'no-address'
    const key = String(userId)
    if (await this.emailCodeRequests.isBlocked(key)) return 'capped'
    await this.emailCodeRequests.recordFailure(key)
    const code = newEmailCode()
    const now = this.clock()
    await this.repository.addEmailCode(
      userId,
      this.keys.hash('email', `${userId}:${code}`),
      now,
      new Date(now.getTime() + emailCodeValidMinutes * 60_000),
    )
    try {
      await this.mailer.send(
        signOnCodeMessage(contact.email, code, emailCodeValidMinutes, this.options.helpPhone, contact.language),
      )
    } catch {
      // The mail server refused or is down: the member is told and may ask again or use another way.
      return 'not-sent'
    }
    return 'sent'
  }

  /** Checks a code from one of the account's methods; a good code is used up, a refused one a `CodeRefusedError`. */
  async verify(userId: number, method: CodeMethod, typed: string): Promise<CodeAccepted> {
    if (method === 'app') return this.checkAppCode(userId, typed)
    if (method === 'email') {
      const methods = await this.repository.methods(userId)
      if (!methods.some((row) => row.kind === 'email')) throw new CodeRefusedError('wrong')
      return this.checkEmailCode(userId, typed)
    }
    return this.checkRecoveryCode(userId, typed)
  }

  /**
   * A code from whichever method it fits: six digits for an app or email, ten characters for a recovery code.
   * When neither the app nor email takes six digits, the refusal that says most: the app's "used already", else
   * email's "used already" or "expired", else "wrong".
   */
  async verifyAny(userId: number, typed: string): Promise<CodeAccepted> {
    if (!/^\d{6}$/.test(typed.replace(/\s+/g, ''))) return this.verify(userId, 'recovery-code', typed)
    let app: CodeRefusedError
    try {
      return await this.verify(userId, 'app', typed)
    } catch (error) {
      if (!(error instanceof CodeRefusedError) || error.reason === 'reused') throw error
      app = error
    }
    try {
      return await this.verify(userId, 'email', typed)
    } catch (error) {
      if (!(error instanceof CodeRefusedError) || error.reason !== 'wrong') throw error
      throw app
    }
  }

  private async checkAppCode(userId: number, typed: string): Promise<CodeAccepted> {
    const code = typed.replace(/\s+/g, '')
    if (!/^\d{6}$/.test(code)) throw new CodeRefusedError('wrong')
    const now = this.clock()
    const apps = (await this.repository.methods(userId)).filter((row) => row.kind === 'app')
    for (const app of apps) {
      const step = matchingStep(this.keys.decrypt(app.secret_encrypted!), code, now)
      if (step === undefined) continue
      // RFC 6238 section 5.2: the verifier must not accept a code a second time.
      if (!(await this.repository.claimAppStep(app.id, step, now))) throw new CodeRefusedError('reused')
      return { method: 'app' }
    }
    throw new CodeRefusedError('wrong')
  }

  private async checkEmailCode(userId: number, typed: string): Promise<CodeAccepted> {
    const code = typed.replace(/\s+/g, '')
    if (!/^\d{6}$/.test(code)) throw new CodeRefusedError('wrong')
    const row = await this.repository.emailCode(userId, this.keys.hash('email', `${userId}:${code}`))
    if (!row) throw new CodeRefusedError('wrong')
    if (row.used_at) throw new CodeRefusedError('reused')
    const now = this.clock()
    if (row.expires_at <= now) throw new CodeRefusedError('expired')
    if (!(await this.repository.useEmailCode(row.id, now))) throw new CodeRefusedError('reused')
    return { method: 'email' }
  }

  private async checkRecoveryCode(userId: number, typed: string): Promise<CodeAccepted> {
    const code = normaliseCode(typed)
    if (!/^[a-z0-9]{10}$/.test(code)) throw new CodeRefusedError('wrong')
    const row = await this.repository.recoveryCode(userId, this.keys.hash('recovery', `${userId}:${code}`))
    if (!row) throw new CodeRefusedError('wrong')
    if (row.used_at || !(await this.repository.useRecoveryCode(row.id, this.clock())))
      throw new CodeRefusedError('reused')
    await this.db.transaction((trx) => this.credentials.notify(userId, 'recovery-code-used', trx))
    const { left } = await this.repository.recoveryCodesLeft(userId)
    return { method: 'recovery-code', recoveryCodesLeft: left }
  }

  /**
   * A mailed temporary password was used: every method, recovery code and remembered browser goes, the
   * member is told and other sessions end (the letter reached the address on file; the phone may be lost).
   */
  async resetForTemporaryPassword(userId: number, keepSession?: string): Promise<void> {
    const had = (await this.repository.methods(userId)).length > 0
    await this.db.transaction(async (trx) => {
      await this.repository.removeEverything(userId, this.clock(), trx)
      if (had) await this.credentials.notify(userId, 'two-step-reset', trx)
    })
    await this.sessions.endOthers(userId, keepSession)
  }

  async notify(userId: number, event: SecurityEvent): Promise<void> {
    await this.db.transaction((trx) => this.credentials.notify(userId, event, trx))
  }

  /** Remembers this browser for 30 days: returns the cookie's value (id, token and a signature). */
  async rememberBrowser(userId: number, userAgent: string | undefined): Promise<{ value: string; maxAgeMs: number }> {
    const token = newBrowserToken()
    const now = this.clock()
    const id = await this.repository.addBrowser({
      userId,
      tokenHash: this.keys.hash('browser', token),
      label: describeBrowser(userAgent),
      at: now,
      expiresAt: new Date(now.getTime() + rememberDays * 86_400_000),
    })
    const body = `${id}.${token}`
    return { value: `${body}.${this.sign(body)}`, maxAgeMs: rememberDays * 86_400_000 }
  }

  /** Whether the cookie is a live remembered browser of this account; its last use is recorded. */
  async recognisesBrowser(userId: number, cookie: string | undefined): Promise<boolean> {
    const match = /^(\d{1,10})\.([A-Za-z0-9_-]{43})\.([a-f0-9]{64})$/.exec(cookie ?? '')
    if (!match) return false
    const [, id, token, signature] = match
    const expected = Buffer.from(this.sign(`${id}.${token}`), 'hex')
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return false
    const row = await this.repository.browser(Number(id))
    const now = this.clock()
    if (!row || row.user_id !== userId || row.revoked_at || row.expires_at <= now) return false
    const hash = Buffer.from(this.keys.hash('browser', token), 'hex')
    if (!timingSafeEqual(hash, Buffer.from(row.token_hash, 'hex'))) return false
    await this.repository.touchBrowser(row.id, now)
    return true
  }

  async rememberedBrowsers(userId: number) {
    return (await this.repository.liveBrowsers(userId, this.clock())).map((row) => ({
      id: row.id,
      label: row.label,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
    }))
  }

  async forgetBrowsers(userId: number, id?: number): Promise<number> {
    return this.repository.revokeBrowsers(userId, this.clock(), id)
  }

  private sign(body: string): string {
    return createHmac('sha256', this.keys.hash('browser-cookie', 'signing-key')).update(body).digest('hex')
  }
}

/** a•••@example.com: enough for the member to know which address, not enough to read it off a shoulder. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@')
  if (!domain) return 'twoStep:yourEmailAddress'
  return `${local.slice(0, 1)}•••@${domain}`
}

export type { MethodRow }

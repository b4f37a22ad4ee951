import type { Clock } from '../platform/clock'
import { RuleBrokenError } from '../platform/errors'
import type { Language } from '../platform/i18n'
import type { SessionUser } from '../platform/session'
import { decoyPasswordHash, verifySecret } from './passwords'
import type { UserRepository } from './repository'
import { userIdKey } from './users'
import { accountFailureLimit, freeFailures, SignOnThrottle } from './throttle'

/** The one answer to a failed sign-on, whatever failed (a message key: the page reads it in its language). */
export const signOnFailure = 'accounts:signOn.failure'

/**
 * Thrown when a sign-on is refused: a wrong password or code, an unknown user ID or a locked account, all with
 * the one answer, so the page tells nothing about which (401).
 */
export class SignOnRefusedError extends RuleBrokenError {
  override readonly status = 401
  constructor() {
    super([{ field: 'userId', text: signOnFailure }])
  }
}

/** Thrown when the address has failed sign-on too often: nothing from it is checked until the block ends (429). */
export class AddressBlockedError extends RuleBrokenError {
  override readonly status = 429
  constructor(text = 'accounts:signOn.addressBlocked') {
    super([{ field: 'userId', text }])
  }
}

// The second step's page words the block in its own message file.
const secondStepAddressBlocked = 'twoStep:errors.addressBlocked'

export interface SignOnAttempt {
  userId: string
  password: string
  ip: string
  userAgent?: string
}

export function toSessionUser(user: {
  id: number
  user_id: string
  role: SessionUser['role']
  display_name: string
  member_id: number | null
}): SessionUser {
  return {
    id: user.id,
    userId: user.user_id,
    role: user.role,
    displayName: user.display_name,
    memberId: user.member_id,
  }
}

/**
 * Sign-on rules: one answer for a wrong password, an unknown user ID and a locked account; the password is
 * always checked (against a decoy when there is no account) so timing tells nothing either.
 */
export class SignOnService {
  constructor(
    private readonly users: UserRepository,
    private readonly throttle: SignOnThrottle,
    private readonly clock: Clock,
    private readonly delayBaseMs: number,
    private readonly temporaryPasswords: {
      signOnWithTemporaryPassword(userId: number, typed: string): Promise<boolean>
    },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * The password step: the account's user when the password (or a mailed temporary password) is right; otherwise
   * a `SignOnRefusedError`, or an `AddressBlockedError` when the address is blocked.
   */
  async signOn(attempt: SignOnAttempt): Promise<SessionUser> {
    if (await this.throttle.isAddressBlocked(attempt.ip)) throw new AddressBlockedError()
    const key = userIdKey(attempt.userId)
    const [locked, user] = await Promise.all([this.throttle.isAccountLocked(key), this.users.findByUserId(key)])
    const passwordMatches = await verifySecret(user?.password_hash ?? (await decoyPasswordHash()), attempt.password)
    const event = { at: this.clock(), ip: attempt.ip, userAgent: attempt.userAgent }

    if (user && !locked) {
      // The account's own password, or else a mailed temporary password, which then demands new credentials.
      const mustSetCredentials =
        !passwordMatches &&
        user.role === 'member' &&
        (await this.temporaryPasswords.signOnWithTemporaryPassword(user.id, attempt.password))
      // The failures are not cleared yet: only a finished sign-on (after any second step) clears them, so
      // the right password cannot buy more guesses at the code.
      if (passwordMatches || mustSetCredentials) {
        const sessionUser = toSessionUser(user)
        return mustSetCredentials ? { ...sessionUser, mustSetCredentials } : sessionUser
      }
    }
    if (locked) {
      if (user) await this.users.recordSignOnEvent({ ...event, userId: user.id, outcome: 'refused-locked' })
      throw new SignOnRefusedError()
    }
    const failures = await this.throttle.recordFailure(key, attempt.ip)
    if (user) await this.users.recordSignOnEvent({ ...event, userId: user.id, outcome: 'failed' })
    if (failures > freeFailures) await this.sleep(this.delayBaseMs * (failures - freeFailures))
    throw new SignOnRefusedError()
  }

  /** Both steps done (or the only one the account needs): the failures are forgotten and the method recorded. */
  /** Records a finished sign-on; gives the member's preferred language, which their pages then speak. */
  async finish(
    user: SessionUser,
    attempt: Omit<SignOnAttempt, 'password' | 'userId'>,
    method: string,
  ): Promise<Language> {
    await this.throttle.clearAccount(userIdKey(user.userId))
    await this.users.recordSignOnEvent({
      userId: user.id,
      at: this.clock(),
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      outcome: 'signed-on',
      method,
    })
    return this.users.preferredLanguageOf(user.id)
  }

  /**
   * Before a second step is even checked: an `AddressBlockedError` when the address is blocked, a
   * `SignOnRefusedError` when the account is locked.
   */
  async checkSecondStepAllowed(user: SessionUser, ip: string): Promise<void> {
    if (await this.throttle.isAddressBlocked(ip)) throw new AddressBlockedError(secondStepAddressBlocked)
    if (await this.throttle.isAccountLocked(userIdKey(user.userId))) throw new SignOnRefusedError()
  }

  /**
   * A wrong code counts as a failed sign-on of the account and the address, with the same growing delay and
   * lockout as a wrong password; a `SignOnRefusedError` when the account is now locked.
   */
  async secondStepFailed(
    user: SessionUser,
    attempt: Omit<SignOnAttempt, 'password' | 'userId'>,
    method: string,
  ): Promise<void> {
    const failures = await this.throttle.recordFailure(userIdKey(user.userId), attempt.ip)
    await this.users.recordSignOnEvent({
      userId: user.id,
      at: this.clock(),
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      outcome: 'failed-second-step',
      method,
    })
    if (failures > freeFailures) await this.sleep(this.delayBaseMs * (failures - freeFailures))
    if (failures >= accountFailureLimit) throw new SignOnRefusedError()
  }
}

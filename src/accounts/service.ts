import type { Clock } from '../platform/clock'
import type { SessionUser } from '../platform/session'
import { decoyPasswordHash, verifySecret } from './passwords'
import { UserRepository, userIdKey } from './repository'
import { freeFailures, SignOnThrottle } from './throttle'

export type SignOnResult =
  { outcome: 'signed-on'; user: SessionUser } | { outcome: 'refused' } | { outcome: 'address-blocked' }

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

  async signOn(attempt: SignOnAttempt): Promise<SignOnResult> {
    if (await this.throttle.isAddressBlocked(attempt.ip)) return { outcome: 'address-blocked' }
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
      if (passwordMatches || mustSetCredentials) {
        await this.throttle.clearAccount(key)
        await this.users.recordSignOnEvent({ ...event, userId: user.id, outcome: 'signed-on' })
        const sessionUser = toSessionUser(user)
        return { outcome: 'signed-on', user: mustSetCredentials ? { ...sessionUser, mustSetCredentials } : sessionUser }
      }
    }
    if (locked) {
      if (user) await this.users.recordSignOnEvent({ ...event, userId: user.id, outcome: 'refused-locked' })
      return { outcome: 'refused' }
    }
    const failures = await this.throttle.recordFailure(key, attempt.ip)
    if (user) await this.users.recordSignOnEvent({ ...event, userId: user.id, outcome: 'failed' })
    if (failures > freeFailures) await this.sleep(this.delayBaseMs * (failures - freeFailures))
    return { outcome: 'refused' }
  }
}

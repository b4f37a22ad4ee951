import type { Clock } from '../platform/clock'
import { hashLinkToken, looksLikeLinkToken } from '../platform/tokens'
import type { UserRepository } from './repository'

export type VerificationOutcome = 'verified' | 'invalid'

/** Email verification links: each works once, before it expires, and confirms exactly the address it was sent to. */
export class EmailVerificationService {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async verify(token: unknown): Promise<VerificationOutcome> {
    if (!looksLikeLinkToken(token)) return 'invalid'
    const now = this.clock()
    return this.users.transaction(async (trx) => {
      const row = await this.users.verificationForUpdate(hashLinkToken(token), trx)
      if (!row || row.verified_at || !row.expires_at || row.expires_at <= now) return 'invalid'
      await this.users.confirmVerification(row, now, trx)
      return 'verified'
    })
  }
}

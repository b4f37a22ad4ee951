import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { hashLinkToken, looksLikeLinkToken } from '../platform/tokens'

export type VerificationOutcome = 'verified' | 'invalid'

/** Email verification links: each works once, before it expires, and confirms exactly the address it was sent to. */
export class EmailVerificationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async verify(token: unknown): Promise<VerificationOutcome> {
    if (!looksLikeLinkToken(token)) return 'invalid'
    const now = this.clock()
    return this.db.transaction(async (trx) => {
      const row = await trx('email_verifications')
        .where({ token_hash: hashLinkToken(token) })
        .forUpdate()
        .first<{
          id: number
          user_id: number | null
          email: string
          purpose: string
          expires_at: Date | null
          verified_at: Date | null
        }>()
      if (!row || row.verified_at || !row.expires_at || row.expires_at <= now) return 'invalid'
      await trx('email_verifications').where({ id: row.id }).update({ verified_at: now })
      if (row.user_id !== null) {
        const user = trx('users').where({ id: row.user_id })
        // A change takes effect now; a registration address is confirmed only if the account still uses it.
        if (row.purpose === 'change') await user.update({ email: row.email, email_verified_at: now })
        else await user.andWhere({ email: row.email }).update({ email_verified_at: now })
      }
      return 'verified'
    })
  }
}

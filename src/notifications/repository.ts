import type { Db } from '../platform/db'

/** What the notification worker reads and records; web code reaches these rows through their own features. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  async findVerification(id: number) {
    // The language is the account's member's, once registration has tied the address to an account.
    return this.db('email_verifications as v')
      .leftJoin('users as u', 'u.id', 'v.user_id')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('v.id', id)
      .first<
        | {
            id: number
            email: string
            verified_at: Date | null
            user_id: number | null
            language: string | null
          }
        | undefined
      >('v.id', 'v.email', 'v.verified_at', 'v.user_id', 'm.preferred_language as language')
  }

  async setVerificationToken(id: number, tokenHash: string, expiresAt: Date, sentAt: Date) {
    await this.db('email_verifications')
      .where({ id })
      .update({ token_hash: tokenHash, expires_at: expiresAt, sent_at: sentAt })
  }

  async findReset(id: number) {
    return this.db('password_resets as r')
      .join('users as u', 'u.id', 'r.user_id')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('r.id', id)
      .first<{
        id: number
        user_id: number
        email: string | null
        used_at: Date | null
        expires_at: Date
        sent_at: Date | null
        language: string | null
      }>('r.id', 'r.user_id', 'u.email', 'r.used_at', 'r.expires_at', 'r.sent_at', 'm.preferred_language as language')
  }

  async setResetToken(id: number, tokenHash: string, sentAt: Date) {
    await this.db('password_resets').where({ id }).update({ token_hash: tokenHash, sent_at: sentAt })
  }

  async findUserContact(userId: number) {
    // A member's account reads their preferred language; a staff account has no member, so English.
    return this.db('users as u')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<{ id: number; user_id: string; email: string | null; language: string | null } | undefined>(
        'u.id',
        'u.user_id',
        'u.email',
        'm.preferred_language as language',
      )
  }
}

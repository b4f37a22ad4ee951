import type { Db } from '../platform/db'

/** What the notification worker reads and records; web code reaches these rows through their own features. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  async findVerification(id: number) {
    return this.db('email_verifications')
      .where({ id })
      .first<{ id: number; email: string; verified_at: Date | null; user_id: number | null }>()
  }

  async setVerificationToken(id: number, tokenHash: string, expiresAt: Date, sentAt: Date) {
    await this.db('email_verifications')
      .where({ id })
      .update({ token_hash: tokenHash, expires_at: expiresAt, sent_at: sentAt })
  }

  async findReset(id: number) {
    return this.db('password_resets as r').join('users as u', 'u.id', 'r.user_id').where('r.id', id).first<{
      id: number
      user_id: number
      email: string | null
      used_at: Date | null
      expires_at: Date
      sent_at: Date | null
    }>('r.id', 'r.user_id', 'u.email', 'r.used_at', 'r.expires_at', 'r.sent_at')
  }

  async setResetToken(id: number, tokenHash: string, sentAt: Date) {
    await this.db('password_resets').where({ id }).update({ token_hash: tokenHash, sent_at: sentAt })
  }

  async findUserContact(userId: number) {
    return this.db('users')
      .where({ id: userId })
      .first<{ id: number; user_id: string; email: string | null }>('id', 'user_id', 'email')
  }
}

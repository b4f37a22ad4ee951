import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { addToOutbox } from '../platform/outbox'
import type { CredentialService } from './credentials'
import type { UserRepository } from './repository'

/** A member's own account settings: what they see, and the email change that must be confirmed first. */
export class AccountSettingsService {
  constructor(
    private readonly db: Db,
    private readonly users: UserRepository,
    private readonly credentials: CredentialService,
    private readonly clock: Clock,
  ) {}

  async overview(userId: number) {
    const user = await this.db('users as u')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<{
        user_id: string
        email: string | null
        email_verified_at: Date | null
        password_changed_at: Date | null
        office_reply_emails: number | boolean
        member_id: number | null
        first_name: string | null
        last_name: string | null
      }>(
        'u.user_id',
        'u.email',
        'u.email_verified_at',
        'u.password_changed_at',
        'u.office_reply_emails',
        'u.member_id',
        'm.first_name',
        'm.last_name',
      )
    const pendingEmail = await this.db('email_verifications')
      .where({ user_id: userId, purpose: 'change' })
      .whereNull('verified_at')
      .where('created_at', '>', new Date(this.clock().getTime() - 24 * 3_600_000))
      .orderBy('id', 'desc')
      .first<{ email: string } | undefined>('email')
    const questions = await this.credentials.secretQuestionKeys(userId)
    const activity = await this.users.recentSignOnEvents(userId, 15)
    return { user, pendingEmail: pendingEmail?.email, questions, activity }
  }

  /** Whether the member is emailed when their doctor's office replies (the email never holds the message). */
  async setOfficeReplyEmails(userId: number, on: boolean): Promise<void> {
    await this.db('users').where({ id: userId, role: 'member' }).update({ office_reply_emails: on })
  }

  /**
   * The new address takes effect when its link is opened; meanwhile the old address is told, so a stolen
   * session cannot quietly move the account's email.
   */
  async requestEmailChange(userId: number, memberId: number, email: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const [verificationId] = await trx('email_verifications').insert({
        member_id: memberId,
        user_id: userId,
        email,
        purpose: 'change',
        created_at: this.clock(),
      })
      await addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'verify-email',
        payload: { verificationId: Number(verificationId) },
      })
      await this.credentials.notify(userId, 'email-change-requested', trx)
    })
  }
}

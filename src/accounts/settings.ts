import type { Clock } from '../platform/clock'
import { addToOutbox } from '../platform/outbox'
import type { CredentialService } from './credentials'
import type { UserRepository } from './repository'

/** A member's own account settings: what they see, and the email change that must be confirmed first. */
export class AccountSettingsService {
  constructor(
    private readonly users: UserRepository,
    private readonly credentials: CredentialService,
    private readonly clock: Clock,
  ) {}

  async overview(userId: number) {
    const user = await this.users.accountOverview(userId)
    const pendingEmail = await this.users.pendingEmailChange(userId, new Date(this.clock().getTime() - 24 * 3_600_000))
    const questions = await this.credentials.secretQuestionKeys(userId)
    const activity = await this.users.recentSignOnEvents(userId, 15)
    return { user, pendingEmail, questions, activity }
  }

  /** Whether the member is emailed when their doctor's office replies (the email never holds the message). */
  async setOfficeReplyEmails(userId: number, on: boolean): Promise<void> {
    await this.users.setOfficeReplyEmails(userId, on)
  }

  /**
   * The new address takes effect when its link is opened; meanwhile the old address is told, so a stolen
   * session cannot quietly move the account's email.
   */
  async requestEmailChange(userId: number, memberId: number, email: string): Promise<void> {
    await this.users.transaction(async (trx) => {
      const verificationId = await this.users.addEmailChange({ userId, memberId, email, at: this.clock() }, trx)
      await addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'verify-email',
        payload: { verificationId },
      })
      await this.credentials.notify(userId, 'email-change-requested', trx)
    })
  }
}

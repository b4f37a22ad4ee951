import { UnrecoverableError } from 'bullmq'
import type { Clock } from '../platform/clock'
import type { Composed, SentEmails } from '../platform/sent-emails'
import { newLinkToken } from '../platform/tokens'
import {
  passwordResetMessage,
  securityEvents,
  SecurityEvent,
  securityNoticeMessage,
  userIdReminderMessage,
  verifyEmailMessage,
} from './account-emails'
import { NotificationRepository } from './repository'

export const verificationValidHours = 24

export type AccountEmailJob =
  | { name: 'verify-email'; data: { verificationId: number } }
  | { name: 'user-id-reminder'; data: { userId: number } }
  | { name: 'password-reset'; data: { resetId: number } }
  | { name: 'security-notice'; data: { userId: number; event: SecurityEvent } }

/**
 * Sends account emails for the office-message-notifications queue. Link tokens are made here, at sending
 * time, and only their hashes are stored: a token never sits in the outbox or the queue.
 */
export class AccountEmailService {
  constructor(
    private readonly repository: NotificationRepository,
    private readonly sentEmails: SentEmails,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    /** Member Services' number (HELP_PHONE), which every email gives. */
    private readonly helpPhone: string,
  ) {}

  async send(job: { name: string; data: Record<string, unknown> }, jobKey: string): Promise<'sent' | 'skipped'> {
    return this.sentEmails.sendOnce(jobKey, job.name, () => this.compose(job))
  }

  /** The email a job asks for, with its link token issued now; undefined when there is nothing to send. */
  private async compose(job: { name: string; data: Record<string, unknown> }): Promise<Composed> {
    const now = this.clock()
    switch (job.name) {
      case 'verify-email': {
        const verification = await this.repository.findVerification(Number(job.data.verificationId))
        if (!verification || verification.verified_at) return undefined
        const { token, hash } = newLinkToken()
        const expiresAt = new Date(now.getTime() + verificationValidHours * 3_600_000)
        await this.repository.setVerificationToken(verification.id, hash, expiresAt, now)
        return {
          email: verifyEmailMessage(
            verification.email,
            this.link('/verify-email', token),
            verificationValidHours,
            this.helpPhone,
            verification.language,
          ),
          userId: verification.user_id,
        }
      }
      case 'user-id-reminder': {
        const user = await this.repository.findUserContact(Number(job.data.userId))
        if (!user?.email) return undefined
        return {
          email: userIdReminderMessage(
            user.email,
            user.user_id,
            `${this.publicUrl}/sign-on`,
            this.helpPhone,
            user.language,
          ),
          userId: user.id,
        }
      }
      case 'password-reset': {
        const reset = await this.repository.findReset(Number(job.data.resetId))
        if (!reset?.email || reset.used_at || reset.expires_at <= now) return undefined
        const { token, hash } = newLinkToken()
        await this.repository.setResetToken(reset.id, hash, now)
        return {
          email: passwordResetMessage(
            reset.email,
            this.link('/forgot-password/reset', token),
            this.helpPhone,
            reset.language,
          ),
          userId: reset.user_id,
        }
      }
      case 'security-notice': {
        const event = String(job.data.event)
        if (!(event in securityEvents)) throw new UnrecoverableError(`Unknown security event ${event}`)
        const user = await this.repository.findUserContact(Number(job.data.userId))
        if (!user?.email) return undefined
        return {
          email: securityNoticeMessage(user.email, event as SecurityEvent, now, this.helpPhone, user.language),
          userId: user.id,
        }
      }
      default:
        throw new UnrecoverableError(`Unknown email job ${job.name}`)
    }
  }

  private link(path: string, token: string): string {
    return `${this.publicUrl}${path}?token=${token}`
  }
}

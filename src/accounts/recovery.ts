import { randomInt } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Clock } from '../platform/clock'
import { RuleBrokenError } from '../platform/errors'
import { message } from '../platform/i18n'
import { addToOutbox } from '../platform/outbox'
import { FailureThrottle } from '../platform/throttle'
import { hashLinkToken, looksLikeLinkToken } from '../platform/tokens'
import type { CredentialService } from './credentials'
import type { UserRepository } from './repository'
import { userIdKey } from './users'
import type { SignOnThrottle } from './throttle'

export const resetValidMinutes = 60
// Per user ID for reset links, per membership for user-ID reminders: plenty for a person, no inbox flood.
export const recoveryEmailsPerHour = 3
export const resetAnswerAttempts = 3

/** Thrown when a secret answer is wrong and tries are left: the questions are asked again, saying how many. */
export class SecretAnswersWrongError extends RuleBrokenError {
  constructor(readonly triesLeft: number) {
    super([{ field: 'answer1', text: message('accounts:resetQuestions.wrong', { count: triesLeft }) }])
  }
}

/** Thrown when a reset link can no longer be used: used, expired, or ended by its last wrong answer (403). */
export class ResetEndedError extends Error {
  readonly status = 403
  constructor() {
    super('The reset link has ended')
  }
}

export interface OpenedReset {
  resetId: number
  userId: number
  questionKeys: string[]
}

/**
 * Forgot user ID and forgot password. Every request gets the same answer whether or not an account exists;
 * secret questions are only ever a second check after the emailed link, never a way in by themselves.
 */
export class RecoveryService {
  private readonly resetRequests: FailureThrottle
  private readonly userIdReminders: FailureThrottle

  constructor(
    private readonly users: UserRepository,
    private readonly credentials: CredentialService,
    private readonly signOnThrottle: SignOnThrottle,
    private readonly clock: Clock,
    throttles: { redis: Redis; prefix: string },
    private readonly temporaryPasswords: {
      requestLetter(userId: number, memberId: number, reason: 'recovery'): Promise<void>
    },
  ) {
    const perHour = (name: string) =>
      new FailureThrottle(throttles.redis, `${throttles.prefix}:${name}`, recoveryEmailsPerHour, 3600, 3600)
    this.resetRequests = perHour('reset-requests')
    this.userIdReminders = perHour('user-id-reminders')
  }

  /** Emails the user ID of the roster member's account, if it has one with an email address, up to the hourly cap. */
  async sendUserIdReminder(memberId: number): Promise<void> {
    const key = String(memberId)
    if (await this.userIdReminders.isBlocked(key)) return
    await this.userIdReminders.recordFailure(key)
    const userId = await this.users.accountOfMember(memberId, { withEmail: true })
    if (userId === undefined) return
    await this.users.transaction((trx) =>
      addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'user-id-reminder',
        payload: { userId },
      }),
    )
  }

  /** A temporary password by mail for the roster member's account, if it has one; earlier letters stop working. */
  async requestLetterByMail(memberId: number): Promise<void> {
    const userId = await this.users.accountOfMember(memberId, { role: 'member' })
    if (userId !== undefined) await this.temporaryPasswords.requestLetter(userId, memberId, 'recovery')
  }

  /** Starts a reset for a member account with an email: older links stop working, a new one is emailed. */
  async requestPasswordReset(userId: string): Promise<void> {
    const key = userIdKey(userId)
    if (await this.resetRequests.isBlocked(key)) return
    await this.resetRequests.recordFailure(key)
    const accountId = await this.users.memberWithEmailByKey(key)
    if (accountId === undefined) return
    const now = this.clock()
    await this.users.transaction(async (trx) => {
      const expiresAt = new Date(now.getTime() + resetValidMinutes * 60_000)
      const resetId = await this.users.startPasswordReset(accountId, now, expiresAt, trx)
      await addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'password-reset',
        payload: { resetId },
      })
    })
  }

  /** Checks a link's token; a live one picks two of the account's three secret questions to ask. */
  async openResetLink(token: unknown): Promise<OpenedReset | undefined> {
    if (!looksLikeLinkToken(token)) return undefined
    const reset = await this.liveReset({ tokenHash: hashLinkToken(token) })
    if (!reset) return undefined
    await this.users.updatePasswordReset(reset.id, { link_opened_at: this.clock() })
    const keys = await this.credentials.secretQuestionKeys(reset.user_id)
    // Secret questions are a second check only: without them there is no way through this link.
    if (keys.length < 3) return undefined
    const skipped = randomInt(keys.length)
    return {
      resetId: reset.id,
      userId: reset.user_id,
      questionKeys: keys.filter((_key, index) => index !== skipped).slice(0, 2),
    }
  }

  async isLive(resetId: number): Promise<boolean> {
    return Boolean(await this.liveReset({ id: resetId }))
  }

  /**
   * Both answers must match: a `SecretAnswersWrongError` when they do not, and the third wrong try ends the link
   * (a `ResetEndedError`, as for a link already used or expired).
   */
  async checkAnswers(opened: OpenedReset, answers: string[]): Promise<void> {
    const reset = await this.liveReset({ id: opened.resetId })
    if (!reset) throw new ResetEndedError()
    const results = await Promise.all(
      opened.questionKeys.map((key, index) =>
        this.credentials.checkSecretAnswer(opened.userId, key, answers[index] ?? ''),
      ),
    )
    if (results.every(Boolean)) {
      await this.users.updatePasswordReset(reset.id, { answers_passed_at: this.clock() })
      return
    }
    const failed = reset.failed_answers + 1
    const ended = failed >= resetAnswerAttempts
    await this.users.updatePasswordReset(reset.id, {
      failed_answers: failed,
      ...(ended ? { used_at: this.clock() } : {}),
    })
    if (ended) throw new ResetEndedError()
    throw new SecretAnswersWrongError(resetAnswerAttempts - failed)
  }

  /** Sets the new password once the answers passed; the link is used up and every session ends. */
  async completeReset(opened: OpenedReset, password: string): Promise<boolean> {
    if (!(await this.users.claimPasswordReset(opened.resetId, this.clock()))) return false
    await this.credentials.changePassword(opened.userId, password, 'password-reset')
    const key = await this.users.userIdKeyOf(opened.userId)
    if (key) await this.signOnThrottle.clearAccount(key)
    return true
  }

  async resetAccountContext(userId: number) {
    return this.users.resetAccountContext(userId)
  }

  private async liveReset(by: { tokenHash: string } | { id: number }) {
    const reset = await this.users.findPasswordReset(by)
    if (!reset || reset.used_at || reset.expires_at <= this.clock()) return undefined
    return reset
  }
}

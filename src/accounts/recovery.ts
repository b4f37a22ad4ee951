import { randomInt } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { addToOutbox } from '../platform/outbox'
import { FailureThrottle } from '../platform/throttle'
import { hashLinkToken, looksLikeLinkToken } from '../platform/tokens'
import type { CredentialService } from './credentials'
import { userIdKey } from './repository'
import type { SignOnThrottle } from './throttle'

export const resetValidMinutes = 60
// Per user ID for reset links, per membership for user-ID reminders: plenty for a person, no inbox flood.
export const recoveryEmailsPerHour = 3
export const resetAnswerAttempts = 3

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
    private readonly db: Db,
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
    const user = await this.db('users').where({ member_id: memberId }).whereNotNull('email').first('id')
    if (!user) return
    await this.db.transaction((trx) =>
      addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'user-id-reminder',
        payload: { userId: user.id },
      }),
    )
  }

  /** A temporary password by mail for the roster member's account, if it has one; earlier letters stop working. */
  async requestLetterByMail(memberId: number): Promise<void> {
    const user = await this.db('users').where({ member_id: memberId, role: 'member' }).first('id')
    if (user) await this.temporaryPasswords.requestLetter(user.id, memberId, 'recovery')
  }

  /** Starts a reset for a member account with an email: older links stop working, a new one is emailed. */
  async requestPasswordReset(userId: string): Promise<void> {
    const key = userIdKey(userId)
    if (await this.resetRequests.isBlocked(key)) return
    await this.resetRequests.recordFailure(key)
    const user = await this.db('users').where({ user_id_key: key, role: 'member' }).whereNotNull('email').first('id')
    if (!user) return
    const now = this.clock()
    await this.db.transaction(async (trx) => {
      await trx('password_resets').where({ user_id: user.id }).whereNull('used_at').update({ used_at: now })
      const [resetId] = await trx('password_resets').insert({
        user_id: user.id,
        created_at: now,
        expires_at: new Date(now.getTime() + resetValidMinutes * 60_000),
      })
      await addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'password-reset',
        payload: { resetId: Number(resetId) },
      })
    })
  }

  /** Checks a link's token; a live one picks two of the account's three secret questions to ask. */
  async openResetLink(token: unknown): Promise<OpenedReset | undefined> {
    if (!looksLikeLinkToken(token)) return undefined
    const reset = await this.liveReset(this.db('password_resets').where({ token_hash: hashLinkToken(token) }))
    if (!reset) return undefined
    await this.db('password_resets').where({ id: reset.id }).update({ link_opened_at: this.clock() })
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
    return Boolean(await this.liveReset(this.db('password_resets').where({ id: resetId })))
  }

  /** Both answers must match; the third wrong try ends the link. */
  async checkAnswers(
    opened: OpenedReset,
    answers: string[],
  ): Promise<{ outcome: 'passed' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'ended' }> {
    const reset = await this.liveReset(this.db('password_resets').where({ id: opened.resetId }))
    if (!reset) return { outcome: 'ended' }
    const results = await Promise.all(
      opened.questionKeys.map((key, index) =>
        this.credentials.checkSecretAnswer(opened.userId, key, answers[index] ?? ''),
      ),
    )
    if (results.every(Boolean)) {
      await this.db('password_resets').where({ id: reset.id }).update({ answers_passed_at: this.clock() })
      return { outcome: 'passed' }
    }
    const failed = reset.failed_answers + 1
    const ended = failed >= resetAnswerAttempts
    await this.db('password_resets')
      .where({ id: reset.id })
      .update({ failed_answers: failed, ...(ended ? { used_at: this.clock() } : {}) })
    return ended ? { outcome: 'ended' } : { outcome: 'wrong', triesLeft: resetAnswerAttempts - failed }
  }

  /** Sets the new password once the answers passed; the link is used up and every session ends. */
  async completeReset(opened: OpenedReset, password: string): Promise<boolean> {
    const claimed = await this.db('password_resets')
      .where({ id: opened.resetId })
      .whereNull('used_at')
      .whereNotNull('answers_passed_at')
      .where('expires_at', '>', this.clock())
      .update({ used_at: this.clock() })
    if (claimed !== 1) return false
    await this.credentials.changePassword(opened.userId, password, 'password-reset')
    const user = await this.db('users').where({ id: opened.userId }).first('user_id_key')
    if (user) await this.signOnThrottle.clearAccount(user.user_id_key)
    return true
  }

  async resetAccountContext(userId: number) {
    return this.db('users as u')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<{ user_id: string; first_name: string | null; last_name: string | null }>(
        'u.user_id',
        'm.first_name',
        'm.last_name',
      )
  }

  private async liveReset(query: ReturnType<Db>) {
    const reset = await query.first<{
      id: number
      user_id: number
      expires_at: Date
      used_at: Date | null
      failed_answers: number
    }>()
    if (!reset || reset.used_at || reset.expires_at <= this.clock()) return undefined
    return reset
  }
}

import type { Redis } from 'ioredis'
import type { Clock } from '../platform/clock'
import { addToOutbox } from '../platform/outbox'
import type { Queues } from '../platform/queues'
import type { SentEmails } from '../platform/sent-emails'
import { newMessageNotice } from './emails'
import type { MessageRepository } from './repository'
import { notificationQueue } from './service'

export interface NoticeSettings {
  /** The throttle's window: after an email, at most one more within it, sent at its end. */
  windowMs: number
  /** The first wait of the exponential backoff when SMTP fails. */
  retryDelayMs: number
  attempts: number
  publicUrl: string
  /** Member Services' number (HELP_PHONE), which every email gives. */
  helpPhone: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Emails a member that an office reply is waiting: a throttle, not a debounce. The first reply's notice goes
 * at once and opens a window (a Redis key with a TTL naming the reply that opened it); a reply inside the
 * window plans one follow-up for the window's end, which sends only if a reply after the first notice is still
 * unread then, and opens the next window. Each notice and follow-up is recorded once per reply
 * (`office_reply_notices`) with an outbox row, so a Redis that loses its data loses none (the relay puts them
 * back) and their job ids stay new after a restore from backup. Jobs carry ids only.
 */
export class OfficeReplyNotices {
  constructor(
    private readonly repository: MessageRepository,
    private readonly sentEmails: SentEmails,
    private readonly clock: Clock,
    private readonly queues: Queues,
    // The connection the queues use, for the window's key.
    private readonly redis: Redis,
    private readonly settings: NoticeSettings,
  ) {}

  async handle(job: { name: string; id?: string; data: Record<string, unknown> }): Promise<string> {
    switch (job.name) {
      case 'office-reply':
        return this.noticeFor(Number(job.data.messageId))
      // Jobs queued before notices were recorded carry the reply's ids: plan them the new way.
      case 'reply-notice':
      case 'reply-follow-up':
        if (job.data.noticeId === undefined && job.data.memberId !== undefined)
          return job.name === 'reply-notice'
            ? this.noticeFor(Number(job.data.messageId))
            : this.followUp(Number(job.data.memberId), Number(job.data.afterMessageId))
        return this.planned(job.name, job.data)
      default:
        throw new Error(`Unknown notice job ${job.name}`)
    }
  }

  private async planned(name: string, data: Record<string, unknown>): Promise<string> {
    switch (name) {
      case 'reply-notice': {
        const notice = await this.noticeOf(data)
        return notice ? this.send(notice.id, notice.memberId, notice.messageId) : 'no such notice'
      }
      case 'reply-follow-up': {
        const notice = await this.noticeOf(data)
        return notice ? this.followUp(notice.memberId, notice.messageId) : 'no such notice'
      }
      default:
        throw new Error(`Unknown notice job ${name}`)
    }
  }

  /** The notice a job is for (`{ noticeId }`). */
  private async noticeOf(data: Record<string, unknown>) {
    const id = Number(data.noticeId)
    const notice = Number.isInteger(id) && id > 0 ? await this.repository.notice(id) : undefined
    return notice && { id, ...notice }
  }

  private windowKey(memberId: number) {
    return this.queues.get(notificationQueue).toKey(`office-reply-window:${memberId}`)
  }

  /** An office reply (or the newest unread one at a window's end) asks for a notice. */
  private async noticeFor(messageId: number, tries = 3): Promise<string> {
    const message = await this.repository.officeMessage(messageId)
    if (!message) return 'no such reply'
    const key = this.windowKey(message.memberId)
    const opened = await this.redis.set(key, String(messageId), 'PX', this.settings.windowMs, 'NX')
    // The reply that opened the open window; this one when it opened it (or a repeat of this job did).
    const opener = opened ? messageId : Number(await this.redis.get(key))
    const retry = () => (tries > 1 ? this.noticeFor(messageId, tries - 1) : Promise.resolve('window closed'))
    // The window closed between the two calls: this reply opens the next one.
    if (!opener) return retry()
    if (opener === messageId) {
      await this.plan('notice', message.memberId, messageId)
      return 'notice queued'
    }
    // A window opened by a later reply covers this one.
    if (opener > messageId) return 'covered by the open window'
    const left = await this.redis.pttl(key)
    if (left <= 0) return retry()
    await this.plan('follow-up', message.memberId, opener, left)
    return 'follow-up at the window end'
  }

  /** Records the notice or follow-up with its outbox row, once per reply however often this runs. */
  private async plan(kind: 'notice' | 'follow-up', memberId: number, messageId: number, delayMs?: number) {
    await this.repository.recordNotice({ kind, memberId, messageId, at: this.clock() }, (trx, noticeId) =>
      addToOutbox(trx, this.clock, {
        queue: notificationQueue,
        jobName: kind === 'notice' ? 'reply-notice' : 'reply-follow-up',
        payload: { noticeId },
        options:
          kind === 'notice'
            ? {
                attempts: this.settings.attempts,
                backoff: { type: 'exponential', delay: this.settings.retryDelayMs },
              }
            : { delay: delayMs },
      }),
    )
  }

  /** At a window's end: a notice only if a reply after the window's first is still unread. */
  private async followUp(memberId: number, afterMessageId: number): Promise<string> {
    // A delayed job can wake a moment before Redis expires the window's key.
    const left = Math.max(0, await this.redis.pttl(this.windowKey(memberId)))
    if (left > 0) await sleep(Math.min(left + 20, 5_000))
    const newest = await this.repository.newestUnreadAfter(memberId, afterMessageId)
    if (newest === undefined) return 'read already'
    return this.noticeFor(newest)
  }

  /** The email itself, once per recipient even when the job is retried after an SMTP failure. */
  private async send(noticeId: number, memberId: number, messageId: number): Promise<string> {
    // Read in the meantime, with nothing newer waiting: there is nothing to tell.
    if ((await this.repository.newestUnreadAfter(memberId, messageId - 1)) === undefined) return 'read already'
    const recipients = await this.repository.noticeRecipients(memberId)
    for (const recipient of recipients) {
      await this.sentEmails.sendOnce(
        `office-reply-notice-${noticeId}-user-${recipient.id}`,
        'office-reply-notice',
        async () => ({
          email: newMessageNotice(
            recipient.email,
            `${this.settings.publicUrl}/sign-on`,
            this.settings.helpPhone,
            recipient.language,
          ),
          userId: recipient.id,
        }),
      )
    }
    return recipients.length > 0 ? 'sent' : 'no one to tell'
  }
}

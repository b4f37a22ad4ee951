import type { Redis } from 'ioredis'
import type { Clock } from '../platform/clock'
import type { Mailer } from '../platform/mail'
import type { Queues } from '../platform/queues'
import type { NotificationRepository } from '../notifications/repository'
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Emails a member that an office reply is waiting: a throttle, not a debounce. The first reply's notice goes
 * at once and opens a window (BullMQ deduplication with a TTL, kept in Redis); a reply inside the window
 * adds one delayed follow-up for the window's end (one per window, by its job id), which sends only if a
 * reply after the first notice is still unread then, and opens the next window. Everything lives in Redis
 * and MySQL, so a worker restart loses nothing. Jobs carry ids only.
 */
export class OfficeReplyNotices {
  constructor(
    private readonly repository: MessageRepository,
    private readonly sentEmails: NotificationRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly queues: Queues,
    // The connection the queues use, to read how long a window's deduplication key has left.
    private readonly redis: Redis,
    private readonly settings: NoticeSettings,
  ) {}

  async handle(job: { name: string; id?: string; data: Record<string, unknown> }): Promise<string> {
    switch (job.name) {
      case 'office-reply':
        return this.noticeFor(Number(job.data.messageId))
      case 'reply-notice':
        return this.send(String(job.id), Number(job.data.memberId), Number(job.data.messageId))
      case 'reply-follow-up':
        return this.followUp(Number(job.data.memberId), Number(job.data.afterMessageId))
      default:
        throw new Error(`Unknown notice job ${job.name}`)
    }
  }

  private get queue() {
    return this.queues.get(notificationQueue)
  }

  private windowId(memberId: number) {
    return `office-reply-window-${memberId}`
  }

  /** How long the member's window has left, in real milliseconds (0 when none is open). */
  private async windowLeftMs(memberId: number): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.queue.toKey(`de:${this.windowId(memberId)}`)))
  }

  /** An office reply (or the newest unread one at a window's end) asks for a notice. */
  private async noticeFor(messageId: number, tries = 3): Promise<string> {
    const message = await this.repository.officeMessage(messageId)
    if (!message) return 'no such reply'
    const jobId = `reply-notice-${messageId}`
    const added = await this.queue.add(
      'reply-notice',
      { memberId: message.memberId, messageId },
      {
        jobId,
        deduplication: { id: this.windowId(message.memberId), ttl: this.settings.windowMs },
        attempts: this.settings.attempts,
        backoff: { type: 'exponential', delay: this.settings.retryDelayMs },
      },
    )
    if (added.id === jobId) return 'notice queued'
    // A window is open: the notice that opened it covers every reply up to its own.
    const opener = Number(/^reply-notice-(\d+)$/.exec(added.id ?? '')?.[1])
    if (!(opener < messageId)) return 'covered by the open window'
    const left = await this.windowLeftMs(message.memberId)
    // The window closed between the two calls: this reply opens the next one.
    if (left === 0) return tries > 1 ? this.noticeFor(messageId, tries - 1) : 'window closed'
    await this.queue.add(
      'reply-follow-up',
      { memberId: message.memberId, afterMessageId: opener },
      { jobId: `reply-follow-up-${opener}`, delay: left },
    )
    return 'follow-up at the window end'
  }

  /** At a window's end: a notice only if a reply after the window's first is still unread. */
  private async followUp(memberId: number, afterMessageId: number): Promise<string> {
    // A delayed job can wake a moment before Redis expires the window's key.
    const left = await this.windowLeftMs(memberId)
    if (left > 0) await sleep(Math.min(left + 20, 5_000))
    const newest = await this.repository.newestUnreadAfter(memberId, afterMessageId)
    if (newest === undefined) return 'read already'
    return this.noticeFor(newest)
  }

  /** The email itself, once per recipient even when the job is retried after an SMTP failure. */
  private async send(jobKey: string, memberId: number, messageId: number): Promise<string> {
    // Read in the meantime, with nothing newer waiting: there is nothing to tell.
    if ((await this.repository.newestUnreadAfter(memberId, messageId - 1)) === undefined) return 'read already'
    const recipients = await this.repository.noticeRecipients(memberId)
    for (const recipient of recipients) {
      const key = `${jobKey}-user-${recipient.id}`
      if (await this.sentEmails.alreadySent(key)) continue
      await this.mailer.send(newMessageNotice(recipient.email, `${this.settings.publicUrl}/sign-on`))
      await this.sentEmails.recordSent(key, 'office-reply-notice', recipient.id, this.clock())
    }
    return recipients.length > 0 ? 'sent' : 'no one to tell'
  }
}

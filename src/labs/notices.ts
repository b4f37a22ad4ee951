import type { Redis } from 'ioredis'
import { childAccess } from '../viewing/rules'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import { translatorFor } from '../platform/i18n'
import { type Email, emailFooter } from '../platform/mail'
import type { Queues } from '../platform/queues'
import type { SentEmails } from '../platform/sent-emails'
import type { LabResultRepository } from './repository'
import { newResultJob } from './service'

export const newResultFollowUpJob = 'lab-result-follow-up'
export const newResultJobNames = [newResultJob, newResultFollowUpJob] as const

const notificationQueue = 'office-message-notifications'

/**
 * The only email about lab results: that one is in the record, never which test, its value or the doctor.
 * A parent gets the same words about their child's record. Written in the recipient's preferred language.
 */
export function newResultNotice(
  to: string,
  signOnUrl: string,
  forChild: boolean,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:newResult.subject'),
    text: `${t(forChild ? 'emails:newResult.child' : 'emails:newResult.yours', { signOnUrl })}\n\n${t('emails:footer.turnOff')}\n\n${emailFooter(t, helpPhone)}`,
  }
}

export interface NewResultNoticeSettings {
  /** After an email, at most one more within this window, sent at its end (the office replies' throttle). */
  windowMs: number
  publicUrl: string
  /** Member Services' number (HELP_PHONE), which every email gives. */
  helpPhone: string
  redisPrefix: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Emails a member when results are released: a fixed-window throttle, as for office replies. The first
 * release's email goes at once and opens a window (a Redis key with a TTL); a release inside the window adds one
 * delayed follow-up for the window's end (one per window, by its job id), which sends one email covering every
 * result released meanwhile and opens the next window. Each result is marked once an email covered it, so none
 * is announced twice; jobs carry ids only.
 */
export class NewResultNotices {
  constructor(
    private readonly results: LabResultRepository,
    private readonly sentEmails: SentEmails,
    private readonly clock: Clock,
    private readonly queues: Queues,
    private readonly redis: Redis,
    private readonly settings: NewResultNoticeSettings,
  ) {}

  async handle(job: { name: string; data: Record<string, unknown> }): Promise<string> {
    if (job.name === newResultJob) {
      const memberId = await this.results.memberOfResult(Number(job.data.resultId))
      return memberId === undefined ? 'no such result' : this.noticeFor(memberId)
    }
    if (job.name === newResultFollowUpJob) {
      const memberId = Number(job.data.memberId)
      // A delayed job can wake a moment before Redis expires the window's key.
      const left = await this.windowLeftMs(memberId)
      if (left > 0) await sleep(Math.min(left + 20, 5_000))
      return this.noticeFor(memberId)
    }
    throw new Error(`Unknown new-result job ${job.name}`)
  }

  private windowKey(memberId: number) {
    return `${this.settings.redisPrefix}:new-result-window:${memberId}`
  }

  private async windowLeftMs(memberId: number): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.windowKey(memberId)))
  }

  private async noticeFor(memberId: number, tries = 3): Promise<string> {
    const waiting = await this.results.awaitingNotice(memberId)
    if (waiting.length === 0) return 'nothing new'
    const opened = await this.redis.set(
      this.windowKey(memberId),
      String(waiting[0]),
      'PX',
      this.settings.windowMs,
      'NX',
    )
    if (opened === 'OK') return this.send(memberId, waiting)
    const left = await this.windowLeftMs(memberId)
    // The window closed between the two calls: this release opens the next one.
    if (left === 0) return tries > 1 ? this.noticeFor(memberId, tries - 1) : 'window closed'
    const windowOpener = await this.redis.get(this.windowKey(memberId))
    await this.queues.get(notificationQueue).add(
      newResultFollowUpJob,
      { memberId },
      {
        jobId: `lab-follow-up-${memberId}-${windowOpener ?? 'window'}`,
        delay: left,
        removeOnComplete: { age: 86_400 },
      },
    )
    return 'follow-up at the window end'
  }

  /** One email per recipient covering these results, even when the job is retried after an SMTP failure. */
  private async send(memberId: number, resultIds: number[]): Promise<string> {
    const targets = await this.results.noticeTargets(memberId)
    const today = planDate(this.clock())
    const isChild = targets.birthDate !== undefined && childAccess(targets.birthDate, today).kind === 'child'
    // A child under 12 has no account of their own: their parents with accounts hear instead.
    const recipients = isChild ? targets.guardians : targets.own
    // The first result's id names the email: a retry finds the same results not yet marked, so the same key.
    const key = `new-result-${resultIds[0]}`
    for (const recipient of recipients) {
      await this.sentEmails.sendOnce(`${key}-user-${recipient.id}`, 'new-result-notice', async () => ({
        email: newResultNotice(
          recipient.email,
          `${this.settings.publicUrl}/sign-on`,
          isChild,
          this.settings.helpPhone,
          recipient.language,
        ),
        userId: recipient.id,
      }))
    }
    await this.results.markNoticed(resultIds, this.clock())
    return recipients.length > 0 ? 'sent' : 'no one to tell'
  }
}

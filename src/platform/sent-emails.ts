import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Clock } from './clock'
import type { Db } from './db'
import type { Email, Mailer } from './mail'

/** What to send, and to whose account it is recorded; undefined when there is nothing to send. */
export type Composed = { email: Email; userId: number | null } | undefined

// How long the note that SMTP accepted a Message-ID is kept: longer than any job's retries take.
const acceptedNoteSeconds = 30 * 24 * 3600

/**
 * Sends an email at most once per key (`sent_emails.job_key`), whatever a job's retries, a crash or an outage
 * do. Its Message-ID is recorded in MySQL before the email is handed to SMTP; the moment the server accepts
 * it a note of that Message-ID goes to Redis, then MySQL records the acceptance. A retry after that moment
 * (MySQL was unreachable, or the worker died before recording) finds the note and does only the bookkeeping.
 * Only a crash between the server's acceptance and the note — a few microseconds — leaves the outcome unknown:
 * then the email goes again with the same Message-ID (a rare duplicate, never a loss).
 */
export class SentEmails {
  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    /** The right-hand side of every Message-ID: the portal's host name. */
    private readonly messageIdDomain: string,
  ) {}

  async alreadySent(key: string): Promise<boolean> {
    return Boolean(await this.db('sent_emails').where({ job_key: key }).whereNotNull('accepted_at').first('id'))
  }

  /**
   * Sends what `compose` returns under `key`, unless it went already; `compose` runs only when the email may
   * still have to go (it may issue a link token, which must not change once an email carrying it was sent).
   */
  async sendOnce(key: string, kind: string, compose: () => Promise<Composed>): Promise<'sent' | 'skipped'> {
    let row = await this.row(key)
    if (row?.accepted_at) return 'skipped'
    if (row?.message_id && (await this.redis.exists(this.acceptedKey(row.message_id)))) {
      await this.recordAccepted(row.id)
      return 'sent'
    }
    const composed = await compose()
    if (!composed) return 'skipped'
    if (!row) {
      await this.db('sent_emails')
        .insert({
          job_key: key,
          kind,
          user_id: composed.userId,
          sent_at: this.clock(),
          message_id: `<${randomUUID()}@${this.messageIdDomain}>`,
        })
        .onConflict('job_key')
        .ignore()
      row = await this.row(key)
      if (!row || row.accepted_at) return 'skipped'
    }
    const messageId = row.message_id ?? `<${randomUUID()}@${this.messageIdDomain}>`
    await this.mailer.send({ ...composed.email, messageId })
    await this.redis.set(this.acceptedKey(messageId), '1', 'EX', acceptedNoteSeconds)
    await this.recordAccepted(row.id)
    return 'sent'
  }

  private async row(key: string) {
    return this.db('sent_emails')
      .where({ job_key: key })
      .first<{ id: number; message_id: string | null; accepted_at: Date | null } | undefined>(
        'id',
        'message_id',
        'accepted_at',
      )
  }

  private async recordAccepted(id: number): Promise<void> {
    await this.db('sent_emails').where({ id }).whereNull('accepted_at').update({ accepted_at: this.clock() })
  }

  private acceptedKey(messageId: string): string {
    return `${this.redisPrefix}:email-accepted:${messageId}`
  }
}

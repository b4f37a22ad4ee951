import { type Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FamilyService } from '../src/family/service'
import type { OfficeReplyNotices } from '../src/messages/notices'
import type { AccountEmailService } from '../src/notifications/service'
import { dispatchJobs } from '../src/platform/jobs'

export const queueName = 'office-message-notifications' as const

/** A retried job's key: what the services record as sent, so it is sent once. */
const keyOf = (job: Job) => job.id ?? `${job.name}-${job.timestamp}`

/**
 * Emails to members: account emails, notices that the office replied (throttled, see `OfficeReplyNotices`)
 * and the notice that someone gave them access. Each job carries ids only; the services reload what they need
 * and record what they sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  notices: OfficeReplyNotices,
  family: Pick<FamilyService, 'sendGrantNotice'>,
): Worker {
  return new Worker(
    queueName,
    dispatchJobs(queueName, {
      'proxy-access-granted': (payload, job) => family.sendGrantNotice(Number(payload.grantId), keyOf(job)),
      'office-reply': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'reply-notice': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'reply-follow-up': (payload, job) => notices.handle({ name: job.name, id: job.id, data: payload }),
      'verify-email': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'user-id-reminder': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'password-reset': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
      'security-notice': (payload, job) => emails.send({ name: job.name, data: payload }, keyOf(job)),
    }),
    {
      connection,
      prefix,
      concurrency: 4,
    },
  )
}

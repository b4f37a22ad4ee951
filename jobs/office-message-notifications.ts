import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { noticeJobNames, OfficeReplyNotices } from '../src/messages/notices'
import type { AccountEmailService } from '../src/notifications/service'

export const queueName = 'office-message-notifications'

const noticeJobs: readonly string[] = noticeJobNames

/**
 * Emails to members: account emails, and notices that the office replied (throttled, see
 * `OfficeReplyNotices`). Each job carries ids only; the services reload what they need and record what they
 * sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  notices: OfficeReplyNotices,
): Worker {
  return new Worker(
    queueName,
    async (job) =>
      noticeJobs.includes(job.name)
        ? notices.handle({ name: job.name, id: job.id, data: job.data as Record<string, unknown> })
        : emails.send({ name: job.name, data: job.data }, job.id ?? `${job.name}-${job.timestamp}`),
    {
      connection,
      prefix,
      concurrency: 4,
    },
  )
}

import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { type FamilyService, grantNoticeJob } from '../src/family/service'
import type { AccountEmailService } from '../src/notifications/service'

export const queueName = 'office-message-notifications'

/**
 * Emails to members: account emails and the notice that someone gave them access; office-reply notices later.
 * Each job carries ids only; the service reloads what it needs and records what it sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  family: Pick<FamilyService, 'sendGrantNotice'>,
): Worker {
  return new Worker(
    queueName,
    async (job) => {
      const key = job.id ?? `${job.name}-${job.timestamp}`
      if (job.name === grantNoticeJob) return family.sendGrantNotice(Number(job.data.grantId), key)
      return emails.send({ name: job.name, data: job.data }, key)
    },
    {
      connection,
      prefix,
      concurrency: 4,
    },
  )
}

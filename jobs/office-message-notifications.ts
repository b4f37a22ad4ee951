import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { AccountEmailService } from '../src/notifications/service'

export const queueName = 'office-message-notifications'

/**
 * Emails to members: account emails now, office-reply notices later. Each job carries ids only; the
 * service reloads what it needs and records what it sent, so a retried job does not send twice.
 */
export function startNotificationWorker(connection: Redis, prefix: string, emails: AccountEmailService): Worker {
  return new Worker(
    queueName,
    async (job) => emails.send({ name: job.name, data: job.data }, job.id ?? `${job.name}-${job.timestamp}`),
    {
      connection,
      prefix,
      concurrency: 4,
    },
  )
}

import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { type FamilyService, grantNoticeJob } from '../src/family/service'
import { noticeJobNames, OfficeReplyNotices } from '../src/messages/notices'
import type { AccountEmailService } from '../src/notifications/service'
import { authorizationNoticeJob, type PriorAuthorizationService } from '../src/prior-authorizations/service'

export const queueName = 'office-message-notifications'

const noticeJobs: readonly string[] = noticeJobNames

/**
 * Emails to members: account emails, notices that the office replied (throttled, see `OfficeReplyNotices`)
 * the notice that someone gave them access, and the notice that a prior authorization changed. Each job carries ids only; the services reload what they need
 * and record what they sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  notices: OfficeReplyNotices,
  family: Pick<FamilyService, 'sendGrantNotice'>,
  priorAuthorizations: Pick<PriorAuthorizationService, 'sendChangeNotice'>,
): Worker {
  return new Worker(
    queueName,
    async (job) => {
      const key = job.id ?? `${job.name}-${job.timestamp}`
      if (job.name === grantNoticeJob) return family.sendGrantNotice(Number(job.data.grantId), key)
      if (job.name === authorizationNoticeJob)
        return priorAuthorizations.sendChangeNotice(Number(job.data.authorizationId), key)
      if (noticeJobs.includes(job.name))
        return notices.handle({ name: job.name, id: job.id, data: job.data as Record<string, unknown> })
      return emails.send({ name: job.name, data: job.data }, key)
    },
    {
      connection,
      prefix,
      concurrency: 4,
    },
  )
}

import { type Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { type FamilyService, grantNoticeJob } from '../src/family/service'
import { newResultJobNames, type NewResultNotices } from '../src/labs/notices'
import type { LabResultsService } from '../src/labs/service'
import { noticeJobNames, OfficeReplyNotices } from '../src/messages/notices'
import type { AccountEmailService } from '../src/notifications/service'

export const queueName = 'office-message-notifications'

const noticeJobs: readonly string[] = noticeJobNames
const resultJobs: readonly string[] = newResultJobNames
export const labReleaseSweepJob = 'lab-release-sweep'

/** Releases lab results whose time has come (a hold or a wait ended) every so often; idempotent at every start. */
export async function scheduleLabReleaseSweep(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    labReleaseSweepJob,
    { every: everyMs },
    { name: labReleaseSweepJob, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
}

/**
 * Emails to members: account emails, notices that the office replied (throttled, see `OfficeReplyNotices`),
 * that a lab result was released (throttled the same way, see `NewResultNotices`, after the release sweep) and
 * the notice that someone gave them access. Each job carries ids only; the services reload what they need
 * and record what they sent, so a retried job does not send twice.
 */
export function startNotificationWorker(
  connection: Redis,
  prefix: string,
  emails: AccountEmailService,
  notices: OfficeReplyNotices,
  family: Pick<FamilyService, 'sendGrantNotice'>,
  labs: { notices: NewResultNotices; results: Pick<LabResultsService, 'releaseDue'> },
): Worker {
  return new Worker(
    queueName,
    async (job) => {
      const key = job.id ?? `${job.name}-${job.timestamp}`
      if (job.name === grantNoticeJob) return family.sendGrantNotice(Number(job.data.grantId), key)
      if (job.name === labReleaseSweepJob) return `released ${await labs.results.releaseDue()}`
      if (resultJobs.includes(job.name))
        return labs.notices.handle({ name: job.name, data: job.data as Record<string, unknown> })
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

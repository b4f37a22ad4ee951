import { Queue, UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { AppointmentService } from '../src/appointments/service'
import { dispatchJobs, jobLockOptions } from '../src/platform/jobs'
import type { SentEmails } from '../src/platform/sent-emails'

export const queueName = 'appointment-reminders' as const

/**
 * Two kinds of job: `sweep` (from the job scheduler) records the reminders due now and queues one
 * `send-reminder` job each through the outbox; `send-reminder` carries only the reminder's id and reloads
 * the rest, so a retried or repeated job sends nothing twice.
 */
export function startAppointmentReminderWorker(
  connection: Redis,
  prefix: string,
  appointments: AppointmentService,
  sentEmails: SentEmails,
  lockMs: number,
): Worker {
  return new Worker(
    queueName,
    dispatchJobs(queueName, {
      sweep: () => appointments.sweepReminders(),
      'send-reminder': async (payload) => {
        const reminderId = Number(payload.reminderId)
        if (!Number.isInteger(reminderId) || reminderId < 1) throw new UnrecoverableError('No reminder id')
        return { outcome: await appointments.sendReminder(reminderId, sentEmails) }
      },
    }),
    { connection, prefix, concurrency: 4, ...jobLockOptions(lockMs) },
  )
}

/** The sweep every few minutes, registered (or updated) at every start; BullMQ keeps one scheduler per id. */
export async function scheduleReminderSweep(queue: Queue, everyMinutes: number): Promise<void> {
  await queue.upsertJobScheduler(
    'appointment-reminder-sweep',
    { every: everyMinutes * 60_000 },
    { name: 'sweep', opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
}

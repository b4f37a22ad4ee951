import type { Worker } from 'bullmq'
import { loadConfig } from '../src/config'
import {
  queueName as remindersQueue,
  scheduleReminderSweep,
  startAppointmentReminderWorker,
} from './appointment-reminders'
import { startNotificationWorker } from './office-message-notifications'
import { queueName as lettersQueue, scheduleLetterJobs, startLetterWorker } from './temp-password-letters'
import { OutboxRelay } from '../src/platform/outbox'
import { queueName as refillQueue, scheduleRefillJobs, startRefillWorker } from './refill-submission'
import { closeInfrastructure, createInfrastructure, createServices, Services } from '../src/services'

/**
 * Each queue's processor registers here as its feature lands. A worker is built per queue with its own
 * concurrency; all share the process's Redis connection settings and the queue prefix.
 */
export function startWorkers(services: Services): Worker[] {
  const { redis, queues, logger } = services
  const workers = [
    startNotificationWorker(redis, queues.prefix, services.accountEmails, services.officeReplyNotices, services.family),
    startLetterWorker(redis, queues.prefix, services.letterBatches, services.config.letters.retentionDays),
    startAppointmentReminderWorker(redis, queues.prefix, services.appointments, services.mailer),
    startRefillWorker(redis, queues.prefix, services.refillSubmissions, services.config.refills),
  ]
  for (const worker of workers) {
    worker.on('failed', (job, error) =>
      logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    )
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'))
  }
  return workers
}

/** The worker process: the outbox relay plus every queue's worker; SIGTERM lets current jobs finish. */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig()))
  const { logger, config } = services
  const relay = new OutboxRelay(services.db, services.queues, services.clock, logger)
  relay.start(config.outboxPollMs)
  const workers = startWorkers(services)
  await scheduleLetterJobs(services.queues.get(lettersQueue), config.letters.schedule, config.letters.timezone)
  await scheduleReminderSweep(services.queues.get(remindersQueue), config.appointments.sweepEveryMinutes)
  await scheduleRefillJobs(services.queues.get(refillQueue), config.refills.reconcileSchedule, config.letters.timezone)
  logger.info({ queues: workers.map((worker) => worker.name) }, 'worker started')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'worker shutting down: finishing current jobs')
    setTimeout(() => process.exit(1), 30_000).unref()
    await relay.stop()
    // close() waits for active jobs; jobs it cannot finish are released as stalled and picked up elsewhere.
    await Promise.all(workers.map((worker) => worker.close()))
    await closeInfrastructure(services)
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}

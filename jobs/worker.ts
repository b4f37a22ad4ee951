import { hostname } from 'node:os'
import type { Worker } from 'bullmq'
import { loadConfig } from '../src/config'
import {
  queueName as remindersQueue,
  scheduleReminderSweep,
  startAppointmentReminderWorker,
} from './appointment-reminders'
import {
  queueName as notificationQueue,
  scheduleLabReleaseSweep,
  startNotificationWorker,
} from './office-message-notifications'
import { queueName as lettersQueue, scheduleLetterJobs, startLetterWorker } from './temp-password-letters'
import { serveWorkerMetrics, WorkerMetrics } from '../src/ops/metrics'
import { OutboxCompletions, OutboxRelay } from '../src/platform/outbox'
import { warnUnlessNoEviction } from '../src/platform/redis'
import { keepSchedulers } from '../src/platform/schedulers'
import { queueName as refillQueue, scheduleRefillJobs, startRefillWorker } from './refill-submission'
import { closeInfrastructure, createInfrastructure, createServices, Services } from '../src/services'

/**
 * Each queue's processor registers here as its feature lands. A worker is built per queue with its own
 * concurrency; all share the process's Redis connection settings and the queue prefix. Every completed outbox
 * job finishes its outbox row (`completions`).
 */
export function startWorkers(
  services: Services,
  completions = new OutboxCompletions(services.db, services.clock, services.logger),
): Worker[] {
  const { redis, queues, logger } = services
  const workers = [
    startNotificationWorker(
      redis,
      queues.prefix,
      services.accountEmails,
      services.officeReplyNotices,
      services.family,
      {
        notices: services.newResultNotices,
        results: services.labs,
      },
      services.priorAuthorizations,
      services.config.jobLockMs,
    ),
    startLetterWorker(redis, queues.prefix, services.letterBatches, services.config.letters.retentionDays),
    startAppointmentReminderWorker(
      redis,
      queues.prefix,
      services.appointments,
      services.sentEmails,
      services.config.jobLockMs,
    ),
    startRefillWorker(redis, queues.prefix, services.refillSubmissions, {
      ...services.config.refills,
      lockMs: services.config.jobLockMs,
    }),
  ]
  for (const worker of workers) {
    // Shown on the dashboard as the job's "processed by": which host and process ran it.
    worker.opts.name = `${hostname()}:${process.pid}`
    completions.watch(worker)
    worker.on('failed', (job, error) =>
      logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    )
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'))
  }
  return workers
}

/**
 * The nightly and periodic jobs (each listed in `jobSchedulers`); upserting is idempotent, so it is safe at
 * every start, reconnect and check.
 */
export async function scheduleJobs(services: Services): Promise<void> {
  const { config, queues } = services
  await scheduleLetterJobs(queues.get(lettersQueue), config.letters.schedule, config.letters.timezone)
  await scheduleReminderSweep(queues.get(remindersQueue), config.appointments.sweepEveryMinutes)
  await scheduleLabReleaseSweep(queues.get(notificationQueue), config.labs.sweepEveryMs)
  await scheduleRefillJobs(queues.get(refillQueue), config.refills.reconcileSchedule, config.letters.timezone)
}

/** The worker process: the outbox relay plus every queue's worker; SIGTERM lets current jobs finish. */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig()))
  const { logger, config } = services
  void warnUnlessNoEviction(services.redis, logger)
  const relay = new OutboxRelay(services.db, services.queues, services.clock, logger)
  relay.start(config.outboxPollMs, config.outboxRecheckSeconds * 1000)
  const completions = new OutboxCompletions(services.db, services.clock, logger)
  const workers = startWorkers(services, completions)
  await scheduleJobs(services)
  // A Redis that came back empty has lost the schedulers too: register them again whenever it reconnects.
  services.redis.on('ready', () => {
    scheduleJobs(services).catch((error: unknown) => logger.warn({ err: error }, 'could not register the schedulers'))
  })
  // A Redis flushed under a live connection (or failed over to a replica without them) never reconnects:
  // check for them every few seconds too.
  const stopKeepingSchedulers = keepSchedulers(
    services.queues,
    () => scheduleJobs(services),
    logger,
    config.schedulerCheckSeconds * 1000,
  )
  const metrics = new WorkerMetrics()
  for (const worker of workers) metrics.watch(worker)
  const metricsServer =
    config.workerMetricsPort === undefined
      ? undefined
      : await serveWorkerMetrics(metrics, config.workerMetricsPort, config.metricsToken)
  logger.info({ queues: workers.map((worker) => worker.name) }, 'worker started')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'worker shutting down: finishing current jobs')
    setTimeout(() => process.exit(1), 30_000).unref()
    stopKeepingSchedulers()
    await relay.stop()
    // close() waits for active jobs; jobs it cannot finish are released as stalled and picked up elsewhere.
    await Promise.all(workers.map((worker) => worker.close()))
    await completions.flush()
    metricsServer?.close()
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

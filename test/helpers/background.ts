import type { Worker } from 'bullmq'
import { startWorkers } from '../../jobs/worker'
import { CaughtEmail, MailCatcher, startMailCatcher } from '../../src/devtools/mail-catcher'
import type { Clock } from '../../src/platform/clock'
import { createMailer } from '../../src/platform/mail'
import { OutboxRelay } from '../../src/platform/outbox'
import type { Services } from '../../src/services'
import type { Express } from 'express'
import { buildApp, closeServices, resetWithDemoPlan, testServices } from './app'

export interface Background {
  services: Services
  mail: MailCatcher
  /** Waits until every outbox row is queued and every queued job is finished, then forgets caught mail. */
  settle(): Promise<void>
  /** Closes every worker (as a stopped worker process would), waits for `meanwhile`, then starts them anew. */
  restartWorkers(meanwhile?: () => Promise<void>): Promise<void>
  stop(): Promise<void>
}

/**
 * Services wired to a real SMTP server on loopback, with the outbox relay and every real BullMQ worker
 * running in this process: what the worker process does, seen from a test.
 */
export async function startServicesWithBackground(options: { clock?: Clock } = {}): Promise<Background> {
  const mail = await startMailCatcher()
  const services = testServices({
    clock: options.clock,
    mailer: createMailer(`smtp://127.0.0.1:${mail.port}`, 'Member Portal <no-reply@memberportal.example>'),
  })
  const relay = new OutboxRelay(services.db, services.queues, services.clock, services.logger)
  relay.start(services.config.outboxPollMs)
  let workers: Worker[] = startWorkers(services)
  return {
    services,
    mail,
    async settle() {
      for (let i = 0; i < 200; i++) {
        const pending = await services.db('outbox').whereNull('enqueued_at').count<{ n: number }[]>({ n: '*' })
        const counts = await Promise.all(
          services.queues.all().map((queue) => queue.getJobCounts('waiting', 'active', 'delayed')),
        )
        const busy = counts.reduce(
          (sum, count) => sum + (count.waiting ?? 0) + (count.active ?? 0) + (count.delayed ?? 0),
          0,
        )
        if (Number(pending[0].n) === 0 && busy === 0) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      mail.messages.length = 0
    },
    async restartWorkers(meanwhile) {
      await Promise.all(workers.map((worker) => worker.close()))
      await meanwhile?.()
      workers = startWorkers(services)
    },
    async stop() {
      await relay.stop()
      await Promise.all(workers.map((worker) => worker.close()))
      await mail.close()
    },
  }
}

/** The first link in an email's text that starts with the given path. */
export function linkIn(email: CaughtEmail, path: string): string {
  const match = email.text.match(new RegExp(`https?://[^\\s]+${path.replace(/[/]/g, '\\/')}\\?token=[A-Za-z0-9_-]+`))
  if (!match) throw new Error(`No ${path} link in: ${email.text}`)
  return match[0]
}

/** The path and query of a link, for supertest. */
export function localPart(link: string): string {
  const url = new URL(link)
  return url.pathname + url.search
}

export interface BackgroundContext {
  background: Background
  app: Express
}

/**
 * Integration tests' shared set-up, as mocha hooks: services with the real workers and SMTP server, the app,
 * and before each test the clock at `startAt`, a settled queue and fresh demo data, then the test file's own
 * `prepare`.
 */
export function useBackground(
  options: { clock?: Clock & { set(at: Date): void }; startAt?: Date; prepare?: () => Promise<void> } = {},
): BackgroundContext {
  const context = {} as BackgroundContext
  before(async () => {
    context.background = await startServicesWithBackground({ clock: options.clock })
    context.app = buildApp(context.background.services)
  })
  beforeEach(async () => {
    // Each test starts at the same moment, before the demo data is loaded relative to it.
    if (options.startAt) options.clock?.set(options.startAt)
    await context.background.settle()
    await resetWithDemoPlan(context.background.services)
    await options.prepare?.()
  })
  after(async () => {
    await context.background.stop()
    await closeServices(context.background.services)
  })
  return context
}

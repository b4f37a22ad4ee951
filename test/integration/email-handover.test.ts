import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { startMailCatcher, type MailCatcher } from '../../src/devtools/mail-catcher'
import { addToOutbox } from '../../src/platform/outbox'
import { createDb } from '../../src/platform/db'
import { createLogger } from '../../src/platform/logger'
import { OutboxRelay } from '../../src/platform/outbox'
import { createMailer } from '../../src/platform/mail'
import { createInfrastructure, createServices, type Services } from '../../src/services'
import { startWorkers } from '../../jobs/worker'
import { closeServices, resetWithDemoPlan, testServices } from '../helpers/app'
import { startCuttableProxy, type CuttableProxy } from '../helpers/outages'
import { waitUntil } from '../helpers/pharmacy'
import { spawnEntry } from '../helpers/processes'
import { loadConfig } from '../../src/config'
import { userIdOf } from '../helpers/records'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * An email the mail server accepted must not go again because what came after failed: the worker killed before
 * it recorded the email, or MySQL unreachable when it tried. Real SMTP (the catcher), a real worker process
 * killed with SIGKILL, and MySQL behind a TCP relay the test freezes or cuts the moment the server takes the email.
 */
describe('an email the mail server accepted', function () {
  this.timeout(180_000)
  const services = testServices()
  let mail: MailCatcher
  let proxy: CuttableProxy
  // What to do the moment the server has the message, before it answers "250 accepted".
  let onAccept: (() => void) | undefined
  const proxiedDatabaseUrl = () => {
    const url = new URL(services.config.databaseUrl)
    url.host = proxy.url
    return url.toString()
  }
  // The security notice the test asks for (a sweep of the demo plan may remind Alex of an appointment too).
  const toAlex = () =>
    mail.messages.filter(
      (email) =>
        email.to.includes('alex.rivera@example.com') && email.subject === 'A change to your Member Portal account',
    )
  const securityNotice = async () =>
    addToOutbox(services.db, services.clock, {
      queue: 'office-message-notifications',
      jobName: 'security-notice',
      payload: { userId: await userIdOf(services.db, 'alex.rivera'), event: 'password-changed' },
    })

  before(async () => {
    mail = await startMailCatcher({ onMessage: () => onAccept?.() })
    const database = new URL(services.config.databaseUrl)
    proxy = await startCuttableProxy({ host: database.hostname, port: Number(database.port || 3306) })
  })
  beforeEach(async () => {
    onAccept = undefined
    proxy.thaw()
    await resetWithDemoPlan(services)
    mail.messages.length = 0
  })
  after(async () => {
    // The worker processes registered their schedulers in the test's Redis: left behind, they would fire later.
    for (const queue of services.queues.all()) await queue.obliterate({ force: true })
    proxy.thaw()
    await proxy.close()
    await mail.close()
    await closeServices(services)
  })

  it('is not sent again when the worker is killed after the server took it, before it was recorded', async () => {
    const startWorker = (databaseUrl: string): ChildProcess =>
      spawnEntry('jobs/worker.ts', services.clock, {
        // A short lock, so the second worker takes the killed one's job over in seconds rather than 30.
        env: { DATABASE_URL: databaseUrl, SMTP_URL: `smtp://127.0.0.1:${mail.port}`, JOB_LOCK_MS: '2000' },
      })
    // The first worker reaches MySQL through the relay, which freezes as the server takes the email.
    onAccept = () => proxy.freeze()
    const first = startWorker(proxiedDatabaseUrl())
    let second: ChildProcess | undefined
    try {
      await securityNotice()
      await waitUntil('the mail server to take the email', () => toAlex().length === 1, 30_000)
      // The worker has its "250" and is waiting on MySQL to record it: kill it there.
      await sleep(1_000)
      const exited = once(first, 'exit')
      first.kill('SIGKILL')
      await exited
      onAccept = undefined
      // Its connections close; what it sent while MySQL was frozen is lost with them.
      await sleep(500)
      proxy.thaw()

      // Another worker takes the stalled job over once its lock lapses and finishes the bookkeeping.
      second = startWorker(services.config.databaseUrl)
      await waitUntil(
        'the email to be recorded as sent',
        async () =>
          Boolean(
            await services.db('sent_emails').where({ kind: 'security-notice' }).whereNotNull('accepted_at').first('id'),
          ),
        90_000,
      )
      await sleep(1_000)
      assert.equal(
        toAlex().length,
        1,
        `the email went once: ${toAlex().map((email) => `${email.subject} ${email.messageId}`)}`,
      )
      const row = await services.db('sent_emails').where({ kind: 'security-notice' }).first('message_id')
      assert.equal(row.message_id, toAlex()[0].messageId, 'the record holds the Message-ID the server took')
    } finally {
      first.kill('SIGKILL')
      second?.kill('SIGTERM')
      if (second && second.exitCode === null) await once(second, 'exit')
    }
  })

  it('is not sent again when MySQL is unreachable as the server takes it: only the bookkeeping is retried', async () => {
    // The worker, in this process, with its database behind the relay, which is cut as the server takes the email.
    let worker: Services | undefined
    const catcherMailer = createMailer(`smtp://127.0.0.1:${mail.port}`, 'Member Portal <no-reply@memberportal.example>')
    worker = createServices(
      createInfrastructure(loadConfig(), {
        db: createDb(proxiedDatabaseUrl(), createLogger('silent'), undefined, 2_000, 2_000),
        mailer: catcherMailer,
      }),
    )
    const relay = new OutboxRelay(worker.db, worker.queues, worker.clock, worker.logger)
    relay.start(worker.config.outboxPollMs)
    const workers = startWorkers(worker)
    try {
      onAccept = () => {
        onAccept = undefined
        void proxy.cut().then(() => setTimeout(() => void proxy.restore(), 3_000))
      }
      await securityNotice()
      await waitUntil(
        'the email to be recorded as sent',
        async () =>
          Boolean(
            await services.db('sent_emails').where({ kind: 'security-notice' }).whereNotNull('accepted_at').first('id'),
          ),
        60_000,
      )
      await sleep(1_000)
      assert.equal(toAlex().length, 1, 'the email went once')
    } finally {
      await relay.stop()
      await Promise.all(workers.map((w) => w.close()))
      await closeServices(worker)
      worker = undefined
    }
  })
})

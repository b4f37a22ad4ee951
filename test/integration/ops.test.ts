import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import type { Express } from 'express'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { UnrecoverableError, Worker } from 'bullmq'
import supertest from 'supertest'
import { loadConfig } from '../../src/config'
import { scheduleJobs } from '../../jobs/worker'
import { serveWorkerMetrics, WorkerMetrics } from '../../src/ops/metrics'
import { queueNames } from '../../src/platform/queues'
import { addToOutbox } from '../../src/platform/outbox'
import { createRedis } from '../../src/platform/redis'
import { createServices, createInfrastructure, Services } from '../../src/services'
import { Agent, buildApp, closeServices, pageText, resetWithDemoPlan, signedOnAgent, titleOf } from '../helpers/app'

describe('the ops area', () => {
  const metricsToken = 'a-metrics-token-for-the-tests-only-0123456789'
  let services: Services
  let app: Express
  let ops: Agent

  before(async () => {
    services = createServices(createInfrastructure({ ...loadConfig(), metricsToken }))
    app = buildApp(services)
  })
  beforeEach(async () => {
    await resetWithDemoPlan(services)
    ops = await signedOnAgent(app, 'ops.admin')
  })
  after(() => closeServices(services))

  /** A job that really failed in a worker (every attempt), with the given error message. */
  async function failedJob(queueName: string, data: Record<string, number>, message: string) {
    const queue = services.queues.get(queueName)
    const job = await queue.add('security-notice', data, { attempts: 1 })
    const connection = createRedis(services.config.redisUrl)
    const worker = new Worker(
      queueName,
      async () => {
        throw new Error(message)
      },
      { connection, prefix: services.queues.prefix },
    )
    try {
      for (let i = 0; i < 200 && (await job.getState()) !== 'failed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    } finally {
      await worker.close()
      connection.disconnect()
    }
    assert.equal(await job.getState(), 'failed')
    return job
  }

  const staticScript = fs
    .readdirSync(path.join(require.resolve('@bull-board/ui/package.json'), '..', 'dist', 'static', 'js'))
    .find((name) => name.startsWith('main.') && name.endsWith('.js'))!
  const dashboardPaths = [
    '/ops/queues',
    '/ops/queues/queue/refill-submission',
    '/ops/queues/api/queues',
    '/ops/queues/api/redis/stats',
    `/ops/queues/static/js/${staticScript}`,
  ]

  describe('the queue dashboard', () => {
    it('sends a signed-out visitor to sign on from every dashboard path', async () => {
      for (const address of dashboardPaths) {
        const response = await supertest(app).get(address).expect(303)
        assert.equal(response.headers.location, '/sign-on', address)
      }
    })

    it('refuses members, office and mailroom staff on every dashboard path, its API and static files', async () => {
      for (const userId of ['alex.rivera', 'office.nurse', 'mailroom.clerk']) {
        const agent = await signedOnAgent(app, userId)
        for (const address of dashboardPaths) {
          const response = await agent.get(address)
          assert.equal(response.status, 403, `${userId} ${address}`)
          assert.equal(titleOf(response.text), 'You cannot open this page – Member Portal')
        }
        await agent.put('/ops/queues/api/queues/refill-submission/retry/failed').expect(403)
        await agent.put('/ops/queues/api/queues/pause').expect(403)
      }
    })

    it('shows ops every queue', async () => {
      const page = await ops.get('/ops/queues').set('If-None-Match', 'W/"kept-copy"').expect(200)
      assert.equal(page.headers.etag, undefined, 'a page of the dashboard is never revalidated')
      assert.match(String(page.headers['cache-control']), /no-store/)
      assert.match(page.text, /<div id="root">/)
      const api = await ops.get('/ops/queues/api/queues').expect(200)
      assert.deepEqual(api.body.queues.map((queue: { name: string }) => queue.name).sort(), [...queueNames].sort())
      await ops.get(`/ops/queues/static/js/${staticScript}`).expect(200)
    })

    it('relaxes the content security policy for the dashboard only, and never for scripts', async () => {
      const dashboard = await ops.get('/ops/queues').expect(200)
      const relaxed = String(dashboard.headers['content-security-policy'])
      assert.match(relaxed, /style-src 'self' 'unsafe-inline'/)
      assert.match(relaxed, /script-src 'self';/)
      for (const address of ['/ops', '/sign-on', '/ops/queuesx']) {
        const response = await ops.get(address)
        const policy = String(response.headers['content-security-policy'])
        assert.match(policy, /style-src 'self';/, address)
        assert.doesNotMatch(policy, /unsafe-inline/, address)
      }
    })

    it('hides job data, return values and error text that are not ids', async () => {
      const queue = services.queues.get('office-message-notifications')
      // A job that broke the ids-only rule (added straight to Redis, as no portal code can).
      await queue.add('security-notice', { userId: 42, email: 'alex.rivera@example.com', name: 'Alex Rivera' })
      const failed = await queue.add('security-notice', { userId: 43 }, { attempts: 1 })
      await failed
        .moveToFailed(new Error("insert into sent_emails values ('alex.rivera@example.com', 'LDL 162')"), '0', false)
        .catch(() => undefined)
      const seen = []
      for (const status of ['latest', 'waiting', 'failed']) {
        const response = await ops
          .get(`/ops/queues/api/queues?activeQueue=office-message-notifications&status=${status}&page=1`)
          .expect(200)
        seen.push(JSON.stringify(response.body))
      }
      const jobs = (await queue.getJobs(['waiting', 'failed', 'active'])).map((job) => job.id)
      for (const id of jobs) {
        seen.push(JSON.stringify((await ops.get(`/ops/queues/api/queues/office-message-notifications/${id}`)).body))
      }
      const text = seen.join('\n')
      assert.match(text, /"userId":42/, 'ids are shown')
      assert.doesNotMatch(text, /alex\.rivera@example\.com|Alex Rivera|LDL 162/)
      assert.match(text, /insert into sent_emails values \('\[hidden\]'/, 'the kind of error stays')
    })

    it('lets ops retry and remove a failed job, and nothing that bypasses the outbox', async () => {
      const queue = services.queues.get('office-message-notifications')
      const job = await failedJob('office-message-notifications', { userId: 44 }, 'smtp down')
      await ops.put(`/ops/queues/api/queues/office-message-notifications/${job.id}/retry`).expect(204)
      assert.equal(await queue.getJob(job.id!).then((again) => again?.getState()), 'waiting')
      await ops.put(`/ops/queues/api/queues/office-message-notifications/${job.id}/clean`).expect(204)
      assert.equal(await queue.getJob(job.id!), undefined)

      await ops
        .post('/ops/queues/api/queues/office-message-notifications/add')
        .send({ name: 'security-notice', data: { userId: 1 } })
        .expect(403)
      await ops.put('/ops/queues/api/queues/office-message-notifications/obliterate').expect(403)
      await ops.put('/ops/queues/api/queues/office-message-notifications/empty').expect(403)
    })

    it('refuses every spelling of every action that bypasses the outbox, by every method', async () => {
      const queueName = 'office-message-notifications'
      const queue = services.queues.get(queueName)
      const job = await queue.add('security-notice', { userId: 45 })
      const actions = [
        { action: 'add', under: `/ops/queues/api/queues/${queueName}` },
        { action: 'empty', under: `/ops/queues/api/queues/${queueName}` },
        { action: 'obliterate', under: `/ops/queues/api/queues/${queueName}` },
        { action: 'update-data', under: `/ops/queues/api/queues/${queueName}/${job.id}` },
      ]
      // Express matches paths in any case, with or without a trailing slash, and decodes each parameter.
      const spellings = (action: string, under: string) => [
        `${under}/${action}`,
        `${under}/${action.toUpperCase()}`,
        `${under}/${action[0].toUpperCase()}${action.slice(1)}`,
        `${under}/${action}/`,
        `${under}/${action.toUpperCase()}/`,
        `${under}/%${action.charCodeAt(0).toString(16)}${action.slice(1)}`,
        `${under.replace('/ops/queues/api/queues/', '/OPS/Queues/API/QUEUES/').replace('-', '%2D')}/${action}`,
      ]
      for (const { action, under } of actions) {
        for (const address of spellings(action, under)) {
          for (const method of ['post', 'put', 'patch', 'delete'] as const) {
            const response = await ops[method](address).send({ name: 'security-notice', data: { userId: 1 } })
            assert.equal(response.status, 403, `${method.toUpperCase()} ${address}`)
          }
        }
      }
      assert.deepEqual(
        (await queue.getJobs(['waiting', 'delayed'])).map((each) => [each.id, each.data]),
        [[job.id, { userId: 45 }]],
        'no job added, none changed, the queue neither emptied nor destroyed',
      )
    })

    it('lets ops retry and remove a job however the address is spelled', async () => {
      const queue = services.queues.get('office-message-notifications')
      const job = await failedJob('office-message-notifications', { userId: 46 }, 'smtp down')
      await ops.put(`/ops/queues/api/queues/office-message-notifications/${job.id}/RETRY/`).expect(204)
      assert.equal(await queue.getJob(job.id!).then((again) => again?.getState()), 'waiting')
      await ops.put(`/ops/Queues/api/queues/office-message-notifications/${job.id}/Clean`).expect(204)
      assert.equal(await queue.getJob(job.id!), undefined)
    })

    it('refuses a change whose Origin is not a web address with 403, not an error', async () => {
      for (const origin of ['null', 'x', 'http://', '://', ' ']) {
        const response = await ops.put('/ops/queues/api/queues/pause').set('Origin', origin)
        assert.equal(response.status, 403, origin)
      }
      assert.equal(await services.queues.get('refill-submission').isPaused(), false)
    })

    it('refuses a change sent from another site', async () => {
      await ops.put('/ops/queues/api/queues/pause').set('Origin', 'https://attacker.example').expect(403)
      await ops.put('/ops/queues/api/queues/pause').set('Sec-Fetch-Site', 'cross-site').expect(403)
      await ops.put('/ops/queues/api/queues/pause').set('Sec-Fetch-Site', 'same-origin').expect(200)
      await ops.put('/ops/queues/api/queues/resume').set('Sec-Fetch-Site', 'same-origin').expect(200)
    })
  })

  describe('the summary page', () => {
    it('shows each queue, stalled jobs, the outbox, the last letter batch and the links, without script', async () => {
      await services.queues.get('refill-submission').add('submit', { refillRequestId: 1 })
      await services.db.transaction((trx) =>
        addToOutbox(trx, services.clock, {
          queue: 'refill-submission',
          jobName: 'submit',
          payload: { refillRequestId: 2 },
        }),
      )
      const page = await ops.get('/ops').expect(200)
      assert.equal(titleOf(page.text), 'Operations – Member Portal')
      const text = pageText(page.text)
      assert.match(text, /refill-submission ?1 ?(\d+ seconds?|less than a second) ?0 ?0 ?0 ?0 ?0/)
      assert.match(text, /1 request waiting to be queued, the oldest since/)
      assert.match(text, /0 queued and not finished yet/)
      assert.match(text, /No letter batch has run yet/)
      assert.match(page.text, /href="\/ops\/queues"/)
      assert.match(page.text, /href="\/readyz"/)
      assert.doesNotMatch(page.text, /<script(?![^>]*session-timeout)/)
    })

    it('shows job schedulers missing from Redis as a problem, until a worker registers them', async () => {
      // The test's Redis was just emptied, as a flushed or failed-over Redis would be.
      const page = await ops.get('/ops').expect(200)
      const text = pageText(page.text)
      assert.match(text, /Problem: job schedulers are missing/)
      assert.match(text, /Redis does not hold 4 of the job schedulers/)
      assert.match(text, /temp-password-letters\/nightly-letter-batch/)
      assert.match(text, /appointment-reminders\/appointment-reminder-sweep/)
      assert.match(text, /refill-submission\/reconcile-sent-refills/)

      await scheduleJobs(services)
      const fixed = await ops.get('/ops').expect(200)
      assert.doesNotMatch(pageText(fixed.text), /job schedulers are missing/)
      for (const queue of services.queues.all()) await queue.obliterate({ force: true })
    })
  })

  describe('/metrics', () => {
    it('is refused without credentials, with a wrong token, and to other roles', async () => {
      await supertest(app).get('/metrics').expect(401)
      await supertest(app).get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401)
      const member = await signedOnAgent(app, 'alex.rivera')
      const refused = await member.get('/metrics').expect(403)
      assert.equal(titleOf(refused.text), 'You cannot open this page – Member Portal')
    })

    it('gives a scraper with the token and ops staff the metrics, by route pattern', async () => {
      const member = await signedOnAgent(app, 'alex.rivera')
      await member.get('/labs/987654').expect(404)
      await services.queues.get('appointment-reminders').add('send-reminder', { reminderId: 1 })
      const scraped = await supertest(app).get('/metrics').set('Authorization', `Bearer ${metricsToken}`).expect(200)
      const text = scraped.text
      assert.match(
        text,
        /portal_http_request_duration_seconds_count\{method="GET",route="\/labs\/:id",status="404"\} 1/,
      )
      assert.doesNotMatch(text, /987654/, 'never the raw path')
      assert.match(text, /portal_queue_jobs\{queue="appointment-reminders",state="waiting"\} 1/)
      assert.match(text, /portal_queue_jobs\{queue="refill-submission",state="stalled"\} 0/)
      assert.match(text, /portal_outbox_rows\{state="pending"\} 0/)
      assert.match(text, /portal_outbox_lag_seconds 0/)
      assert.match(text, /nodejs_eventloop_lag_seconds /)
      assert.match(text, /process_resident_memory_bytes /)
      const byOps = await ops.get('/metrics').expect(200)
      assert.match(byOps.text, /portal_queue_jobs/)
    })
  })

  describe("the worker process's metrics", () => {
    it('times each job and counts failures per queue, for a scraper with the token only', async () => {
      const metrics = new WorkerMetrics()
      const queueName = `metrics-test-${randomUUID()}`
      const queue = services.queues.get(queueName)
      const connection = createRedis(services.config.redisUrl)
      const worker = new Worker(
        queueName,
        async (job) => {
          if (job.data.fail) throw new UnrecoverableError('refused')
          return 'ok'
        },
        { connection, prefix: services.queues.prefix },
      )
      metrics.watch(worker)
      const server = await serveWorkerMetrics(metrics, 0, metricsToken)
      try {
        await queue.add('example', { fail: 0 })
        await queue.add('example', { fail: 1 })
        for (let i = 0; i < 200; i++) {
          const counts = await queue.getJobCounts('completed', 'failed')
          if (counts.completed === 1 && counts.failed === 1) break
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
        assert.equal((await fetch(url)).status, 401)
        const scraped = await fetch(url, { headers: { Authorization: `Bearer ${metricsToken}` } })
        assert.equal(scraped.status, 200)
        const text = await scraped.text()
        assert.match(text, new RegExp(`portal_job_duration_seconds_count\\{queue="${queueName}",name="example"\\} 1`))
        assert.match(
          text,
          new RegExp(`portal_jobs_failed_total\\{queue="${queueName}",name="example",final="true"\\} 1`),
        )
        assert.match(text, /nodejs_eventloop_lag_seconds /)
      } finally {
        server.close()
        await worker.close()
        connection.disconnect()
        await queue.obliterate({ force: true })
      }
    })
  })
})

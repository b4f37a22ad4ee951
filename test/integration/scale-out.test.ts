import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import mysql from 'mysql2/promise'
import supertest from 'supertest'
import { createRefillBenchMembers } from '../../src/demo/bulk-refills'
import { MailCatcher, startMailCatcher } from '../../src/devtools/mail-catcher'
import { systemClock } from '../../src/platform/clock'
import type { Services } from '../../src/services'
import {
  closeServices,
  csrfTokenIn,
  demoPassword,
  pageText,
  resetWithDemoPlan,
  signOn,
  testServices,
} from '../helpers/app'
import { freePort } from '../helpers/outages'
import { requestIdFrom, requestRefill, usePharmacy, waitUntil } from '../helpers/pharmacy'
import { spawnEntry } from '../helpers/processes'

/**
 * Two web processes and two worker processes, started as the Procfile starts them, against one MySQL and one
 * Redis: whatever one web process did, the other knows; whatever work there is, the workers do once between
 * them, even when one is killed mid-job.
 */
describe('two web processes and two worker processes', function () {
  this.timeout(120_000)
  // The test, the simulator and every process run on the real clock (handed on as CLOCK_AT).
  const pharmacy = usePharmacy(systemClock)
  let mail: MailCatcher
  let services: Services
  // Each web process's last output (it logs at info here), shown when a test about it fails.
  const webs: { child: ChildProcess; url: string; output: () => string }[] = []
  const workers: ChildProcess[] = []
  let members: { userId: string; medicationIds: number[] }[] = []

  const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

  before(async function () {
    this.timeout(180_000)
    mail = await startMailCatcher()
    services = testServices()
    await resetWithDemoPlan(services)
    members = await createRefillBenchMembers(services.db, {
      members: 2,
      medicinesEach: 12,
      password: demoPassword,
      now: services.clock(),
    })
    for (let i = 0; i < 2; i++) {
      const port = await freePort()
      const child = spawnEntry('src/server.ts', systemClock, {
        // A long grace period: on a loaded CI machine the request in flight must not race the forced exit.
        env: { PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_SECONDS: '120' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000))
      child.stdout?.on('data', keep)
      child.stderr?.on('data', keep)
      webs.push({ child, url: `http://127.0.0.1:${port}`, output: () => output })
    }
    for (let i = 0; i < 2; i++) {
      workers.push(
        spawnEntry('jobs/worker.ts', systemClock, {
          env: {
            PHARMACY_URL: pharmacy.simulator.url,
            SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
            // Long enough that a hanging pharmacy call keeps the worker busy until the test kills it.
            PHARMACY_TIMEOUT_MS: '60000',
            // A killed worker's job is noticed and handed on after about this long.
            JOB_LOCK_MS: '1500',
          },
        }),
      )
    }
    for (const web of webs) {
      await waitUntil(
        `web process ${web.url} to be ready`,
        async () => (await fetch(`${web.url}/readyz`).catch(() => undefined))?.status === 200,
        120_000,
      )
    }
    const refills = services.queues.get('refill-submission')
    await waitUntil('both workers to listen', async () => (await refills.getWorkersCount()) >= 2, 120_000)
  })

  after(async () => {
    for (const child of [...webs.map((web) => web.child), ...workers]) if (alive(child)) child.kill('SIGKILL')
    await mail.close()
    await closeServices(services)
  })

  /** The session cookie a sign-on set, to carry to the other web process by hand. */
  const sessionCookie = (response: { headers: Record<string, unknown> }) => {
    const cookies = ([] as string[]).concat((response.headers['set-cookie'] as string[]) ?? [])
    const session = cookies.find((cookie) => cookie.startsWith('portal.sid='))
    assert.ok(session, 'sign-on set the session cookie')
    return session.split(';')[0]
  }

  it('keeps a session made on one web process on the other, and ends it on both', async () => {
    const [a, b] = webs
    const signedOn = await signOn(supertest.agent(a.url), 'alex.rivera', demoPassword)
    assert.equal(signedOn.headers.location, '/home')
    const cookie = sessionCookie(signedOn)

    const home = await supertest(b.url).get('/home').set('Cookie', cookie).expect(200)
    assert.match(pageText(home.text), /Alex/)
    // Sign out on the second; the first no longer knows the session.
    const signOut = await supertest(b.url)
      .post('/sign-out')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfTokenIn(home.text) })
    assert.equal(signOut.status, 303)
    const after = await supertest(a.url).get('/home').set('Cookie', cookie)
    assert.equal(after.status, 303)
    assert.equal(after.headers.location, '/sign-on')
  })

  it('counts failed sign-ons across both web processes', async () => {
    const pat = await services.db('users').where({ user_id: 'pat.rivera' }).first('id')
    const [a, b] = webs
    // Five wrong passwords on each: neither alone reaches the lock at ten.
    for (let attempt = 0; attempt < 10; attempt++) {
      const web = attempt % 2 === 0 ? a : b
      const response = await signOn(supertest.agent(web.url), 'pat.rivera', 'not-the-password-at-all')
      assert.equal(response.status, 401, `attempt ${attempt + 1} is refused`)
    }
    for (const web of [a, b]) {
      const right = await signOn(supertest.agent(web.url), 'pat.rivera', demoPassword)
      assert.equal(right.status, 401, `the account is locked on ${web.url} too, even for the right password`)
      assert.equal(right.headers.location, undefined)
    }
    const locked = await services.db('sign_on_events').where({ user_id: pat.id, outcome: 'refused-locked' })
    assert.equal(locked.length, 2)
  })

  it('does each job once across both workers', async () => {
    const [a, b] = webs
    const agents = await Promise.all(
      members.map(async (member, index) => {
        const agent = supertest.agent((index === 0 ? a : b).url)
        await signOn(agent, member.userId, demoPassword)
        return { agent, member }
      }),
    )
    const requestIds: number[] = []
    // Ten requests from each member at once, one medicine each, half through each web process.
    await Promise.all(
      agents.map(async ({ agent, member }) => {
        for (const medicationId of member.medicationIds.slice(0, 10)) {
          const { response } = await requestRefill(agent, [medicationId], 'mail')
          requestIds.push(requestIdFrom(response.headers.location))
        }
      }),
    )
    assert.equal(requestIds.length, 20)
    await waitUntil(
      'every request to be sent',
      async () =>
        (await services.db('refill_requests').whereIn('id', requestIds).where({ status: 'sent' })).length === 20,
      60_000,
    )
    const keys = pharmacy.simulator.orders().map((order) => order.idempotencyKey)
    assert.equal(keys.length, 20, 'one order per request')
    assert.equal(new Set(keys).size, 20, 'no request ordered twice')
    const stored = await services.db('refill_requests').whereIn('id', requestIds).pluck('idempotency_key')
    assert.deepEqual(new Set(keys), new Set(stored))

    // Every submit job ran in one of the two worker processes, and its outbox row is finished.
    const pids = new Set(workers.map((worker) => String(worker.pid)))
    // A request reads "sent" a moment before its job is recorded as completed.
    const completedSubmits = async () =>
      (await services.queues.get('refill-submission').getJobs(['completed'])).filter(
        (job) => job.name === 'submit' && requestIds.includes(Number(job.data.refillRequestId)),
      )
    await waitUntil('every submit job to be completed', async () => (await completedSubmits()).length === 20, 20_000)
    const submits = await completedSubmits()
    assert.equal(submits.length, 20)
    for (const job of submits) assert.ok(pids.has(String(job.processedBy).split(':').pop() ?? ''), `${job.processedBy}`)
    await waitUntil(
      'the outbox rows of the submissions to be finished',
      async () => (await services.db('outbox').where({ job_name: 'submit' }).whereNull('completed_at')).length === 0,
      20_000,
    )
  })

  it('finishes, in the other worker, a job whose worker was killed with SIGKILL mid-job', async () => {
    const agent = supertest.agent(webs[0].url)
    await signOn(agent, members[0].userId, demoPassword)
    // The pharmacy takes the order, then never answers: the worker holding the job cannot know it was placed.
    await pharmacy.control('hang-next', { count: 1, afterCreating: true, ms: 120_000 })
    const { response } = await requestRefill(agent, [members[0].medicationIds[10]], 'mail')
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the order to reach the pharmacy', () => pharmacy.simulator.orders().length === 1, 30_000)

    const refills = services.queues.get('refill-submission')
    const [active] = (await refills.getJobs(['active'])).filter((job) => Number(job.data.refillRequestId) === id)
    assert.ok(active, 'the job is active in a worker')
    const holder = workers.find((worker) => String(active.processedBy).endsWith(`:${worker.pid}`))
    assert.ok(holder, `the job is held by one of the two worker processes (${active.processedBy})`)
    const exited = once(holder, 'exit')
    holder.kill('SIGKILL')
    await exited

    const status = async () => (await services.db('refill_requests').where({ id }).first('status')).status
    await waitUntil('the other worker to finish the request', async () => (await status()) === 'sent', 60_000)
    const orders = pharmacy.simulator.orders()
    assert.equal(orders.length, 1, 'one order at the pharmacy')
    assert.equal(
      orders[0].idempotencyKey,
      (await services.db('refill_requests').where({ id }).first('idempotency_key')).idempotency_key,
    )
    const done = await refills.getJob(String(active.id))
    assert.notEqual(done?.processedBy, active.processedBy, 'the surviving worker finished it')
  })

  it('lets a stopping web process finish the request in flight, and takes no new ones', async () => {
    const web = webs[0]
    const database = await mysql.createConnection(services.config.databaseUrl as string)
    try {
      // Hold the users table so a sign-on is still in flight when SIGTERM arrives.
      await database.query('LOCK TABLES users WRITE')
      const agent = supertest.agent(web.url)
      const form = await agent.get('/sign-on').expect(200)
      const inFlight = agent
        .post('/sign-on')
        // A connection of its own, not one kept alive from the form's GET.
        .set('Connection', 'close')
        .type('form')
        .send({ userId: 'alex.rivera', password: demoPassword, _csrf: csrfTokenIn(form.text) })
        .then((answer) => answer)
      // The request is in flight once its look-up of the user ID waits on the lock. A fixed pause raced a busy machine:
      // SIGTERM could come before the POST was read, and closing the idle keep-alive connection then hung it up.
      await waitUntil(
        'the sign-on to wait on the locked users table',
        async () => {
          const [rows] = await database.query(
            "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%' AND INFO LIKE '%user_id_key%' AND DB = DATABASE() AND ID <> CONNECTION_ID()",
          )
          return Number((rows as { waiting: number }[])[0].waiting) > 0
        },
        30_000,
      )
      const exited = once(web.child, 'exit')
      web.child.kill('SIGTERM')
      await waitUntil(
        'the stopping process to refuse new connections',
        async () => (await fetch(`${web.url}/healthz`).catch(() => 'refused')) === 'refused',
        10_000,
      )
      await database.query('UNLOCK TABLES')
      const answer = await inFlight.catch((error: Error) => {
        throw new Error(`${error.message}; the web process said:\n${web.output()}`)
      })
      assert.equal(answer.status, 303, 'the sign-on in flight was answered')
      assert.equal(answer.headers.location, '/home')
      const [code] = await exited
      assert.equal(code, 0)
    } finally {
      await database.query('UNLOCK TABLES').catch(() => undefined)
      await database.end()
    }
    // The other web process still serves.
    await supertest(webs[1].url).get('/healthz').expect(200)
  })

  it('lets a worker stopped with SIGTERM end its current job and exit, and the job is finished by the next', async () => {
    const survivor = workers.find(alive)!
    const agent = supertest.agent(webs[1].url)
    await signOn(agent, members[1].userId, demoPassword)
    // The pharmacy takes the order and drops the connection after 1.5 s: the job is mid-call when SIGTERM comes.
    await pharmacy.control('hang-next', { count: 1, afterCreating: true, ms: 1_500 })
    const { response } = await requestRefill(agent, [members[1].medicationIds[10]], 'mail')
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the order to reach the pharmacy', () => pharmacy.simulator.orders().length === 1, 30_000)
    const exited = once(survivor, 'exit')
    survivor.kill('SIGTERM')
    const [code] = await exited
    assert.equal(code, 0, 'the worker waited for its job, then exited cleanly')
    const status = async () => (await services.db('refill_requests').where({ id }).first('status')).status
    assert.equal(await status(), 'requested', 'the dropped call is a transient failure: the job goes back for a retry')

    workers.push(
      spawnEntry('jobs/worker.ts', systemClock, {
        env: { PHARMACY_URL: pharmacy.simulator.url, SMTP_URL: `smtp://127.0.0.1:${mail.port}` },
      }),
    )
    await waitUntil('the next worker to finish the request', async () => (await status()) === 'sent', 90_000)
    assert.equal(pharmacy.simulator.orders().length, 1, 'one order at the pharmacy')
  })
})

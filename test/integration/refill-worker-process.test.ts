import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import supertest from 'supertest'
import { MailCatcher, startMailCatcher } from '../../src/devtools/mail-catcher'
import { systemClock } from '../../src/platform/clock'
import { buildApp, closeServices, demoPassword, resetWithDemoPlan, signOn, testServices } from '../helpers/app'
import { medicationIdsOf, requestIdFrom, requestRefill, usePharmacy, waitUntil } from '../helpers/pharmacy'
import { spawnEntry } from '../helpers/processes'

describe('the refill-submission worker process killed mid-submission', () => {
  // The test, the simulator and the worker process all run on the real clock (handed on as CLOCK_AT).
  const pharmacy = usePharmacy(systemClock)
  let mail: MailCatcher
  const children: ChildProcess[] = []
  before(async () => {
    mail = await startMailCatcher()
  })
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await mail.close()
  })

  /** The worker process as the Procfile starts it, with the test's database, Redis, pharmacy and mail. */
  const startWorker = (env: Record<string, string>) => {
    const child = spawnEntry('jobs/worker.ts', systemClock, {
      env: {
        PHARMACY_URL: pharmacy.simulator.url,
        SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
        // A killed worker's job is noticed and handed on after about this long.
        JOB_LOCK_MS: '1500',
        ...env,
      },
    })
    children.push(child)
    return child
  }

  it('gives one order at the pharmacy when the worker is killed with SIGKILL and started again', async function () {
    this.timeout(90_000)
    const services = testServices()
    try {
      await resetWithDemoPlan(services)
      const app = buildApp(services)
      const agent = supertest.agent(app)
      await signOn(agent, 'alex.rivera', demoPassword)
      const medicine = await medicationIdsOf(services.db, '11000003')
      // The pharmacy takes the order, then never answers: the worker cannot know the order was placed.
      await pharmacy.control('hang-next', { count: 1, afterCreating: true, ms: 120_000 })
      const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], 'mail')
      const id = requestIdFrom(response.headers.location)

      const first = startWorker({ PHARMACY_TIMEOUT_MS: '60000' })
      await waitUntil('the order reaches the pharmacy', () => pharmacy.simulator.orders().length === 1, 60_000)
      const exited = new Promise((resolve) => first.once('exit', resolve))
      first.kill('SIGKILL')
      await exited
      const row = () => services.db('refill_requests').where({ id }).first('status', 'pharmacy_order_id')
      assert.equal((await row()).status, 'requested', 'the killed worker recorded nothing')

      const second = startWorker({})
      await waitUntil('the restarted worker to finish the request', async () => (await row()).status === 'sent', 60_000)
      const orders = pharmacy.simulator.orders()
      assert.equal(orders.length, 1, 'one order at the pharmacy')
      assert.equal(
        orders[0].idempotencyKey,
        (await services.db('refill_requests').where({ id }).first('idempotency_key')).idempotency_key,
      )
      assert.equal((await row()).pharmacy_order_id, orders[0].id)
      await mail.waitFor((email) => email.to === 'alex.rivera@example.com', 30_000)

      const stopped = new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code)))
      second.kill('SIGTERM')
      assert.equal(await stopped, 0)
    } finally {
      await closeServices(services)
    }
  })
})

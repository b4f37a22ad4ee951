import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import type { Clock } from '../../src/platform/clock'
import { addToOutbox, type OutboxMessage } from '../../src/platform/outbox'
import { createRedis } from '../../src/platform/redis'
import { missingSchedulers } from '../../src/platform/schedulers'
import { closeServices, resetData, testServices } from '../helpers/app'
import { startPrivateRedis } from '../helpers/outages'
import { waitUntil } from '../helpers/pharmacy'
import { spawnEntry } from '../helpers/processes'

/** Starts a real worker process (as the Procfile does) and resolves once it logs that it started. */
function startWorkerProcess(
  clock: Clock,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnEntry('jobs/worker.ts', clock, {
    env: { LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('worker started')) resolve({ child, output: () => output })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the worker exited early (${code}): ${output}`)))
  })
}

describe('the worker process', () => {
  const services = testServices()
  before(() => resetData(services))
  after(() => closeServices(services))

  it('relays outbox rows and stops cleanly on SIGTERM', async function () {
    this.timeout(60_000)
    const { child, output } = await startWorkerProcess(services.clock)
    // A queue outside the catalogue, so that no worker of the product takes the job.
    const job = { queue: 'worker-process-test', jobName: 'noop', payload: { reference: 'x' } }
    const id = await addToOutbox(services.db, services.clock, job as unknown as OutboxMessage)
    for (let i = 0; i < 100; i++) {
      const row = await services.db('outbox').where({ id }).first()
      if (row.enqueued_at) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok((await services.db('outbox').where({ id }).first()).enqueued_at, 'the relay queued the row')
    child.removeAllListeners('exit')
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(output(), /worker shutting down/)
    await services.queues.get('worker-process-test').obliterate({ force: true })
    // The process registered its job schedulers (the nightly letter batch, the reminder sweep, refill
    // reconciliation): left behind, they would fire in some later test.
    for (const queue of services.queues.all()) await queue.obliterate({ force: true })
  })

  it('registers its job schedulers again when Redis loses its data under a live connection', async function () {
    this.timeout(60_000)
    // The worker's own redis-server, flushed while the worker stays connected (no reconnect to notice).
    const redis = await startPrivateRedis()
    const client = createRedis(redis.url)
    const watching = testServices({ redis: client })
    const { child } = await startWorkerProcess(services.clock, { REDIS_URL: redis.url, SCHEDULER_CHECK_SECONDS: '1' })
    try {
      await waitUntil('the schedulers', async () => (await missingSchedulers(watching.queues)).length === 0, 10_000)
      await redis.flush()
      assert.equal((await missingSchedulers(watching.queues)).length, 4, 'the flush took every scheduler')
      await waitUntil(
        'the worker to register the schedulers again',
        async () => (await missingSchedulers(watching.queues)).length === 0,
        10_000,
      )
    } finally {
      child.removeAllListeners('exit')
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      await closeServices(watching)
      await redis.stop()
    }
  })
})

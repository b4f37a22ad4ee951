import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Job, Worker } from 'bullmq'
import { createLogger } from '../../src/platform/logger'
import { addToOutbox, OutboxRelay } from '../../src/platform/outbox'
import { createQueues, Queues } from '../../src/platform/queues'
import { createRedis } from '../../src/platform/redis'
import { closeServices, countRows, resetData, testServices } from '../helpers/app'

describe('the outbox and its relay', () => {
  const services = testServices()
  const logger = createLogger('silent')
  let queues: Queues
  // A queue of its own per test, so jobs from one test never reach another.
  let queueName: string

  before(() => resetData(services))
  beforeEach(() => {
    queueName = `outbox-test-${randomUUID()}`
    queues = createQueues(services.redis, 'portal-test-bull')
  })
  afterEach(async () => {
    await queues.get(queueName).obliterate({ force: true })
    await queues.close()
  })
  after(() => closeServices(services))

  const relay = () => new OutboxRelay(services.db, queues, services.clock, logger)

  async function writeRequest(reference: string, options: { rollBack?: boolean } = {}): Promise<number | undefined> {
    let outboxId: number | undefined
    await services.db
      .transaction(async (trx) => {
        await trx('audit_log').insert({ at: services.clock(), action: `request ${reference}` })
        outboxId = await addToOutbox(trx, services.clock, {
          queue: queueName,
          jobName: 'example',
          payload: { reference },
        })
        if (options.rollBack) throw new Error('the request failed')
      })
      .catch(() => undefined)
    return options.rollBack ? undefined : outboxId
  }

  it('queues nothing for a request whose transaction rolled back', async () => {
    await writeRequest('rolled-back', { rollBack: true })
    assert.equal(await countRows(services.db, 'audit_log', { action: 'request rolled-back' }), 0)
    await relay().relayPending()
    assert.equal(await queues.get(queueName).count(), 0)
  })

  it('queues a committed request once, with the outbox id as the job id', async () => {
    const id = await writeRequest('committed')
    assert.equal(await relay().relayPending(), 1)
    assert.equal(await relay().relayPending(), 0)
    const jobs = await queues.get(queueName).getJobs(['waiting'])
    assert.deepEqual(
      jobs.map((job) => [job.id, job.name, job.data]),
      [[`outbox-${id}`, 'example', { reference: 'committed' }]],
    )
    const row = await services.db('outbox').where({ id }).first()
    assert.ok(row.enqueued_at instanceof Date)
  })

  it('makes one job when a relay died after enqueueing but before marking the row', async () => {
    const id = await writeRequest('crash')
    await relay().relayPending()
    // The relay's update was lost: the row looks pending again.
    await services.db('outbox').where({ id }).update({ enqueued_at: null })
    await relay().relayPending()
    assert.equal(await queues.get(queueName).count(), 1)
  })

  it('lets several relays work at once without taking the same row', async () => {
    const ids = []
    for (let i = 0; i < 40; i++) ids.push(await writeRequest(`parallel-${i}`))
    const relays = [relay(), relay(), relay()]
    const counts = await Promise.all(relays.map((each) => each.relayPending(15)))
    const relayedAgain = await relay().relayPending()
    assert.equal(counts.reduce((sum, count) => sum + count, 0) + relayedAgain, 40)
    assert.equal(await queues.get(queueName).count(), 40)
  })

  it('keeps a row pending when its queue cannot be reached, and delivers it later', async () => {
    const id = await writeRequest('redis-down')
    const deadRedis = createRedis('redis://127.0.0.1:1')
    deadRedis.on('error', () => undefined)
    const deadQueues = createQueues(deadRedis, 'portal-test-bull')
    try {
      await new OutboxRelay(services.db, deadQueues, services.clock, logger, 300).relayPending()
    } finally {
      deadRedis.disconnect()
    }
    const row = await services.db('outbox').where({ id }).first()
    assert.equal(row.enqueued_at, null)
    assert.equal(row.relay_attempts, 1)
    assert.ok(row.last_error)
    await relay().relayPending()
    assert.equal(await queues.get(queueName).count(), 1)
  })

  it('delivers a request to a real worker through the running relay', async () => {
    const seen: string[] = []
    const done = new Promise<Job>((resolve) => {
      const worker = new Worker(
        queueName,
        async (job) => {
          seen.push(job.data.reference)
          return 'ok'
        },
        { connection: createRedis(services.config.redisUrl), prefix: 'portal-test-bull' },
      )
      worker.on('completed', async (job) => {
        await worker.close()
        resolve(job)
      })
    })
    const running = relay()
    running.start(20)
    const id = await writeRequest('end-to-end')
    const job = await done
    await running.stop()
    assert.equal(job.id, `outbox-${id}`)
    assert.deepEqual(seen, ['end-to-end'])
  })
})

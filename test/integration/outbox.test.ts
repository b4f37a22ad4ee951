import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Job, UnrecoverableError, Worker } from 'bullmq'
import { createLogger } from '../../src/platform/logger'
import { addToOutbox, OutboxCompletions, type OutboxMessage, OutboxRelay } from '../../src/platform/outbox'
import { createQueues, Queues } from '../../src/platform/queues'
import { createRedis } from '../../src/platform/redis'
import { closeServices, countRows, resetData, testServices } from '../helpers/app'
import { startPrivateRedis } from '../helpers/outages'

describe('the outbox and its relay', () => {
  const services = testServices()
  const logger = createLogger('silent')
  let queues: Queues
  // A queue of its own per test, so jobs from one test never reach another.
  let queueName: string

  before(() => resetData(services))
  beforeEach(async () => {
    // Each test sees only its own rows (earlier tests' queues are gone, so their rows would look lost).
    await services.db.raw('TRUNCATE TABLE outbox')
    queueName = `outbox-test-${randomUUID()}`
    queues = createQueues(services.redis, 'portal-test-bull')
  })
  afterEach(async () => {
    await queues.get(queueName).obliterate({ force: true })
    await queues.close()
  })
  after(() => closeServices(services))

  const relay = () => new OutboxRelay(services.db, queues, services.clock, logger)
  // A job on this test's own queue, outside the catalogue, so that no worker of the product takes it.
  const exampleJob = (payload: Record<string, string>) =>
    ({ queue: queueName, jobName: 'example', payload }) as unknown as OutboxMessage

  async function writeRequest(reference: string, options: { rollBack?: boolean } = {}): Promise<number | undefined> {
    let outboxId: number | undefined
    await services.db
      .transaction(async (trx) => {
        await trx('audit_log').insert({ at: services.clock(), action: `request ${reference}` })
        outboxId = await addToOutbox(trx, services.clock, exampleJob({ reference }))
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
    const row = await services.db('outbox').where({ id }).first()
    assert.equal(await relay().relayPending(), 1)
    assert.equal(await relay().relayPending(), 0)
    const jobs = await queues.get(queueName).getJobs(['waiting'])
    assert.deepEqual(
      jobs.map((job) => [job.id, job.name, job.data]),
      [[`outbox-${id}-${row.token}`, 'example', { reference: 'committed' }]],
    )
    assert.match(row.token, /^[0-9a-f]{16}$/)
    const after = await services.db('outbox').where({ id }).first()
    assert.ok(after.enqueued_at instanceof Date)
    assert.equal(after.completed_at, null, 'queued is not done: the row waits for its job to complete')
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
    const row = await services.db('outbox').where({ id }).first()
    assert.equal(job.id, `outbox-${id}-${row.token}`)
    assert.deepEqual(seen, ['end-to-end'])
  })

  /** A real worker on the test's queue that counts each reference it runs; `fail` makes it fail for good. */
  function countingWorker(
    connectionUrl: string,
    runs: Map<string, number>,
    options: { completions?: OutboxCompletions; failing?: string } = {},
  ) {
    const connection = createRedis(connectionUrl)
    const worker = new Worker(
      queueName,
      async (job) => {
        runs.set(job.data.reference, (runs.get(job.data.reference) ?? 0) + 1)
        if (job.data.reference === options.failing) throw new UnrecoverableError('refused')
        return 'ok'
      },
      { connection, prefix: 'portal-test-bull', concurrency: 5 },
    )
    options.completions?.watch(worker)
    return {
      worker,
      async close() {
        await worker.close()
        connection.disconnect()
      },
    }
  }

  async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
    const deadline = performance.now() + timeoutMs
    while (!(await check())) {
      if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  const rowOf = (id: number | undefined) => services.db('outbox').where({ id }).first()

  it('refuses a payload that carries more than ids', async () => {
    const payloads: Record<string, string>[] = [
      { email: 'alex@example.com' },
      { name: 'Alex Rivera' },
      { note: 'LDL 162 mg/dL' },
    ]
    for (const payload of payloads) {
      await assert.rejects(
        addToOutbox(services.db, services.clock, exampleJob(payload)),
        /is not an id, a number or a short code/,
      )
    }
    assert.equal(await countRows(services.db, 'outbox', { queue: queueName }), 0)
  })

  it('finishes a row when its job has completed, not when it was queued', async () => {
    const id = await writeRequest('finish-on-completion')
    await relay().relayPending()
    assert.equal((await rowOf(id)).completed_at, null)
    const runs = new Map<string, number>()
    const completions = new OutboxCompletions(services.db, services.clock, logger, 20)
    const worker = countingWorker(services.config.redisUrl, runs, { completions })
    try {
      await waitUntil('the row to be finished', async () => (await rowOf(id)).completed_at !== null)
    } finally {
      await worker.close()
    }
    assert.equal(runs.get('finish-on-completion'), 1)
  })

  it('deletes finished rows once nothing needs them: completed after 7 days, failed after 30, unfinished never', async () => {
    const now = services.clock().getTime()
    const daysAgo = (days: number) => new Date(now - days * 86_400_000)
    const row = (reference: string, finished: Record<string, Date | null>) => ({
      queue: queueName,
      job_name: 'example',
      payload: JSON.stringify({ reference: 1 }),
      token: reference,
      created_at: daysAgo(40),
      enqueued_at: daysAgo(40),
      ...finished,
    })
    await services
      .db('outbox')
      .insert([
        row('completed-8d', { completed_at: daysAgo(8) }),
        row('completed-6d', { completed_at: daysAgo(6) }),
        row('failed-31d', { failed_at: daysAgo(31) }),
        row('failed-29d', { failed_at: daysAgo(29) }),
        row('unfinished', { completed_at: null }),
      ])
    assert.deepEqual(await relay().pruneFinished(), { completed: 1, failed: 1 })
    const left = await services.db('outbox').orderBy('token').pluck('token')
    assert.deepEqual(left, ['completed-6d', 'failed-29d', 'unfinished'])
  })

  it("finishes a row from Redis's record when the worker's report was lost", async () => {
    const completedId = await writeRequest('report-lost')
    const failedId = await writeRequest('failed-for-good')
    await relay().relayPending()
    const runs = new Map<string, number>()
    // No completions watcher: the worker died before reporting.
    const worker = countingWorker(services.config.redisUrl, runs, { failing: 'failed-for-good' })
    await waitUntil('both jobs to finish', async () => {
      const counts = await queues.get(queueName).getJobCounts('completed', 'failed')
      return counts.completed === 1 && counts.failed === 1
    })
    await worker.close()
    assert.equal((await rowOf(completedId)).completed_at, null)

    const result = await relay().checkUnfinished(0)
    assert.equal(result.requeued, 0, 'nothing was lost, so nothing is queued again')
    assert.equal(result.finished, 2)
    assert.ok((await rowOf(completedId)).completed_at instanceof Date)
    const failed = await rowOf(failedId)
    assert.ok(failed.failed_at instanceof Date, 'a job that failed for good is not queued again')
    assert.equal(failed.completed_at, null)
    assert.deepEqual(await relay().checkUnfinished(0), { finished: 0, requeued: 0 })
  })

  it('keeps the job ids of new rows apart from old finished jobs after the database is restored', async () => {
    const runs = new Map<string, number>()
    const completions = new OutboxCompletions(services.db, services.clock, logger, 20)
    const worker = countingWorker(services.config.redisUrl, runs, { completions })
    try {
      await services.db.raw('TRUNCATE TABLE outbox')
      const before = [await writeRequest('before-restore-1'), await writeRequest('before-restore-2')]
      await relay().relayPending()
      await waitUntil('the first jobs to finish', async () => runs.size === 2)
      // A restore from an older backup (or a demo reset): the table starts again and its ids repeat, while Redis
      // still holds the finished jobs.
      await services.db.raw('TRUNCATE TABLE outbox')
      const after = [await writeRequest('after-restore-1'), await writeRequest('after-restore-2')]
      assert.deepEqual(after, before, 'the row ids start again')
      await relay().relayPending()
      await waitUntil('the new rows to be finished', async () => {
        const rows = await services
          .db('outbox')
          .whereIn('id', after as number[])
          .whereNotNull('completed_at')
        return rows.length === 2
      })
    } finally {
      await worker.close()
    }
    assert.deepEqual(Object.fromEntries(runs), {
      'before-restore-1': 1,
      'before-restore-2': 1,
      'after-restore-1': 1,
      'after-restore-2': 1,
    })
  })

  describe('when Redis loses its data', function () {
    // A redis-server of this test's own: the shared one is never flushed or stopped.
    let redis: Awaited<ReturnType<typeof startPrivateRedis>>
    let privateQueues: Queues
    let connection: ReturnType<typeof createRedis>
    before(async () => {
      redis = await startPrivateRedis()
    })
    after(async () => {
      await redis.stop()
    })
    beforeEach(() => {
      connection = createRedis(redis.url)
      connection.on('error', () => undefined)
      privateQueues = createQueues(connection, 'portal-test-bull')
    })
    afterEach(async () => {
      await privateQueues.close()
      connection.disconnect()
    })

    it('queues again, once, every request whose job was waiting, and each runs exactly once', async function () {
      this.timeout(60_000)
      const ids: (number | undefined)[] = []
      for (let i = 0; i < 30; i++) ids.push(await writeRequest(`flushed-${i}`))
      const relayOnPrivate = () => new OutboxRelay(services.db, privateQueues, services.clock, logger)
      assert.equal(await relayOnPrivate().relayPending(), 30)
      assert.equal(await privateQueues.get(queueName).count(), 30)

      await redis.flush()
      assert.equal(await privateQueues.get(queueName).count(), 0, 'every waiting job is gone')

      // Two workers' relays look at once; the same job id means each job comes back once.
      const results = await Promise.all([relayOnPrivate().checkUnfinished(0), relayOnPrivate().checkUnfinished(0)])
      assert.equal(results[0].requeued + results[1].requeued, 30)
      assert.equal(
        await relayOnPrivate()
          .checkUnfinished(0)
          .then((result) => result.requeued),
        0,
      )
      assert.equal(await privateQueues.get(queueName).count(), 30)

      const runs = new Map<string, number>()
      const completions = new OutboxCompletions(services.db, services.clock, logger, 20)
      const workers = [
        countingWorker(redis.url, runs, { completions }),
        countingWorker(redis.url, runs, { completions }),
      ]
      try {
        await waitUntil('every row to be finished', async () => {
          const done = await services
            .db('outbox')
            .whereIn('id', ids as number[])
            .whereNotNull('completed_at')
          return done.length === 30
        })
      } finally {
        await Promise.all(workers.map((each) => each.close()))
      }
      assert.equal(runs.size, 30)
      assert.ok(
        [...runs.values()].every((count) => count === 1),
        'no request ran twice',
      )
      const requeued = await services
        .db('outbox')
        .whereIn('id', ids as number[])
        .sum<{ n: number }[]>({ n: 'requeued' })
      assert.equal(Number(requeued[0].n), 30)
    })

    it('recovers through the running relay when Redis restarts empty', async function () {
      this.timeout(60_000)
      const id = await writeRequest('restarted-empty')
      const running = new OutboxRelay(services.db, privateQueues, services.clock, logger, 1_000)
      running.start(20, 200)
      try {
        await waitUntil('the row to be queued', async () => (await rowOf(id)).enqueued_at !== null)
        await redis.stop()
        await redis.start()
        const runs = new Map<string, number>()
        const completions = new OutboxCompletions(services.db, services.clock, logger, 20)
        const worker = countingWorker(redis.url, runs, { completions })
        try {
          await waitUntil('the row to be finished', async () => (await rowOf(id)).completed_at !== null, 30_000)
        } finally {
          await worker.close()
        }
        assert.equal(runs.get('restarted-empty'), 1)
      } finally {
        await running.stop()
      }
    })
  })
})

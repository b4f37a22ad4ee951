import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Job, Worker } from 'bullmq'
import { dispatchJobs } from '../../src/platform/jobs'
import { createQueues } from '../../src/platform/queues'
import { createRedis } from '../../src/platform/redis'
import { closeServices, testServices } from '../helpers/app'

describe('the job catalogue', () => {
  const services = testServices()
  after(() => closeServices(services))

  it('runs a known job by its name and fails an unknown one at once, without retries', async () => {
    // A prefix of its own, so that this test's queue never meets the product's workers.
    const prefix = `job-catalogue-${randomUUID()}`
    const queues = createQueues(services.redis, prefix)
    const queue = queues.get('temp-password-letters')
    const ran: string[] = []
    const worker = new Worker(
      'temp-password-letters',
      dispatchJobs('temp-password-letters', {
        'run-batch': async (payload) => ran.push(`run-batch by ${payload.requestedBy}`),
        'delete-expired-files': async () => ran.push('delete-expired-files'),
      }),
      { connection: createRedis(services.config.redisUrl), prefix },
    )
    const finished = new Map<string, Job>()
    const settled = new Promise<void>((resolve) => {
      const done = (job: Job | undefined) => {
        if (job) finished.set(job.name, job)
        if (finished.size === 2) resolve()
      }
      worker.on('completed', done)
      worker.on('failed', done)
    })
    try {
      await queue.add('run-batch', { requestedBy: 7 }, { attempts: 5 })
      // A misspelt name, as an old release or a hand-made job might carry.
      await queue.add('run-bach', { requestedBy: 7 }, { attempts: 5 })
      await settled
      assert.deepEqual(ran, ['run-batch by 7'])
      const unknown = finished.get('run-bach')!
      assert.match(unknown.failedReason, /Unknown job run-bach on temp-password-letters/)
      assert.equal(unknown.attemptsMade, 1, 'an unknown job is not retried')
    } finally {
      await worker.close()
      await queue.obliterate({ force: true })
      await queues.close()
    }
  })
})

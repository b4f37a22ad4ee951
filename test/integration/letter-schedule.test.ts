import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { scheduleLetterJobs } from '../../jobs/temp-password-letters'
import { closeServices, testServices } from '../helpers/app'

const timeIn = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)

describe('the nightly letter batch schedule', () => {
  // BullMQ's job scheduler runs on the real clock, which this test's services use too.
  const services = testServices()
  let queue: Queue
  beforeEach(() => {
    queue = new Queue(`schedule-test-${randomUUID()}`, { connection: services.redis, prefix: services.queues.prefix })
  })
  afterEach(async () => {
    await queue.obliterate({ force: true })
    await queue.close()
  })
  after(() => closeServices(services))

  it("runs the batch next at 01:30 in the plan's time zone, within the coming day", async () => {
    const { schedule, timezone } = services.config.letters
    await scheduleLetterJobs(queue, schedule, timezone)
    const now = services.clock().getTime()
    const nightly = await queue.getJobScheduler('nightly-letter-batch')
    assert.ok(nightly?.next, 'the nightly batch is scheduled')
    const next = new Date(nightly.next)
    assert.equal(timeIn(next, 'America/Los_Angeles'), '01:30')
    assert.ok(next.getTime() > now, 'the next run is ahead')
    // A day, or 25 hours across the autumn clock change.
    assert.ok(next.getTime() - now <= 25 * 3_600_000, 'the next run is within the coming day')
    const cleanup = await queue.getJobScheduler('daily-letter-file-cleanup')
    assert.equal(timeIn(new Date(cleanup!.next!), 'America/Los_Angeles'), '05:00')
  })

  it('registers each job once however often workers start', async () => {
    const { schedule, timezone } = services.config.letters
    await scheduleLetterJobs(queue, schedule, timezone)
    await scheduleLetterJobs(queue, schedule, timezone)
    const schedulers = await queue.getJobSchedulers()
    assert.deepEqual(schedulers.map((scheduler) => scheduler.key).sort(), [
      'daily-letter-file-cleanup',
      'nightly-letter-batch',
    ])
    assert.equal((await queue.getDelayed()).length, 2, 'one waiting run of each')
  })
})

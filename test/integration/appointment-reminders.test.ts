import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Queue, Worker } from 'bullmq'
import { queueName, scheduleReminderSweep } from '../../jobs/appointment-reminders'
import { startWorkers } from '../../jobs/worker'
import { fixedClock } from '../../src/platform/clock'
import { createMailer } from '../../src/platform/mail'
import type { Services } from '../../src/services'
import { closeServices, testServices } from '../helpers/app'
import { appointmentsOf, openSlotsOf } from '../helpers/appointments'
import { useBackground } from '../helpers/background'
import { memberIdOf, userIdOf } from '../helpers/records'

// A Wednesday, 7 a.m. in California.
const seedDay = new Date('2026-11-25T15:00:00Z')
const dayMs = 24 * 60 * 60 * 1000

describe('the appointment-reminders worker', () => {
  const clock = fixedClock(seedDay)
  const context = useBackground({ clock, startAt: seedDay })
  let second: Services
  let secondWorkers: Worker[]

  before(() => {
    // A second worker process's services and workers, on the same queues, database and mail server.
    const { mail } = context.background
    second = testServices({
      clock,
      mailer: createMailer(`smtp://127.0.0.1:${mail.port}`, 'Member Portal <a@b.example>'),
    })
    secondWorkers = startWorkers(second)
  })
  after(async () => {
    await Promise.all(secondWorkers.map((worker) => worker.close()))
    await closeServices(second)
  })

  /** Waits until every recorded reminder has been sent or skipped and nothing is queued. */
  async function remindersFinished(): Promise<void> {
    const { services } = context.background
    for (let i = 0; i < 400; i++) {
      const open = await services.db('appointment_reminders').whereNull('sent_at').count<{ n: number }[]>({ n: '*' })
      const outbox = await services.db('outbox').whereNull('enqueued_at').count<{ n: number }[]>({ n: '*' })
      const counts = await services.queues.get(queueName).getJobCounts('waiting', 'active', 'delayed')
      if (Number(open[0].n) + Number(outbox[0].n) + counts.waiting + counts.active + counts.delayed === 0) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('reminders did not finish')
  }

  const sentTo = () => context.background.mail.messages.map((message) => message.to).sort()

  async function viewingOf(mrn: string, userId: string) {
    const { db } = context.background.services
    return { actorUserId: await userIdOf(db, userId), memberId: await memberIdOf(db, mrn) }
  }

  it('sends each due reminder once across two sweeps in two workers, at the same time and again', async () => {
    const { services } = context.background
    const queue = services.queues.get(queueName)
    // Two sweeps through the queue (either worker may take them) and two called directly, all at once.
    await Promise.all([
      queue.add('sweep', {}, { jobId: `sweep-${randomUUID()}` }),
      queue.add('sweep', {}, { jobId: `sweep-${randomUUID()}` }),
      services.appointments.sweepReminders(),
      second.appointments.sweepReminders(),
    ])
    await remindersFinished()
    await second.appointments.sweepReminders()
    await remindersFinished()
    // Alex's visit in a few hours (the 1-day reminder) and Pat's in 3 days (the 7-day one); members without an
    // email address are skipped.
    assert.deepEqual(sentTo(), ['alex.rivera@example.com', 'pat.rivera@example.com'])
    const alexs = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at > seedDay,
    )
    const rows = await services.db('appointment_reminders').where({ appointment_id: alexs.id })
    assert.deepEqual(
      rows.map((row) => [row.lead_minutes, row.outcome]),
      [[1440, 'sent']],
    )
  })

  it('says only when, where and how to cancel: no reason for visit, doctor or specialty', async () => {
    await context.background.services.appointments.sweepReminders()
    await remindersFinished()
    const pats = context.background.mail.messages.find((message) => message.to === 'pat.rivera@example.com')!
    assert.equal(pats.subject, 'Reminder: you have an appointment coming up')
    assert.match(pats.text, /Date: Monday, November 30, 2026/)
    assert.match(pats.text, /Time: 10:20 AM PST/)
    assert.match(pats.text, /Place: Oakland Medical Center, 3600 Broadway, Oakland, CA 94611/)
    assert.match(pats.text, /http:\/\/localhost:\d+\/appointments .*call the office at \(510\) 555-0100/s)
    assert.doesNotMatch(pats.text, /Kidney|Haddad|Geriatric|Follow-up/i)
  })

  it('sends nothing for a cancelled appointment', async () => {
    const { services } = context.background
    const pats = (await appointmentsOf(services.db, '11000006')).find(
      (row) => row.status === 'booked' && row.starts_at > seedDay,
    )
    clock.set(new Date(seedDay.getTime() - 2 * dayMs))
    await services.appointments.cancel(await viewingOf('11000006', 'pat.rivera'), String(pats.id))
    clock.set(seedDay)
    await services.appointments.sweepReminders()
    await remindersFinished()
    assert.deepEqual(sentTo(), ['alex.rivera@example.com'])
  })

  it('reminds a moved appointment for its new time only', async () => {
    const { services } = context.background
    const physical = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at.getTime() - seedDay.getTime() > 5 * dayMs,
    )
    // A week before it, minus an hour: its 7-day reminder is due, but the member moves it ten days later first.
    clock.set(new Date(physical.starts_at.getTime() - 7 * dayMs + 3_600_000))
    const later = (
      await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(physical.starts_at.getTime() + 10 * dayMs), 40)
    )[0]
    await services.appointments.reschedule(
      await viewingOf('11000003', 'alex.rivera'),
      String(physical.id),
      String(later.id),
    )
    await services.appointments.sweepReminders()
    await remindersFinished()
    assert.equal(await services.db('appointment_reminders').where({ appointment_id: physical.id }).first(), undefined)

    // The old time's day-before comes and goes: nothing.
    clock.set(new Date(physical.starts_at.getTime() - dayMs + 60_000))
    await services.appointments.sweepReminders()
    await remindersFinished()
    assert.equal(await services.db('appointment_reminders').where({ appointment_id: physical.id }).first(), undefined)

    // A week before the new time: one reminder, for the new date.
    context.background.mail.messages.length = 0
    clock.set(new Date(later.startsAt.getTime() - 7 * dayMs + 60_000))
    await services.appointments.sweepReminders()
    await remindersFinished()
    const reminders = await services.db('appointment_reminders').where({ appointment_id: physical.id })
    assert.deepEqual(
      reminders.map((row) => [row.lead_minutes, row.starts_at.getTime(), row.outcome]),
      [[7 * 1440, later.startsAt.getTime(), 'sent']],
    )
    const alexs = context.background.mail.messages.filter((message) => message.to === 'alex.rivera@example.com')
    assert.equal(alexs.length, 1)
    const day = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', dateStyle: 'full' }).format(
      later.startsAt,
    )
    assert.ok(alexs[0].text.includes(`Date: ${day}`), alexs[0].text)
  })

  /** Books the first open office visit with the member's primary care doctor after `after`, as `userId` acting for them. */
  async function bookFor(mrn: string, userId: string, after: Date): Promise<number> {
    const { services } = context.background
    const viewing = await viewingOf(mrn, userId)
    const visitType = await services.appointments.visitType('office-visit')
    const [doctor] = (await services.appointments.providersFor(viewing, visitType)).filter((one) => one.isPrimaryCare)
    const [slot] = await openSlotsOf(services.db, doctor.name, after)
    return services.appointments.book(viewing, {
      visitType: 'office-visit',
      provider: String(doctor.id),
      slot: String(slot.id),
      reason: 'Ear ache',
    })
  }

  it('reminds a child’s parents with accounts, as the child has no address; nobody once the child is 18', async () => {
    const { services } = context.background
    // Booked three days ahead, for visits a few hours after the sweep: the day-before reminder is due then.
    clock.set(new Date(seedDay.getTime() - 3 * dayMs))
    const sams = await bookFor('11000004', 'alex.rivera', new Date(seedDay.getTime() + 3_600_000))
    const jordans = await bookFor('11000005', 'alex.rivera', new Date(seedDay.getTime() + 3_600_000))
    clock.set(seedDay)
    // Jordan, 15 in the demo, has turned 18 since the visit was booked: Alex no longer acts for them.
    const eighteenYearsAgo = new Date(seedDay.getTime() - (18 * 365 + 10) * dayMs).toISOString().slice(0, 10)
    await services.db('members').where({ mrn: '11000005' }).update({ birth_date: eighteenYearsAgo })
    context.background.mail.messages.length = 0
    await services.appointments.sweepReminders()
    await remindersFinished()

    const forSam = context.background.mail.messages.filter((message) => /Sam Rivera/.test(message.subject))
    assert.deepEqual(
      forSam.map((message) => message.to),
      ['alex.rivera@example.com'],
    )
    assert.equal(forSam[0].subject, 'Reminder: Sam Rivera has an appointment coming up')
    assert.match(forSam[0].text, /reminder of Sam Rivera’s appointment\. You get it as their parent or guardian/)
    assert.doesNotMatch(forSam[0].text, /Ear ache/)
    assert.equal(context.background.mail.messages.filter((message) => /Jordan/.test(message.subject)).length, 0)
    const outcome = async (appointmentId: number) =>
      (await services.db('appointment_reminders').where({ appointment_id: appointmentId }).first()).outcome
    assert.equal(await outcome(sams), 'sent')
    assert.equal(await outcome(jordans), 'skipped')
  })

  it('registers the sweep once however often workers start', async () => {
    const queue = new Queue(`sweep-test-${randomUUID()}`, {
      connection: context.background.services.redis,
      prefix: context.background.services.queues.prefix,
    })
    try {
      await scheduleReminderSweep(queue, 5)
      await scheduleReminderSweep(queue, 5)
      const schedulers = await queue.getJobSchedulers()
      assert.deepEqual(
        schedulers.map((scheduler) => [scheduler.key, scheduler.every]),
        [['appointment-reminder-sweep', 300000]],
      )
    } finally {
      await queue.obliterate({ force: true })
      await queue.close()
    }
  })
})

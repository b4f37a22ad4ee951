import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import {
  Agent,
  buildApp,
  closeServices,
  countRows,
  csrfTokenIn,
  errorSummary,
  pageText,
  resetWithDemoPlan,
  signedOnAgent,
  testServices,
  titleOf,
} from '../helpers/app'
import {
  appointmentsOf,
  calendarInstant,
  calendarLines,
  calendarProperty,
  openSlotsOf,
  providerIdOf,
} from '../helpers/appointments'

// A Wednesday, 7 a.m. in California.
const seedDay = new Date('2026-11-25T15:00:00Z')
const dayMs = 24 * 60 * 60 * 1000

describe('appointments', () => {
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const app = buildApp(services)

  const signedOn = (userId?: string) => signedOnAgent(app, userId)

  /** Posts the final "Book appointment" form as the check page would. */
  async function book(
    agent: Agent,
    fields: { visitType: string; provider: number | string; slot: number | string; reason?: string },
  ) {
    const page = await agent.get('/appointments').expect(200)
    return agent
      .post('/appointments')
      .type('form')
      .send({
        reason: 'Sore knee',
        ...fields,
        provider: String(fields.provider),
        slot: String(fields.slot),
        _csrf: csrfTokenIn(page.text),
      })
  }

  beforeEach(async () => {
    clock.set(seedDay)
    await resetWithDemoPlan(services, clock)
  })
  after(() => closeServices(services))

  it('books a visit step by step: type, doctor (own first), a week of times, reason, check', async () => {
    const agent = await signedOn()
    const types = await agent.get('/appointments/new').expect(200)
    assert.equal(titleOf(types.text), 'Schedule an appointment: type of visit – Member Portal')
    assert.match(
      pageText(types.text),
      /Office visit 20 minutes Annual physical 40 minutes Follow-up visit 20 minutes Flu shot 10 minutes/,
    )

    const doctors = await agent.get('/appointments/new/provider?visitType=office-visit').expect(200)
    const $ = cheerio.load(doctors.text)
    assert.match($('.radio label').first().text(), /Dr. Marcus Bell \(your primary care doctor\)/)

    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    const times = await agent.get(`/appointments/new/time?visitType=office-visit&provider=${bell}`).expect(200)
    assert.match(titleOf(times.text), /^Schedule an appointment: day and time \(Week of November 23, 2026\)/)
    const $times = cheerio.load(times.text)
    assert.match($times('legend').first().text(), /Wednesday, November 25, 2026/)
    assert.equal(
      $times('a[rel="next"]').attr('href'),
      `/appointments/new/time?visitType=office-visit&provider=${bell}&week=2026-11-30`,
    )
    const slot = String($times('input[name="slot"]').first().val())
    const time = $times('label[for="slot"]').text().trim()

    const reason = await agent
      .get(`/appointments/new/reason?visitType=office-visit&provider=${bell}&slot=${slot}`)
      .expect(200)
    const checkWith = (text: string) =>
      agent
        .post('/appointments/new/check')
        .type('form')
        .send({
          visitType: 'office-visit',
          provider: String(bell),
          slot,
          reason: text,
          _csrf: csrfTokenIn(reason.text),
        })
    const check = await checkWith('Knee hurts, <b>bad</b>').expect(200)
    assert.match(pageText(check.text), /Check your appointment/)
    // Too long: the message, with what was typed kept to correct.
    const tooLong = await checkWith('y'.repeat(600)).expect(400)
    assert.equal(titleOf(tooLong.text), 'Error: Schedule an appointment: reason for visit – Member Portal')
    assert.deepEqual(errorSummary(tooLong.text), ['Your reason for visit must be 500 characters or fewer'])
    assert.equal(cheerio.load(tooLong.text)('textarea#reason').text(), 'y'.repeat(600))
    assert.match(check.text, /Knee hurts, &lt;b&gt;bad&lt;\/b&gt;/)

    const booked = await book(agent, { visitType: 'office-visit', provider: bell, slot, reason: 'Knee hurts' })
    assert.equal(booked.status, 303)
    const shown = await agent.get(booked.headers.location).expect(200)
    assert.match(pageText(shown.text), /Your appointment is booked/)
    assert.match(pageText(shown.text), /San Leandro Medical Center.*2500 Merced Street/)
    const home = await agent.get('/home').expect(200)
    assert.ok(
      pageText(home.text).includes(
        `Upcoming appointments Wednesday, November 25, 2026, ${time}, San Leandro Medical Center`,
      ),
    )
    assert.doesNotMatch(pageText(home.text), /Knee/)
    const list = await agent.get('/appointments').expect(200)
    assert.ok(pageText(list.text).includes(`Wednesday, November 25, 2026, ${time} Office visit Dr. Marcus Bell`))
  })

  it('sells one slot once: of 20 bookings at the same moment exactly one wins, the rest are told and offered the nearest times', async () => {
    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    const [slot] = await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(seedDay.getTime() + 3 * dayMs))
    const agents = [await signedOn('alex.rivera'), await signedOn('pat.rivera')]
    const tokens = await Promise.all(agents.map(async (agent) => csrfTokenIn((await agent.get('/appointments')).text)))
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_unused, index) =>
        agents[index % 2]
          .post('/appointments')
          .type('form')
          .send({
            visitType: 'office-visit',
            provider: String(bell),
            slot: String(slot.id),
            reason: 'Check-up',
            _csrf: tokens[index % 2],
          }),
      ),
    )
    assert.deepEqual(responses.map((response) => response.status).sort(), [303, ...Array(19).fill(409)])
    assert.equal(await countRows(services.db, 'appointments', { slot_id: slot.id, status: 'booked' }), 1)
    const loser = responses.find((response) => response.status === 409)!
    assert.deepEqual(errorSummary(loser.text), ['That time was just taken. Choose another time'])
    assert.equal(titleOf(loser.text).startsWith('Error: '), true)
    const nearest = cheerio
      .load(loser.text)('legend:contains("The nearest other open times")')
      .parent()
      .find('input[name="slot"]')
    assert.equal(nearest.length, 5)
    assert.ok(
      !nearest
        .map((_i, input) => cheerio.load(input)('input').val())
        .get()
        .includes(String(slot.id)),
    )
  })

  it('refuses to cancel inside 24 hours and says to call the office; cancels earlier ones', async () => {
    const agent = await signedOn()
    const [soon, later] = await appointmentsOf(services.db, '11000003').then((rows) =>
      rows.filter((row) => row.status === 'booked' && row.starts_at > seedDay),
    )
    assert.ok(soon.starts_at.getTime() - seedDay.getTime() < dayMs)
    const page = await agent.get(`/appointments/${soon.id}/cancel`).expect(200)
    assert.equal(titleOf(page.text), 'Call the office to cancel – Member Portal')
    assert.match(
      pageText(page.text),
      /can no longer be cancelled online.*call San Leandro Medical Center at \(510\) 555-0300/,
    )
    // A form posted anyway (an old page, a crafted request) is refused the same way.
    const token = csrfTokenIn((await agent.get(`/appointments/${later.id}/cancel`)).text)
    const refused = await agent.post(`/appointments/${soon.id}/cancel`).type('form').send({ _csrf: token }).expect(409)
    assert.match(pageText(refused.text), /can no longer be cancelled online/)
    assert.equal((await appointmentsOf(services.db, '11000003')).find((row) => row.id === soon.id).status, 'booked')

    const confirm = await agent.get(`/appointments/${later.id}/cancel`).expect(200)
    await agent
      .post(`/appointments/${later.id}/cancel`)
      .type('form')
      .send({ _csrf: csrfTokenIn(confirm.text) })
      .expect(303, /appointments\?cancelled=1/)
    const list = await agent.get('/appointments?cancelled=1').expect(200)
    assert.match(pageText(list.text), /Your appointment was cancelled/)
    assert.equal((await appointmentsOf(services.db, '11000003')).find((row) => row.id === later.id).status, 'cancelled')

    // 24 hours and a minute before the start is still in time; 23 hours 59 minutes is not.
    const third = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at.getTime() - seedDay.getTime() > 2 * dayMs,
    )
    clock.set(new Date(third.starts_at.getTime() - dayMs - 60_000))
    const inTime = await (await signedOn()).get(`/appointments/${third.id}/cancel`).expect(200)
    assert.equal(titleOf(inTime.text), 'Cancel your appointment – Member Portal')
    clock.set(new Date(third.starts_at.getTime() - dayMs + 60_000))
    const late = await (await signedOn()).get(`/appointments/${third.id}/cancel`).expect(200)
    assert.equal(titleOf(late.text), 'Call the office to cancel – Member Portal')
  })

  it('reschedules: the new time is booked and the old one freed together; a taken time changes nothing', async () => {
    const agent = await signedOn()
    const mine = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at.getTime() - seedDay.getTime() > 5 * dayMs,
    )
    const open = await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(seedDay.getTime() + 14 * dayMs), 40)
    const page = await agent.get(`/appointments/${mine.id}/reschedule?week=2026-12-07`).expect(200)
    assert.match(titleOf(page.text), /^Reschedule: choose a new time \(Week of December 7, 2026\)/)
    await agent
      .post(`/appointments/${mine.id}/reschedule`)
      .type('form')
      .send({ slot: String(open[0].id), _csrf: csrfTokenIn(page.text) })
      .expect(303, new RegExp(`/appointments/${mine.id}\\?moved=1`))
    const same = await agent
      .post(`/appointments/${mine.id}/reschedule`)
      .type('form')
      .send({ slot: String(open[0].id), _csrf: csrfTokenIn(page.text) })
      .expect(400)
    assert.deepEqual(errorSummary(same.text), ['That is the time you have now. Choose a different time'])
    const after = (await appointmentsOf(services.db, '11000003')).find((row) => row.id === mine.id)
    assert.equal(after.slot_id, open[0].id)
    assert.equal(after.starts_at.getTime(), open[0].startsAt.getTime())
    assert.equal(after.sequence, 1)
    // The old slot is open again: someone else can take it.
    const pat = await signedOn('pat.rivera')
    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    assert.equal((await book(pat, { visitType: 'annual-physical', provider: bell, slot: mine.slot_id })).status, 303)

    // Moving onto a slot someone else holds is refused and the appointment keeps its time.
    const taken = await agent
      .post(`/appointments/${mine.id}/reschedule`)
      .type('form')
      .send({ slot: String(mine.slot_id), _csrf: csrfTokenIn(page.text) })
      .expect(409)
    assert.deepEqual(errorSummary(taken.text), ['That time was just taken. Choose another time'])
    assert.equal((await appointmentsOf(services.db, '11000003')).find((row) => row.id === mine.id).slot_id, open[0].id)
  })

  it('keeps the calendar file’s UID through every change, raises its SEQUENCE each time, and names the organizer', async () => {
    const agent = await signedOn()
    const mine = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at.getTime() - seedDay.getTime() > 5 * dayMs,
    )
    const download = async () => (await agent.get(`/appointments/${mine.id}/calendar.ics`).expect(200)).text
    const booked = await download()
    const uid = calendarProperty(booked, 'UID')
    assert.equal(calendarProperty(booked, 'METHOD'), 'PUBLISH')
    assert.equal(calendarProperty(booked, 'SEQUENCE'), '0')
    const organizer = calendarLines(booked).find((line) => line.startsWith('ORGANIZER'))
    assert.equal(organizer, 'ORGANIZER;CN="San Leandro Medical Center":mailto:no-reply@memberportal.example')

    const open = await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(seedDay.getTime() + 14 * dayMs), 40)
    const page = await agent.get(`/appointments/${mine.id}/reschedule?week=2026-12-07`).expect(200)
    await agent
      .post(`/appointments/${mine.id}/reschedule`)
      .type('form')
      .send({ slot: String(open[0].id), _csrf: csrfTokenIn(page.text) })
      .expect(303)
    const moved = await download()
    assert.equal(calendarProperty(moved, 'UID'), uid)
    assert.equal(calendarProperty(moved, 'SEQUENCE'), '1')
    assert.equal(calendarInstant(calendarProperty(moved, 'DTSTART')!).getTime(), open[0].startsAt.getTime())

    const confirm = await agent.get(`/appointments/${mine.id}/cancel`).expect(200)
    await agent
      .post(`/appointments/${mine.id}/cancel`)
      .type('form')
      .send({ _csrf: csrfTokenIn(confirm.text) })
      .expect(303)
    const cancelled = await download()
    assert.equal(calendarProperty(cancelled, 'UID'), uid)
    assert.equal(calendarProperty(cancelled, 'METHOD'), 'CANCEL')
    assert.equal(calendarProperty(cancelled, 'STATUS'), 'CANCELLED')
    assert.equal(calendarProperty(cancelled, 'SEQUENCE'), '2')
    assert.equal(
      calendarLines(cancelled).find((line) => line.startsWith('ORGANIZER')),
      organizer,
    )

    // The demo plan's cancelled visits were changed once too: a calendar holding the booking takes the cancel.
    const seeded = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'cancelled' && row.id !== mine.id,
    )
    assert.ok(seeded, 'the demo plan cancels one of Alex’s visits')
    const file = (await agent.get(`/appointments/${seeded.id}/calendar.ics`).expect(200)).text
    assert.equal(calendarProperty(file, 'METHOD'), 'CANCEL')
    assert.equal(calendarProperty(file, 'SEQUENCE'), '1')
  })

  it("answers another member's appointment with 404 and audits the attempt", async () => {
    const pats = (await appointmentsOf(services.db, '11000006'))[0]
    const agent = await signedOn()
    for (const path of [
      `/appointments/${pats.id}`,
      `/appointments/${pats.id}/calendar.ics`,
      `/appointments/${pats.id}/cancel`,
      '/appointments/abc',
    ]) {
      const response = await agent.get(path).expect(404)
      assert.equal(titleOf(response.text), 'Page not found – Member Portal')
      assert.doesNotMatch(response.text, /Kidney/)
    }
    const denied = await services
      .db('audit_log')
      .where({ action: 'appointment.view-denied', target_id: String(pats.id) })
      .count<{ n: number }[]>({ n: '*' })
    assert.equal(Number(denied[0].n), 2)
    const mine = (await appointmentsOf(services.db, '11000003'))[0]
    await agent.get(`/appointments/${mine.id}`).expect(200)
    assert.equal(
      await countRows(services.db, 'audit_log', { action: 'appointment.view', target_id: String(mine.id) }),
      1,
    )
  })

  it('refuses tampered and bad form values with a message, never a 500', async () => {
    const agent = await signedOn()
    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    const ortiz = await providerIdOf(services.db, 'Dr. Helen Ortiz')
    const [ortizSlot] = await openSlotsOf(services.db, 'Dr. Helen Ortiz', seedDay)
    const [bellSlot] = await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(seedDay.getTime() + 2 * dayMs))
    const pastSlot = (await appointmentsOf(services.db, '11000003')).find((row) => row.starts_at < seedDay).slot_id

    const cases: [Record<string, string | number>, number, string][] = [
      [{ visitType: 'office-visit', provider: bell, slot: ortizSlot.id }, 400, 'Choose one of the open times shown'],
      [{ visitType: 'office-visit', provider: bell, slot: pastSlot }, 400, 'That time has passed. Choose a later time'],
      [
        { visitType: 'annual-physical', provider: ortiz, slot: ortizSlot.id },
        400,
        'Choose a doctor who offers annual physical visits',
      ],
      [{ visitType: 'nonsense', provider: bell, slot: bellSlot.id }, 400, 'Choose the type of visit'],
      [
        { visitType: 'annual-physical', provider: bell, slot: bellSlot.id },
        400,
        'That time is too short for annual physical',
      ],
      [{ visitType: 'office-visit', provider: bell, slot: 'x' }, 400, 'Choose a time'],
      [
        { visitType: 'office-visit', provider: bell, slot: bellSlot.id, reason: '' },
        400,
        'Enter the reason for your visit',
      ],
      [
        { visitType: 'office-visit', provider: bell, slot: bellSlot.id, reason: 'x'.repeat(501) },
        400,
        'Your reason for visit must be 500 characters or fewer',
      ],
    ]
    for (const [fields, status, message] of cases) {
      const response = await book(agent, fields as never)
      assert.equal(response.status, status, message)
      assert.deepEqual(errorSummary(response.text), [message])
    }
    // Arrays and objects where strings belong, from a hostile client.
    const page = await agent.get('/appointments')
    const hostile = await agent
      .post('/appointments')
      .type('form')
      .send(
        `visitType[]=a&visitType[]=b&provider=${bell}&slot=${bellSlot.id}&reason[x]=1&_csrf=${encodeURIComponent(csrfTokenIn(page.text))}`,
      )
    assert.equal(hostile.status, 400)
    // A reason with markup and control characters is stored as plain text without the controls.
    const marked = await book(agent, {
      visitType: 'office-visit',
      provider: bell,
      slot: bellSlot.id,
      reason: '<script>alert(1)</script>\u0000 ok',
    })
    assert.equal(marked.status, 303)
    const stored = (await appointmentsOf(services.db, '11000003')).find((row) => row.slot_id === bellSlot.id)
    assert.equal(stored.reason, '<script>alert(1)</script> ok')
    const shown = await agent.get(`/appointments/${stored.id}`)
    assert.doesNotMatch(shown.text, /<script>alert/)
    assert.equal(await countRows(services.db, 'appointments', { slot_id: ortizSlot.id }), 0)
  })

  it('downloads an .ics file that puts the visit at the right moment', async () => {
    const agent = await signedOn()
    const mine = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at > seedDay,
    )
    const response = await agent.get(`/appointments/${mine.id}/calendar.ics`).expect(200)
    assert.match(response.headers['content-type'], /^text\/calendar/)
    assert.match(
      response.headers['content-disposition'],
      new RegExp(`^attachment; filename="?appointment-${mine.id}.ics"?$`),
    )
    assert.equal(response.headers['cache-control'], 'no-store')
    const ics = response.text
    const lines = calendarLines(ics)
    assert.equal(lines[0], 'BEGIN:VCALENDAR')
    assert.equal(lines.at(-1), 'END:VCALENDAR')
    assert.ok(
      ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75),
      'lines are folded at 75 octets',
    )
    assert.equal(calendarInstant(calendarProperty(ics, 'DTSTART')!).getTime(), mine.starts_at.getTime())
    assert.equal(calendarInstant(calendarProperty(ics, 'DTEND')!).getTime(), mine.ends_at.getTime())
    assert.equal(calendarProperty(ics, 'UID'), `appointment-${mine.id}@localhost`)
    assert.match(
      calendarProperty(ics, 'LOCATION')!,
      /^San Leandro Medical Center\\, 2500 Merced Street\\, San Leandro\\, CA 94577$/,
    )
    assert.doesNotMatch(ics, /blood pressure/i)
  })
})

import assert from 'node:assert/strict'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { appointmentsOf, calendarInstant, calendarProperty } from '../helpers/appointments'
import { clickLink, fillByLabel, headingText, pressButton, useScriptlessBrowser, tickByLabel } from '../helpers/browser'

describe('appointments in a browser with JavaScript off', () => {
  const seedDay = new Date('2026-11-25T15:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
      await h.signOnAs('alex.rivera', demoPassword)
    },
  })
  const mainText = () => h.page.$eval('main', (element) => element.textContent?.replace(/\s+/g, ' ') ?? '')

  it('books a visit, lists it, downloads it for a calendar, reschedules and cancels it', async () => {
    await clickLink(h.page, 'Appointments')
    assert.equal(await headingText(h.page), 'Appointments')
    await h.assertAccessible('the appointments list')

    await clickLink(h.page, 'Schedule an appointment')
    await pressButton(h.page, 'Continue')
    assert.equal(await h.page.title(), 'Error: Schedule an appointment: type of visit – Member Portal')
    await h.assertAccessible('the visit type step with an error')
    await tickByLabel(h.page, 'Office visit')
    await pressButton(h.page, 'Continue')

    assert.equal(await h.page.title(), 'Schedule an appointment: doctor and location – Member Portal')
    assert.equal(
      await h.page.$eval('input[name="provider"]:checked + label', (label) => label.textContent),
      'Dr. Marcus Bell (your primary care doctor)',
    )
    await h.assertAccessible('the doctor and location step')
    await pressButton(h.page, 'Continue')

    assert.match(await h.page.title(), /^Schedule an appointment: day and time \(Week of November 23, 2026\)/)
    await h.assertAccessible('the open times of this week')
    await clickLink(h.page, 'Next week')
    assert.match(await h.page.title(), /\(Week of November 30, 2026\)/)
    await h.assertAccessible('the open times of next week')
    await pressButton(h.page, 'Continue')
    assert.match(await h.page.title(), /^Error: /)
    assert.match(await mainText(), /There is a problem Choose a time/)
    await h.page.click('input[name="slot"]')
    await pressButton(h.page, 'Continue')

    assert.equal(await headingText(h.page), 'What is the reason for your visit?')
    await h.assertAccessible('the reason step')
    await fillByLabel(h.page, 'What is the reason for your visit?', 'My knee hurts when I climb stairs')
    await pressButton(h.page, 'Continue')
    assert.equal(await headingText(h.page), 'Check your appointment')
    await h.assertAccessible('the check page')
    await pressButton(h.page, 'Book appointment')

    assert.match(await mainText(), /Your appointment is booked/)
    assert.match(await mainText(), /Monday, November 30, 2026/)
    await h.assertAccessible('the booked appointment')
    const booked = (await appointmentsOf(services.db, '11000003')).find((row) => row.reason.startsWith('My knee'))

    // The calendar file, fetched with the page's own session.
    const href = await h.page.$eval('a[download]', (link) => link.getAttribute('href'))
    assert.equal(href, `/appointments/${booked.id}/calendar.ics`)
    const cookies = await h.page.cookies()
    const response = await fetch(`${h.url}${href}`, {
      headers: { cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') },
    })
    assert.equal(response.status, 200)
    const ics = await response.text()
    assert.equal(calendarInstant(calendarProperty(ics, 'DTSTART')!).getTime(), booked.starts_at.getTime())

    await clickLink(h.page, 'Back to appointments')
    assert.match(await mainText(), /Monday, November 30, 2026, \d+:\d\d AM Office visit Dr. Marcus Bell/)

    await h.page.goto(`${h.url}/appointments/${booked.id}`)
    await clickLink(h.page, 'Reschedule this appointment')
    assert.equal(await headingText(h.page), 'Choose a new day and time')
    await h.assertAccessible('the reschedule page')
    await clickLink(h.page, 'Next week')
    await h.page.click('input[name="slot"]')
    await pressButton(h.page, 'Reschedule to this time')
    assert.match(await mainText(), /Your appointment was moved to the new time/)
    assert.match(await mainText(), /December 7, 2026/)
    await h.assertAccessible('the moved appointment')

    await clickLink(h.page, 'Cancel this appointment')
    assert.equal(await headingText(h.page), 'Cancel your appointment')
    await h.assertAccessible('the cancel page')
    await pressButton(h.page, 'Cancel appointment')
    assert.match(await mainText(), /Your appointment was cancelled/)
    assert.match(await mainText(), /Past and cancelled appointments.*Monday, December 7, 2026.*Cancelled/)
    await h.assertAccessible('the list after cancelling')
  })

  it('explains that a visit within 24 hours is cancelled by calling the office', async () => {
    const soon = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at > seedDay,
    )
    await h.page.goto(`${h.url}/appointments/${soon.id}`)
    assert.match(await mainText(), /less than 24 hours.*call the office at \(510\) 555-0300/)
    await clickLink(h.page, 'Cancel this appointment')
    assert.equal(await headingText(h.page), 'Call the office to cancel')
    await h.assertAccessible('the too-late page')
  })
})

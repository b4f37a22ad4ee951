import assert from 'node:assert/strict'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  chooseByLabel,
  clickLink,
  fillByLabel,
  headingText,
  pressButton,
  useScriptlessBrowser,
} from '../helpers/browser'

describe('managing a family member’s care in a browser with JavaScript off', function () {
  // One long journey through four members' pages, each checked with axe.
  this.timeout(180_000)
  const seedDay = new Date('2026-11-25T18:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
    },
  })
  const text = (selector = 'main') =>
    h.page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '')
  const navigation = () =>
    h.page.$$eval('nav[aria-label="Member tools"] a', (links) => links.map((link) => link.textContent?.trim()))
  const switchTo = async (name: string) => {
    await chooseByLabel(h.page, 'Switch to', name)
    await pressButton(h.page, 'Switch')
  }

  it('lets Alex act for Sam, Jordan and Pat within each one’s scope, and Pat sees Alex in her access history', async () => {
    await h.signOnAs('alex.rivera', demoPassword)
    assert.equal(await text('.viewing-current'), 'You are viewing: Alex Rivera (you)')
    await h.assertAccessible('Alex’s home with the switcher')

    await switchTo('Sam Rivera')
    assert.equal(await headingText(h.page), 'Sam Rivera’s home')
    assert.equal(await text('.viewing-current'), 'You are viewing: Sam Rivera')
    await h.assertAccessible('Sam’s home')
    await clickLink(h.page, 'Vaccination records')
    assert.match(await text(), /Sam Rivera/)
    assert.match(await text(), /11000004/)
    await h.assertAccessible('Sam’s vaccination record')
    await clickLink(h.page, 'Access history')
    assert.equal(await headingText(h.page), 'Who has seen Sam Rivera’s records')
    assert.match(await text(), /You ?Looked at the vaccination record/)
    await h.assertAccessible('Sam’s access history')

    await switchTo('Jordan Rivera')
    assert.equal(await headingText(h.page), 'Jordan Rivera’s home')
    const jordanTools = await navigation()
    assert.ok(!jordanTools.includes('Lab results'), `no lab results in ${jordanTools.join(', ')}`)
    assert.deepEqual(jordanTools, [
      'Home',
      'Messages',
      'Appointments',
      'Vaccination records',
      'Family and shared access',
    ])
    await h.assertAccessible('Jordan’s home')

    await switchTo('Pat Rivera')
    assert.equal(await headingText(h.page), 'Pat Rivera’s home')
    await clickLink(h.page, 'Appointments')
    await clickLink(h.page, 'Schedule an appointment')
    await h.page.click('input[value="office-visit"]')
    await pressButton(h.page, 'Continue')
    assert.match(await text(), /Dr\. Amir Haddad \(your primary care doctor\)/)
    await pressButton(h.page, 'Continue')
    while (!(await h.page.$('input[name="slot"]'))) await clickLink(h.page, 'Next week')
    await h.page.click('input[name="slot"]')
    await pressButton(h.page, 'Continue')
    await fillByLabel(h.page, 'What is the reason for your visit?', 'Blood pressure check')
    await pressButton(h.page, 'Continue')
    await h.assertAccessible('the check page, for Pat')
    await pressButton(h.page, 'Book appointment')
    assert.match(await text(), /Your appointment is booked/)
    assert.match(await text(), /Booked by Alex Rivera/)
    assert.equal(await text('.viewing-current'), 'You are viewing: Pat Rivera')
    await h.assertAccessible('Pat’s booked appointment')

    await clickLink(h.page, 'Family and shared access')
    assert.match(await text(), /Pat Rivera Shared with you You can use: Prescriptions, Appointments/)
    await h.assertAccessible('the family page')
    await clickLink(h.page, 'Give someone access')
    await pressButton(h.page, 'Give access')
    assert.match(await h.page.title(), /^Error: Give someone access to your records/)
    await h.assertAccessible('the grant form with errors')

    await pressButton(h.page, 'Sign out')
    await h.signOnAs('pat.rivera', demoPassword)
    assert.equal(await text('.viewing-current'), 'You are viewing: Pat Rivera (you)')
    await clickLink(h.page, 'Access history')
    assert.equal(await headingText(h.page), 'Who has seen your records')
    assert.match(await text(), /Alex Rivera ?Booked an appointment/)
    await h.assertAccessible('Pat’s access history')
  })
  it('gives access in Spanish: errors in Spanish, accessible, and the form fits a 320 px screen', async () => {
    await h.signOnAs('alex.rivera', demoPassword)
    await h.page.goto(`${h.url}/language?to=es&return=/family`)
    assert.equal(await headingText(h.page), 'Familia y acceso compartido')
    await h.assertAccessible('the family page in Spanish')
    await clickLink(h.page, 'Dar acceso a alguien')
    await fillByLabel(h.page, 'Nombre', 'Pat')
    await pressButton(h.page, 'Dar acceso')
    assert.match(await h.page.title(), /^Error: Dar a alguien acceso a sus registros/)
    assert.match(await text('.error-summary'), /Escriba el apellido de esa persona/)
    await h.assertAccessible('the grant form in Spanish, with errors')
    await h.page.setViewport({ width: 320, height: 640 })
    const width = await h.page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 320, `the grant form in Spanish fits a 320 px screen (${width} px wide)`)
    await h.page.goto(`${h.url}/access-history`)
    assert.equal(await headingText(h.page), 'Quién ha visto sus registros')
    await h.assertAccessible('the access history in Spanish')
  })
})

import assert from 'node:assert/strict'
import type { Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  clickLink,
  fillByLabel,
  headingText,
  pressButton,
  useScriptlessBrowser,
  tickByLabel,
} from '../helpers/browser'

const textOf = (page: Page, selector = 'main') =>
  page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '')

describe('messages in a browser with JavaScript off, member and office side by side', () => {
  const seedDay = new Date('2026-11-25T18:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
      await h.signOnAs('alex.rivera', demoPassword)
    },
  })

  it('the member writes, the office nurse (a second browser) replies, the member sees the unread reply', async function () {
    // Two browsers and a dozen axe checks in one story: longer than the usual 30 s on a busy machine.
    this.timeout(120_000)
    const member = h.page
    await clickLink(member, 'Messages')
    assert.equal(await headingText(member), 'Messages')
    await h.assertAccessible('the member inbox')

    await member.goto(`${h.url}/messages/new`)
    assert.match(await textOf(member, '#emergency-notice'), /For a medical emergency, call 911/)
    await h.assertAccessible('the compose page')
    await pressButton(member, 'Send message')
    assert.match(await member.title(), /^Error: Write to your doctor’s office/)
    assert.match(await textOf(member, '.error-summary'), /Choose what your message is about/)
    await h.assertAccessible('the compose page with errors')

    await tickByLabel(member, 'Question for my doctor')
    await fillByLabel(member, 'Subject', 'Swollen ankles')
    await fillByLabel(member, 'Your message', 'My ankles are swollen in the evening.\nIs that from my new medicine?')
    await pressButton(member, 'Send message')
    assert.match(await textOf(member, '.error-summary'), /Confirm that your message is not urgent/)
    assert.equal(
      await member.$eval('#body', (field) => (field as HTMLTextAreaElement).value),
      'My ankles are swollen in the evening.\nIs that from my new medicine?',
    )
    await tickByLabel(member, 'This is not urgent')
    await pressButton(member, 'Send message')
    assert.equal(await headingText(member), 'Swollen ankles')
    assert.match(await textOf(member), /Your message was sent/)
    await h.assertAccessible('the sent thread')
    await clickLink(member, 'Back to messages')
    await clickLink(member, 'Sent')
    assert.match(await textOf(member, 'main table'), /Swollen ankles/)
    await h.assertAccessible('the sent list')

    // The office nurse, in a browser of her own.
    const { page: office, close } = await h.signOnElsewhere('office.nurse', demoPassword)
    try {
      assert.equal(await headingText(office), 'Messages for Family Medicine')
      assert.match(await textOf(office, 'main table'), /Swollen ankles Question for my doctor Alex Rivera MRN 11000003/)
      assert.deepEqual(await accessibilityViolations(office), [], 'the office inbox')
      await clickLink(office, 'Swollen ankles')
      assert.match(await textOf(office, '.message-body'), /My ankles are swollen in the evening\./)
      assert.deepEqual(await accessibilityViolations(office), [], 'the office thread')
      await pressButton(office, 'Send reply')
      assert.match(await office.title(), /^Error: /)
      assert.deepEqual(await accessibilityViolations(office), [], 'the office thread with an error')
      await fillByLabel(office, 'Reply', 'Please raise your feet in the evening.\nWe will call you tomorrow.')
      await pressButton(office, 'Send reply')
      assert.match(await textOf(office), /Your reply was sent/)
      assert.deepEqual(await accessibilityViolations(office), [], 'the office thread after the reply')
      await pressButton(office, 'Mark as handled')
      assert.match(await textOf(office), /The conversation was marked as handled/)
      assert.doesNotMatch(await textOf(office), /Swollen ankles/)
      assert.deepEqual(await accessibilityViolations(office), [], 'the office inbox after marking handled')
    } finally {
      await close()
    }

    await member.goto(`${h.url}/home`)
    assert.match(await textOf(member, '.account-bar'), /Messages \(1 unread\)/)
    assert.match(await textOf(member), /You have 1 unread message from your doctor's office/)
    await h.assertAccessible('home with an unread message')
    await clickLink(member, "You have 1 unread message from your doctor's office")
    assert.match(await textOf(member, 'main table'), /Swollen ankles \(1 unread\)/)
    await clickLink(member, 'Swollen ankles')
    const bodies = await member.$$eval('.message-body', (elements) => elements.map((element) => element.textContent))
    assert.deepEqual(bodies, [
      'My ankles are swollen in the evening.\nIs that from my new medicine?',
      'Please raise your feet in the evening.\nWe will call you tomorrow.',
    ])
    await h.assertAccessible('the thread with the reply')
    await member.goto(`${h.url}/home`)
    assert.doesNotMatch(await textOf(member, '.account-bar'), /unread/)

    await member.goto(`${h.url}/account/message-emails`)
    await h.assertAccessible('the message email setting')
    await tickByLabel(member, 'No, I will check Messages myself')
    await pressButton(member, 'Save')
    assert.match(await textOf(member), /We will not email you when your doctor’s office replies/)
  })
  it('writes a message in Spanish: errors in Spanish, accessible, and the form fits a 320 px screen', async function () {
    this.timeout(60_000)
    const member = h.page
    await member.goto(`${h.url}/language?to=es&return=/messages/new`)
    assert.equal(await member.$eval('html', (element) => element.lang), 'es')
    assert.equal(await headingText(member), 'Escriba al consultorio de su médico')
    await pressButton(member, 'Enviar mensaje')
    assert.match(await member.title(), /^Error: Escriba al consultorio de su médico/)
    assert.match(await textOf(member, '.error-summary'), /^Hay un problema Elija de qué trata su mensaje/)
    await h.assertAccessible('the compose page in Spanish, with errors')
    await member.setViewport({ width: 320, height: 640 })
    const width = await member.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 320, `the compose page in Spanish fits a 320 px screen (${width} px wide)`)
    await member.goto(`${h.url}/messages`)
    assert.match(await textOf(member, 'main table'), /Respondida/)
    await h.assertAccessible('the inbox in Spanish')
  })
})

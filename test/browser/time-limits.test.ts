import assert from 'node:assert/strict'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { fillByLabel, headingText, pressButton, useScriptlessBrowser } from '../helpers/browser'

describe('time limits in a browser with JavaScript off', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepareOnce: () => resetWithDemoPlan(services),
    prepare: async () => {
      clock.set(new Date('2026-11-25T15:00:00Z'))
      await services.redis.flushdb()
    },
  })

  const mainText = () => h.page.$eval('main', (main) => main.textContent?.replace(/\s+/g, ' ') ?? '')
  const valueOf = (selector: string) => h.page.$eval(selector, (input) => (input as HTMLInputElement).value)

  it('brings a member back to the settings form they sent after 15 minutes, with what they typed', async () => {
    await h.signOnAs('alex.rivera', demoPassword)
    await h.page.goto(`${h.url}/account/email`)
    assert.match(await mainText(), /For your security we sign you out after 15 minutes without activity/)
    await h.assertAccessible('the change-email form stating the limit')
    await fillByLabel(h.page, 'New email address', 'alex.new@example.com')
    await fillByLabel(h.page, 'Current password', demoPassword)
    clock.advance(16 * 60_000)
    await pressButton(h.page, 'Send confirmation link')

    assert.equal(new URL(h.page.url()).pathname, '/sign-on')
    assert.match(
      await mainText(),
      /You were signed out after 15 minutes without activity\. What you sent was not saved/,
    )
    await h.assertAccessible('the sign-on page saying why')
    await h.signOnAs('alex.rivera', demoPassword)

    assert.equal(new URL(h.page.url()).pathname, '/account/email')
    assert.equal(await valueOf('#email'), 'alex.new@example.com')
    assert.equal(await valueOf('#currentPassword'), '')
    assert.match(await mainText(), /You were signed out before this was saved\. Check your answers and submit again/)
    await h.assertAccessible('the change-email form filled in again')
    await fillByLabel(h.page, 'Current password', demoPassword)
    await pressButton(h.page, 'Send confirmation link')
    assert.match(await mainText(), /We sent a link to alex\.new@example\.com/)
  })

  it('keeps a registration for 60 minutes, then says why it starts again and refills the last page', async () => {
    await h.page.goto(`${h.url}/register`)
    assert.match(await mainText(), /we keep your answers for 60 minutes after you last used a registration page/)
    const stepsOneAndTwo = async () => {
      await fillByLabel(h.page, 'First name', 'Maria')
      await fillByLabel(h.page, 'Last name', 'Garcia')
      await fillByLabel(h.page, 'Day', '14')
      await fillByLabel(h.page, 'Month', '3')
      await fillByLabel(h.page, 'Year', '1985')
      await fillByLabel(h.page, 'Medical record number (MRN)', '11000001')
      await pressButton(h.page, 'Continue')
      await h.page.click('#accept')
      await pressButton(h.page, 'Continue')
    }
    await stepsOneAndTwo()
    assert.equal(await headingText(h.page), 'User ID and email')
    await fillByLabel(h.page, 'User ID', 'maria.garcia')
    await fillByLabel(h.page, 'Email address', 'maria.garcia@example.com')
    clock.advance(61 * 60_000)
    await pressButton(h.page, 'Continue')

    assert.equal(await headingText(h.page), 'Membership information')
    assert.match(await mainText(), /You had not used these pages for 60 minutes/)
    await h.assertAccessible('step 1 saying the registration timed out')
    await stepsOneAndTwo()
    assert.equal(await valueOf('#userId'), 'maria.garcia')
    assert.equal(await valueOf('#email'), 'maria.garcia@example.com')
    assert.match(await mainText(), /Your session timed out, so we could not save this/)
    await h.assertAccessible('step 3 filled in again')
    await pressButton(h.page, 'Continue')
    assert.equal(await headingText(h.page), 'Secure your account')
  })
})

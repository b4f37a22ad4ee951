import assert from 'node:assert/strict'
import type { Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { appCodeAt } from '../../src/two-step/codes'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  checkByLabel,
  clickLink,
  fillByLabel,
  headingText,
  pressButton,
  useScriptlessBrowser,
} from '../helpers/browser'

const start = new Date('2026-11-25T18:00:00Z')

async function fitsNarrowScreen(page: Page, what: string): Promise<void> {
  await page.setViewport({ width: 320, height: 640 })
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `${what} fits a 320 px screen (${width} px wide)`)
  await page.setViewport({ width: 1024, height: 768 })
}

const errorSummaryText = (page: Page) => page.$eval('.error-summary', (element) => element.textContent ?? '')

describe('2-step verification in a browser without JavaScript', () => {
  const clock = fixedClock(start)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(start)
      await resetWithDemoPlan(services, clock)
    },
  })

  it('a member adds an authenticator app, saves the recovery codes, and signs on with a code', async function () {
    this.timeout(90_000)
    await h.signOnAs('alex.rivera', demoPassword)
    await h.page.goto(`${h.url}/account`)
    await clickLink(h.page, 'Manage 2-step verification')
    await h.assertAccessible('the 2-step verification settings')
    await clickLink(h.page, 'Add an authenticator app')
    assert.equal(await headingText(h.page), 'Add an authenticator app')
    await h.assertAccessible('the app set-up page')
    await fitsNarrowScreen(h.page, 'the app set-up page')
    const key = (await h.page.$eval('.setup-key code', (element) => element.textContent ?? '')).replace(/\s+/g, '')
    await fillByLabel(h.page, 'Code', '000000')
    await pressButton(h.page, 'Add the app')
    assert.match(await errorSummaryText(h.page), /The code is not right\. Check it and try again\./)
    assert.match(await h.page.title(), /^Error: /)
    await h.assertAccessible('the app set-up page with an error')
    await fillByLabel(h.page, 'Code', appCodeAt(key, clock()))
    await pressButton(h.page, 'Add the app')
    assert.equal(await headingText(h.page), 'Save your recovery codes')
    assert.equal((await h.page.$$('.recovery-codes li')).length, 10)
    await h.assertAccessible('the recovery codes page')
    await fitsNarrowScreen(h.page, 'the recovery codes page')
    await clickLink(h.page, 'I have saved my recovery codes')
    await pressButton(h.page, 'Sign out')

    clock.advance(30_000)
    await h.page.goto(`${h.url}/sign-on`)
    await fillByLabel(h.page, 'User ID', 'alex.rivera')
    await fillByLabel(h.page, 'Password', demoPassword)
    await pressButton(h.page, 'Sign on')
    assert.equal(await headingText(h.page), 'Enter the code from your authenticator app')
    await h.assertAccessible('the second sign-on step')
    await fitsNarrowScreen(h.page, 'the second sign-on step')
    await fillByLabel(h.page, 'Code', '111111')
    await pressButton(h.page, 'Continue')
    assert.match(await errorSummaryText(h.page), /The code is not right/)
    await h.assertAccessible('the second sign-on step with an error')
    await clickLink(h.page, 'Use another way')
    await h.assertAccessible('the other ways page')
    await clickLink(h.page, 'Back')
    await fillByLabel(h.page, 'Code', appCodeAt(key, clock()))
    await checkByLabel(h.page, 'Remember this browser for 30 days')
    await pressButton(h.page, 'Continue')
    assert.equal(await headingText(h.page), 'Welcome, Alex')
  })

  it('walks a staff member without a method through setting one up at sign-on', async function () {
    this.timeout(60_000)
    const nurse = await services.users.findByUserId('office.nurse')
    await services.db('two_step_methods').where({ user_id: nurse!.id }).delete()
    await h.page.goto(`${h.url}/sign-on`)
    await fillByLabel(h.page, 'User ID', 'office.nurse')
    await fillByLabel(h.page, 'Password', demoPassword)
    await pressButton(h.page, 'Sign on')
    assert.equal(await headingText(h.page), 'Set up 2-step verification')
    await h.assertAccessible('the staff set-up page')
    await fitsNarrowScreen(h.page, 'the staff set-up page')
    const key = (await h.page.$eval('.setup-key code', (element) => element.textContent ?? '')).replace(/\s+/g, '')
    await fillByLabel(h.page, 'Code', appCodeAt(key, clock()))
    await pressButton(h.page, 'Turn on 2-step verification')
    assert.equal(await headingText(h.page), 'Save your recovery codes')
    await pressButton(h.page, 'I have saved my recovery codes')
    assert.equal(await headingText(h.page), 'Messages for Family Medicine')
  })

  it('passkeys: hidden without script; with script, registered and used with Chromium’s virtual authenticator', async function () {
    this.timeout(90_000)
    await h.signOnAs('alex.rivera', demoPassword)
    await h.page.goto(`${h.url}/account/two-step`)
    assert.equal(await h.page.$eval('[data-passkey]', (element) => (element as HTMLElement).hidden), true)

    // A passkey belongs to a host name, never an IP address: this browser uses localhost.
    const site = h.url.replace('127.0.0.1', 'localhost')
    const page = await h.page.browser().newPage()
    try {
      const devtools = await page.createCDPSession()
      await devtools.send('WebAuthn.enable')
      await devtools.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      })
      await page.goto(`${site}/sign-on`)
      await fillByLabel(page, 'User ID', 'alex.rivera')
      await fillByLabel(page, 'Password', demoPassword)
      await pressButton(page, 'Sign on')
      await page.goto(`${site}/account/two-step`)
      await page.waitForSelector('[data-passkey]:not([hidden])')
      await pressButton(page, 'Add a passkey')
      assert.equal(await headingText(page), 'Save your recovery codes')
      await clickLink(page, 'I have saved my recovery codes')
      assert.match(await page.$eval('main', (element) => element.textContent ?? ''), /Passkey \(Chrome on Linux\)/)
      await pressButton(page, 'Sign out')

      await page.goto(`${site}/sign-on`)
      await fillByLabel(page, 'User ID', 'alex.rivera')
      await fillByLabel(page, 'Password', demoPassword)
      await pressButton(page, 'Sign on')
      assert.equal(await headingText(page), 'Use your passkey')
      await page.waitForSelector('[data-passkey]:not([hidden])')
      await pressButton(page, 'Use your passkey')
      assert.equal(await headingText(page), 'Welcome, Alex')
      const alex = await services.users.findByUserId('alex.rivera')
      const event = await services
        .db('sign_on_events')
        .where({ user_id: alex!.id, outcome: 'signed-on' })
        .orderBy('id', 'desc')
        .first('method')
      assert.equal(event.method, 'password+passkey')
    } finally {
      await page.close()
    }
  })
})

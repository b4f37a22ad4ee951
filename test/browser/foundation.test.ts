import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { Browser, Page } from 'puppeteer-core'
import { buildApp, closeServices, demoPassword, listen, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  clickLink,
  fillByLabel,
  headingText,
  launchBrowser,
  newScriptlessPage,
  pressButton,
} from '../helpers/browser'

describe('the portal in a browser with JavaScript off', () => {
  const services = testServices()
  let browser: Browser
  let server: Server
  let url: string
  let page: Page

  before(async () => {
    await resetWithDemoPlan(services)
    ;({ server, url } = await listen(buildApp(services)))
    browser = await launchBrowser()
  })
  beforeEach(async () => {
    await services.redis.flushdb()
    page = await newScriptlessPage(browser)
  })
  afterEach(() => page.close())
  after(async () => {
    await browser?.close()
    server?.close()
    await closeServices(services)
  })

  async function assertAccessible(what: string): Promise<void> {
    assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility problems`)
  }

  async function signOnAs(userId: string, password = demoPassword): Promise<void> {
    await page.goto(`${url}/sign-on`)
    await fillByLabel(page, 'User ID', userId)
    await fillByLabel(page, 'Password', password)
    await pressButton(page, 'Sign on')
  }

  it('welcomes visitors and leads to sign on', async () => {
    await page.goto(url)
    assert.equal(await headingText(page), 'Start managing your health online, on your time')
    await assertAccessible('the welcome page')
    await clickLink(page, 'Sign on')
    assert.equal(await page.title(), 'Sign on – Member Portal')
    await assertAccessible('the sign-on page')
  })

  it('signs a member on to their home page and out again', async () => {
    await signOnAs('alex.rivera')
    assert.equal(new URL(page.url()).pathname, '/home')
    assert.equal(await headingText(page), 'Welcome, Alex')
    await assertAccessible('the home page')
    await pressButton(page, 'Sign out')
    assert.equal(await headingText(page), 'You have signed out')
    await assertAccessible('the signed-out page')
    await page.goto(`${url}/home`)
    assert.equal(new URL(page.url()).pathname, '/sign-on')
  })

  it('shows sign-on errors in a summary linked to the field', async () => {
    await page.goto(`${url}/sign-on`)
    await pressButton(page, 'Sign on')
    assert.equal(await page.title(), 'Error: Sign on – Member Portal')
    const summary = await page.$$eval('.error-summary a', (links) =>
      links.map((link) => [link.textContent, link.getAttribute('href')]),
    )
    assert.deepEqual(summary, [
      ['Enter your user ID', '#userId'],
      ['Enter your password', '#password'],
    ])
    await assertAccessible('the sign-on page with errors')
    await signOnAs('alex.rivera', 'this is not the password')
    assert.match(await page.$eval('.error-summary', (element) => element.textContent ?? ''), /not right/)
    await assertAccessible('the sign-on page after a failure')
  })

  it('takes each kind of staff to an accessible start page', async () => {
    for (const [userId, heading] of [
      ['office.nurse', 'Office'],
      ['ops.admin', 'Operations'],
      ['mailroom.clerk', 'Mailroom'],
    ]) {
      await signOnAs(userId)
      assert.equal(await headingText(page), heading)
      await assertAccessible(`the ${heading} page`)
      await pressButton(page, 'Sign out')
    }
  })

  it('explains a refused page, a missing page and an expired form accessibly', async () => {
    await signOnAs('pat.rivera')
    await page.goto(`${url}/ops`)
    assert.equal(await headingText(page), 'You cannot open this page')
    await assertAccessible('the 403 page')
    await page.goto(`${url}/no-such-page`)
    assert.equal(await headingText(page), 'Page not found')
    await assertAccessible('the 404 page')
    await pressButton(page, 'Sign out')
    // A form whose session has gone: its token no longer matches.
    await page.goto(`${url}/sign-on`)
    await page.deleteCookie({ name: 'portal.sid', url })
    await fillByLabel(page, 'User ID', 'pat.rivera')
    await fillByLabel(page, 'Password', demoPassword)
    await pressButton(page, 'Sign on')
    assert.equal(await headingText(page), 'Your form expired')
    await assertAccessible('the form-expired page')
  })

  it('reaches the main content by the skip link first', async () => {
    await page.goto(`${url}/sign-on`)
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim())
    assert.equal(focused, 'Skip to main content')
  })
})

import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { Browser, Page } from 'puppeteer-core'
import { buildApp, closeServices, demoPassword, listen, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  fillByLabel,
  headingText,
  launchBrowser,
  newScriptlessPage,
  pressButton,
} from '../helpers/browser'
import { mariaCredentials, mariaRecord } from '../helpers/registration'

describe('registration and account pages in a browser with JavaScript off', () => {
  const services = testServices()
  let browser: Browser
  let server: Server
  let url: string
  let page: Page

  before(async () => {
    ;({ server, url } = await listen(buildApp(services)))
    browser = await launchBrowser()
  })
  beforeEach(async () => {
    await resetWithDemoPlan(services)
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

  async function errorSummary(): Promise<string[]> {
    return page.$$eval('.error-summary a', (links) => links.map((link) => link.textContent?.trim() ?? ''))
  }

  async function chooseLabel(text: string): Promise<void> {
    const clicked = await page.$$eval(
      'label',
      (labels, wanted) => {
        const label = labels.find((element) => element.textContent?.trim() === wanted)
        const input = label && document.getElementById(label.getAttribute('for') ?? '')
        if (input instanceof HTMLInputElement) input.checked = true
        return Boolean(input)
      },
      text,
    )
    if (!clicked) throw new Error(`No option labelled ${text}`)
  }

  it('registers Maria Garcia through all five steps and signs her on', async () => {
    await page.goto(`${url}/register`)
    assert.equal(await page.title(), 'Membership information (step 1 of 5) – Member Portal')
    await assertAccessible('step 1')
    await pressButton(page, 'Continue')
    assert.equal(await page.title(), 'Error: Membership information (step 1 of 5) – Member Portal')
    assert.equal((await errorSummary()).length, 4)
    await assertAccessible('step 1 with errors')

    await fillByLabel(page, 'First name', 'Maria')
    await fillByLabel(page, 'Last name', 'Garcia')
    await fillByLabel(page, 'Day', '31')
    await fillByLabel(page, 'Month', '2')
    await fillByLabel(page, 'Year', '1985')
    await fillByLabel(page, 'Medical record number (MRN)', '11000001')
    await pressButton(page, 'Continue')
    assert.deepEqual(await errorSummary(), ['Your date of birth must be a real date'])
    await fillByLabel(page, 'Day', '14')
    await fillByLabel(page, 'Month', '3')
    await pressButton(page, 'Continue')

    assert.equal(await page.title(), 'Terms and conditions (step 2 of 5) – Member Portal')
    await assertAccessible('step 2')
    await pressButton(page, 'Continue')
    assert.deepEqual(await errorSummary(), ['Select the box to say you accept the terms and conditions'])
    await assertAccessible('step 2 with an error')
    await page.click('#accept')
    await pressButton(page, 'Continue')

    assert.equal(await page.title(), 'User ID and email (step 3 of 5) – Member Portal')
    await assertAccessible('step 3')
    await fillByLabel(page, 'User ID', 'Pat.Rivera')
    await fillByLabel(page, 'Email address', 'maria.garcia@example.com')
    await pressButton(page, 'Continue')
    assert.deepEqual(await errorSummary(), ['That user ID is already taken. Choose a different one'])
    await assertAccessible('step 3 with an error')
    await fillByLabel(page, 'User ID', 'maria.garcia')
    await pressButton(page, 'Continue')

    assert.equal(await page.title(), 'Secure your account (step 4 of 5) – Member Portal')
    await assertAccessible('step 4 identity questions')
    await pressButton(page, 'Continue')
    assert.equal((await errorSummary()).length, 3)
    await assertAccessible('step 4 identity questions with errors')
    for (const truth of Object.values(mariaRecord)) await chooseLabel(truth)
    await pressButton(page, 'Continue')

    assert.equal(new URL(page.url()).pathname, '/register/secure/password')
    await assertAccessible('step 4 password')
    await pressButton(page, 'Create account')
    assert.ok((await errorSummary()).length >= 4)
    await assertAccessible('step 4 password with errors')
    await fillByLabel(page, 'New password', mariaCredentials.password)
    await fillByLabel(page, 'Type the new password again', mariaCredentials.password)
    for (const n of [1, 2, 3]) {
      await page.select(`#question${n}`, mariaCredentials[`question${n}` as 'question1'])
      await page.type(`#answer${n}`, mariaCredentials[`answer${n}` as 'answer1'])
    }
    await pressButton(page, 'Create account')

    assert.equal(await headingText(page), 'You are registered')
    assert.equal(await page.title(), 'Sign on (step 5 of 5) – Member Portal')
    await assertAccessible('step 5')
    const signOnLink = await page.$('main a.button')
    await Promise.all([page.waitForNavigation(), signOnLink!.click()])
    await fillByLabel(page, 'User ID', 'maria.garcia')
    await fillByLabel(page, 'Password', mariaCredentials.password)
    await pressButton(page, 'Sign on')
    assert.equal(await headingText(page), 'Welcome, Maria')
  })

  it('keeps recovery pages accessible, errors included', async () => {
    await page.goto(`${url}/forgot-user-id`)
    await assertAccessible('forgot user ID')
    await pressButton(page, 'Send my user ID')
    await assertAccessible('forgot user ID with errors')
    await page.goto(`${url}/forgot-password`)
    await assertAccessible('forgot password')
    await pressButton(page, 'Send a reset link')
    assert.deepEqual(await errorSummary(), ['Enter your user ID'])
    await assertAccessible('forgot password with an error')
    await fillByLabel(page, 'User ID', 'alex.rivera')
    await pressButton(page, 'Send a reset link')
    assert.equal(await headingText(page), 'Check your email')
    await assertAccessible('reset link sent')
  })

  it('keeps account settings accessible, errors included', async () => {
    await page.goto(`${url}/sign-on`)
    await fillByLabel(page, 'User ID', 'alex.rivera')
    await fillByLabel(page, 'Password', demoPassword)
    await pressButton(page, 'Sign on')
    await page.goto(`${url}/account`)
    assert.equal(await headingText(page), 'Your account')
    await assertAccessible('account overview')
    for (const [path, button] of [
      ['/account/password', 'Change password'],
      ['/account/email', 'Send confirmation link'],
      ['/account/secret-questions', 'Save secret questions'],
    ]) {
      await page.goto(`${url}${path}`)
      await assertAccessible(path)
      await pressButton(page, button)
      assert.ok((await errorSummary()).length > 0, path)
      await assertAccessible(`${path} with errors`)
    }
  })
})

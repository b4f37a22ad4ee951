import assert from 'node:assert/strict'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { fillByLabel, headingText, pressButton, useScriptlessBrowser } from '../helpers/browser'
import { mariaCredentials, mariaRecord } from '../helpers/registration'

describe('registration and account pages in a browser with JavaScript off', () => {
  const services = testServices()
  const h = useScriptlessBrowser(services, { prepare: () => resetWithDemoPlan(services) })

  async function errorSummary(): Promise<string[]> {
    return h.page.$$eval('.error-summary a', (links) => links.map((link) => link.textContent?.trim() ?? ''))
  }

  async function chooseLabel(text: string): Promise<void> {
    const clicked = await h.page.$$eval(
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
    await h.page.goto(`${h.url}/register`)
    assert.equal(await h.page.title(), 'Membership information (step 1 of 5) – Member Portal')
    await h.assertAccessible('step 1')
    await pressButton(h.page, 'Continue')
    assert.equal(await h.page.title(), 'Error: Membership information (step 1 of 5) – Member Portal')
    assert.equal((await errorSummary()).length, 4)
    await h.assertAccessible('step 1 with errors')

    await fillByLabel(h.page, 'First name', 'Maria')
    await fillByLabel(h.page, 'Last name', 'Garcia')
    await fillByLabel(h.page, 'Day', '31')
    await fillByLabel(h.page, 'Month', '2')
    await fillByLabel(h.page, 'Year', '1985')
    await fillByLabel(h.page, 'Medical record number (MRN)', '11000001')
    await pressButton(h.page, 'Continue')
    assert.deepEqual(await errorSummary(), ['Your date of birth must be a real date'])
    await fillByLabel(h.page, 'Day', '14')
    await fillByLabel(h.page, 'Month', '3')
    await pressButton(h.page, 'Continue')

    assert.equal(await h.page.title(), 'Terms and conditions (step 2 of 5) – Member Portal')
    await h.assertAccessible('step 2')
    await pressButton(h.page, 'Continue')
    assert.deepEqual(await errorSummary(), ['Select the box to say you accept the terms and conditions'])
    await h.assertAccessible('step 2 with an error')
    await h.page.click('#accept')
    await pressButton(h.page, 'Continue')

    assert.equal(await h.page.title(), 'User ID and email (step 3 of 5) – Member Portal')
    await h.assertAccessible('step 3')
    await fillByLabel(h.page, 'User ID', 'Pat.Rivera')
    await fillByLabel(h.page, 'Email address', 'maria.garcia@example.com')
    await pressButton(h.page, 'Continue')
    assert.deepEqual(await errorSummary(), ['That user ID is already taken. Choose a different one'])
    await h.assertAccessible('step 3 with an error')
    await fillByLabel(h.page, 'User ID', 'maria.garcia')
    await pressButton(h.page, 'Continue')

    assert.equal(await h.page.title(), 'Secure your account: confirm it is you (step 4 of 5) – Member Portal')
    await h.assertAccessible('step 4 identity questions')
    await pressButton(h.page, 'Continue')
    assert.equal((await errorSummary()).length, 3)
    await h.assertAccessible('step 4 identity questions with errors')
    for (const truth of Object.values(mariaRecord)) await chooseLabel(truth)
    await pressButton(h.page, 'Continue')

    assert.equal(new URL(h.page.url()).pathname, '/register/secure/password')
    await h.assertAccessible('step 4 password')
    await pressButton(h.page, 'Create account')
    assert.ok((await errorSummary()).length >= 4)
    await h.assertAccessible('step 4 password with errors')
    await fillByLabel(h.page, 'New password', mariaCredentials.password)
    await fillByLabel(h.page, 'Type the new password again', mariaCredentials.password)
    for (const n of [1, 2, 3]) {
      await h.page.select(`#question${n}`, mariaCredentials[`question${n}` as 'question1'])
      await h.page.type(`#answer${n}`, mariaCredentials[`answer${n}` as 'answer1'])
    }
    await pressButton(h.page, 'Create account')

    assert.equal(await headingText(h.page), 'You are registered')
    assert.equal(await h.page.title(), 'You are registered (step 5 of 5) – Member Portal')
    await h.assertAccessible('step 5')
    const signOnLink = await h.page.$('main a.button')
    await Promise.all([h.page.waitForNavigation(), signOnLink!.click()])
    await fillByLabel(h.page, 'User ID', 'maria.garcia')
    await fillByLabel(h.page, 'Password', mariaCredentials.password)
    await pressButton(h.page, 'Sign on')
    assert.equal(await headingText(h.page), 'Welcome, Maria')
  })

  it('keeps recovery pages accessible, errors included', async () => {
    await h.page.goto(`${h.url}/forgot-user-id`)
    await h.assertAccessible('forgot user ID')
    await pressButton(h.page, 'Send my user ID')
    await h.assertAccessible('forgot user ID with errors')
    await h.page.goto(`${h.url}/forgot-password`)
    await h.assertAccessible('forgot password')
    await pressButton(h.page, 'Send a reset link')
    assert.deepEqual(await errorSummary(), ['Enter your user ID'])
    await h.assertAccessible('forgot password with an error')
    await fillByLabel(h.page, 'User ID', 'alex.rivera')
    await pressButton(h.page, 'Send a reset link')
    assert.equal(await headingText(h.page), 'Check your email')
    await h.assertAccessible('reset link sent')
  })

  it('keeps account settings accessible, errors included', async () => {
    await h.page.goto(`${h.url}/sign-on`)
    await fillByLabel(h.page, 'User ID', 'alex.rivera')
    await fillByLabel(h.page, 'Password', demoPassword)
    await pressButton(h.page, 'Sign on')
    await h.page.goto(`${h.url}/account`)
    assert.equal(await headingText(h.page), 'Your account')
    await h.assertAccessible('account overview')
    for (const [path, button] of [
      ['/account/password', 'Change password'],
      ['/account/email', 'Send confirmation link'],
      ['/account/secret-questions', 'Save secret questions'],
    ]) {
      await h.page.goto(`${h.url}${path}`)
      await h.assertAccessible(path)
      await pressButton(h.page, button)
      assert.ok((await errorSummary()).length > 0, path)
      await h.assertAccessible(`${path} with errors`)
    }
  })
})

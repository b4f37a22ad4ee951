import assert from 'node:assert/strict'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { clickLink, fillByLabel, headingText, pressButton, useScriptlessBrowser } from '../helpers/browser'

describe('the portal in a browser with JavaScript off', () => {
  const services = testServices()
  const h = useScriptlessBrowser(services, {
    prepareOnce: () => resetWithDemoPlan(services),
    prepare: async () => {
      await services.redis.flushdb()
    },
  })
  const signOnAs = (userId: string, password = demoPassword) => h.signOnAs(userId, password)

  it('welcomes visitors and leads to sign on', async () => {
    await h.page.goto(h.url)
    assert.equal(await headingText(h.page), 'Start managing your health online, on your time')
    await h.assertAccessible('the welcome page')
    await clickLink(h.page, 'Sign on')
    assert.equal(await h.page.title(), 'Sign on – Member Portal')
    await h.assertAccessible('the sign-on page')
  })

  it('signs a member on to their home page and out again', async () => {
    await signOnAs('alex.rivera')
    assert.equal(new URL(h.page.url()).pathname, '/home')
    assert.equal(await headingText(h.page), 'Welcome, Alex')
    await h.assertAccessible('the home page')
    await pressButton(h.page, 'Sign out')
    assert.equal(await headingText(h.page), 'You have signed out')
    await h.assertAccessible('the signed-out page')
    await h.page.goto(`${h.url}/home`)
    assert.equal(new URL(h.page.url()).pathname, '/sign-on')
  })

  it('shows sign-on errors in a summary linked to the field', async () => {
    await h.page.goto(`${h.url}/sign-on`)
    await pressButton(h.page, 'Sign on')
    assert.equal(await h.page.title(), 'Error: Sign on – Member Portal')
    const summary = await h.page.$$eval('.error-summary a', (links) =>
      links.map((link) => [link.textContent, link.getAttribute('href')]),
    )
    assert.deepEqual(summary, [
      ['Enter your user ID', '#userId'],
      ['Enter your password', '#password'],
    ])
    await h.assertAccessible('the sign-on page with errors')
    await signOnAs('alex.rivera', 'this is not the password')
    assert.match(await h.page.$eval('.error-summary', (element) => element.textContent ?? ''), /not right/)
    await h.assertAccessible('the sign-on page after a failure')
  })

  it('takes each kind of staff to an accessible start page', async () => {
    for (const [userId, heading] of [
      ['office.nurse', 'Messages for Family Medicine'],
      ['ops.admin', 'Operations'],
      ['mailroom.clerk', 'Mailroom'],
    ]) {
      await signOnAs(userId)
      assert.equal(await headingText(h.page), heading)
      await h.assertAccessible(`the ${heading} page`)
      await pressButton(h.page, 'Sign out')
    }
  })

  it('explains a refused page, a missing page and an expired form accessibly', async () => {
    await signOnAs('pat.rivera')
    await h.page.goto(`${h.url}/ops`)
    assert.equal(await headingText(h.page), 'You cannot open this page')
    await h.assertAccessible('the 403 page')
    await h.page.goto(`${h.url}/no-such-page`)
    assert.equal(await headingText(h.page), 'Page not found')
    await h.assertAccessible('the 404 page')
    await pressButton(h.page, 'Sign out')
    // A form whose session has gone comes back with what was typed, except the password.
    await h.page.goto(`${h.url}/sign-on`)
    await h.page.deleteCookie({ name: 'portal.sid', url: h.url })
    await fillByLabel(h.page, 'User ID', 'pat.rivera')
    await fillByLabel(h.page, 'Password', demoPassword)
    await pressButton(h.page, 'Sign on')
    assert.equal(await headingText(h.page), 'Sign on')
    assert.equal(await h.page.$eval('#userId', (input) => (input as HTMLInputElement).value), 'pat.rivera')
    assert.equal(await h.page.$eval('#password', (input) => (input as HTMLInputElement).value), '')
    await h.assertAccessible('the sign-on form shown again after its session lapsed')
    // A form from another session than the live one is refused.
    await h.page.deleteCookie({ name: 'portal.sid', url: h.url })
    const other = await h.page.browser().newPage()
    await other.setJavaScriptEnabled(false)
    await other.goto(`${h.url}/forgot-password`)
    await other.close()
    await fillByLabel(h.page, 'Password', demoPassword)
    await pressButton(h.page, 'Sign on')
    assert.equal(await headingText(h.page), 'Your form expired')
    await h.assertAccessible('the form-expired page')
  })

  it('reaches the main content by the skip link first', async () => {
    await h.page.goto(`${h.url}/sign-on`)
    await h.page.keyboard.press('Tab')
    const focused = await h.page.evaluate(() => document.activeElement?.textContent?.trim())
    assert.equal(focused, 'Skip to main content')
  })
})

import assert from 'node:assert/strict'
import type { HTTPResponse, Page } from 'puppeteer-core'
import supertest from 'supertest'
import { demoPassword, resetWithDemoPlan, testServicesAt } from '../helpers/app'
import {
  checkByLabel,
  accessibilityViolations,
  clickLink,
  fillByLabel,
  headingText,
  newScriptlessPage,
  pressButton,
  useScriptlessBrowser,
} from '../helpers/browser'
import { assertValidFhir } from '../helpers/fhir-validation'
import { authorizeUrl, demoApp, fullScope, pkcePair } from '../helpers/smart'

/**
 * Waits for the browser to be sent to the app's own scheme, as the system browser hands the code to the app
 * (RFC 8252). Headless Chromium has no app for the scheme, so the redirect that names it is what is checked —
 * together with the absence of a Content-Security-Policy refusal (Chromium applies form-action to the redirects
 * that follow a form's POST).
 */
function handOffToApp(page: Page): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text()))
        reject(new Error(`The redirect to the app was refused: ${message.text()}`))
    })
    const listener = (response: HTTPResponse) => {
      const location = response.headers().location
      if (location?.startsWith(demoApp.redirectUri)) {
        page.off('response', listener)
        // A refusal is reported just after the redirect that breaks the policy arrives.
        setTimeout(() => resolve(new URL(location)), 500)
      }
    }
    page.on('response', listener)
  })
}

describe('the mobile app, end to end, with the browser part in Chromium with JavaScript off', () => {
  // The portal at the server's own address: the app follows the addresses discovery gives, made from PUBLIC_URL.
  const site = useScriptlessBrowser((publicUrl) => testServicesAt(publicUrl), { prepareOnce: resetWithDemoPlan })

  it('discovers the server, signs on and consents in the browser, exchanges the code with PKCE, reads records, refreshes, and stops working once access is taken away', async function () {
    this.timeout(120_000)
    const { page } = site
    const api = supertest(site.url)

    // Discovery, as the app starts from the FHIR base address.
    const smart = (await api.get('/fhir/R4/.well-known/smart-configuration').expect(200)).body as Record<string, string>
    const authorize = new URL(smart.authorization_endpoint)
    const { verifier, challenge } = pkcePair()
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: demoApp.clientId,
      redirect_uri: demoApp.redirectUri,
      scope: fullScope,
      state: 'app-state-42',
      aud: `${site.url}/fhir/R4`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString()

    // The system browser: the portal's own sign-on page, then consent naming the app and what it reads.
    await page.goto(authorize.href)
    assert.equal(await headingText(page), 'Sign on')
    assert.match(
      await page.$eval('main', (main) => main.textContent ?? ''),
      /Sign on to let Member Portal mobile app read your records/,
    )
    await site.assertAccessible('The sign-on page, opened by the app')
    await fillByLabel(page, 'User ID', 'alex.rivera')
    await fillByLabel(page, 'Password', demoPassword)
    await pressButton(page, 'Sign on')
    // Alex acts for Sam, Jordan and Pat too, so the app asks whose records first; Alex picks their own.
    assert.equal(await headingText(page), 'Whose records should Member Portal mobile app read?')
    await checkByLabel(page, 'Alex Rivera (you)')
    await pressButton(page, 'Continue')
    assert.equal(await headingText(page), 'Let Member Portal mobile app read your records?')
    const consent = await page.$eval('main', (main) => main.textContent?.replace(/\s+/g, ' ') ?? '')
    assert.match(consent, /Lab results, only once they are released to be seen online/)
    assert.match(consent, /Claims: what was billed/)
    await site.assertAccessible('The consent page')

    const handOff = handOffToApp(page)
    const buttons = await page.$$('button')
    for (const button of buttons)
      if ((await button.evaluate((element) => element.textContent?.trim())) === 'Allow') await button.click()
    const callback = await handOff
    assert.equal(callback.searchParams.get('state'), 'app-state-42')
    const code = callback.searchParams.get('code')!
    assert.ok(code)

    // The app exchanges the code with its PKCE verifier.
    const token = await api
      .post(new URL(smart.token_endpoint).pathname)
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: demoApp.redirectUri,
        client_id: demoApp.clientId,
        code_verifier: verifier,
      })
      .expect(200)
    const patient = token.body.patient as string
    const bearer = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` })

    // FHIR reads.
    const record = await api.get(`/fhir/R4/Patient/${patient}`).set(bearer(token.body.access_token)).expect(200)
    assertValidFhir(record.body)
    assert.equal(record.body.name[0].text, 'Alex Rivera')
    const labs = await api
      .get(`/fhir/R4/Observation?patient=${patient}`)
      .set(bearer(token.body.access_token))
      .expect(200)
    assertValidFhir(labs.body)
    assert.ok(labs.body.total > 0)

    // Refresh rotation: the new refresh token works, the old one is refused.
    const rotated = await api
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: demoApp.clientId })
      .expect(200)
    assert.notEqual(rotated.body.refresh_token, token.body.refresh_token)
    await api.get(`/fhir/R4/Patient/${patient}`).set(bearer(rotated.body.access_token)).expect(200)

    // The member takes access away in account settings, in another tab (the one that handed the code to the
    // app is left to the operating system's "open the app?" prompt); the app's next call and refresh fail.
    const settings = await newScriptlessPage(page.browser())
    await settings.goto(`${site.url}/account`)
    await clickLink(settings, 'See apps with access')
    assert.equal(await headingText(settings), 'Apps with access')
    assert.deepEqual(await accessibilityViolations(settings), [], 'Apps with access')
    await Promise.all([settings.waitForNavigation(), settings.click('.app-card form button')])
    assert.match(await settings.$eval('main', (main) => main.textContent ?? ''), /no longer has access/)
    assert.deepEqual(await accessibilityViolations(settings), [], 'Apps with access, after taking access away')
    await settings.close()
    await api.get(`/fhir/R4/Patient/${patient}`).set(bearer(rotated.body.access_token)).expect(401)
    await api
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token, client_id: demoApp.clientId })
      .expect(400)
  })

  it('draws the patient picker and the "start again" page accessibly, without JavaScript', async function () {
    this.timeout(120_000)
    const { page } = site
    // Signed on already from the test before (the same browser), or signed on now.
    await page.goto(`${site.url}/sign-on`)
    if (new URL(page.url()).pathname === '/sign-on') {
      await fillByLabel(page, 'User ID', 'alex.rivera')
      await fillByLabel(page, 'Password', demoPassword)
      await pressButton(page, 'Sign on')
    }
    await page.goto(`${site.url}${authorizeUrl({ challenge: pkcePair().challenge, aud: `${site.url}/fhir/R4` })}`)
    assert.equal(await headingText(page), 'Whose records should Member Portal mobile app read?')
    await site.assertAccessible('The patient picker')
    await pressButton(page, 'Continue')
    assert.equal(await page.title(), 'Error: Whose records should Member Portal mobile app read? – Member Portal')
    await site.assertAccessible('The patient picker with an error')
    await page.goto(`${site.url}/connect-app/no-such-sign-on`)
    assert.equal(await headingText(page), 'Start again from the app')
    await site.assertAccessible('The start-again page')
  })
})

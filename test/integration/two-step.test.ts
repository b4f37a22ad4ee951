import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { appCodeAt } from '../../src/two-step/codes'
import { CodeRefusedError } from '../../src/two-step/service'
import {
  buildApp,
  closeServices,
  countRows,
  demoPassword,
  errorSummary,
  pageText,
  resetWithDemoPlan,
  signedOnAgent,
  signOn,
  submitForm,
  testServicesAt,
  titleOf,
} from '../helpers/app'
import { useBackground } from '../helpers/background'
import { authorizeInBrowser, authorizeUrl, exchangeCode, onPortal, pkcePair } from '../helpers/smart'

// The page's words for any failed sign-on (accounts:signOn.failure in English).
const signOnFailure =
  'The user ID or password is not right, or the account is locked for a while. Check what you typed and try again, or recover your user ID or password.'

const start = new Date('2026-11-25T15:00:00Z')

describe('2-step verification', () => {
  const clock = fixedClock(start)
  const context = useBackground({ clock, startAt: start })
  const services = () => context.background.services
  const mail = () => context.background.mail

  /** Alex signs on (no second step yet), opens settings and adds an authenticator app; returns its key. */
  async function alexWithApp(): Promise<{ key: string; codes: string[] }> {
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    const setup = await agent.get('/account/two-step/app').expect(200)
    const $ = cheerio.load(setup.text)
    assert.equal($('.qr-code svg[role="img"]').length, 1, 'a QR code drawn on the server')
    assert.equal($('script:not([src])').length, 0, 'no inline script')
    const key = $('.setup-key code').text().replace(/\s+/g, '')
    assert.match(key, /^[A-Z2-7]{32}$/)
    const wrong = await submitForm(agent, '/account/two-step/app', { oneTimeCode: '000000' })
    assert.equal(wrong.status, 400)
    assert.deepEqual(errorSummary(wrong.text), ['The code is not right. Check it and try again.'])
    const added = await submitForm(agent, '/account/two-step/app', { oneTimeCode: appCodeAt(key, clock()) })
    assert.equal(added.status, 200)
    const codes = cheerio
      .load(added.text)('.recovery-codes code')
      .map((_i, element) => cheerio.load(element).text())
      .get()
    assert.equal(codes.length, 10)
    clock.advance(30_000)
    return { key, codes }
  }

  async function passwordStep(agent = supertest.agent(context.app)) {
    const response = await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    assert.equal(response.headers.location, '/sign-on/verify')
    return agent
  }

  it('asks a member without it on their home page, and after "Not now" again in 30 days', async () => {
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    const home = await agent.get('/home').expect(200)
    assert.match(pageText(home.text), /Protect your account with 2-step verification/)
    await submitForm(agent, '/home', {}, '/account/two-step/not-now')
    assert.doesNotMatch(pageText((await agent.get('/home')).text), /Protect your account/)
    clock.advance(30 * 86_400_000 + 60_000)
    const later = supertest.agent(context.app)
    await submitForm(later, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    assert.match(pageText((await later.get('/home')).text), /Protect your account with 2-step verification/)
  })

  it('asks for the app code after the password, refuses a wrong or reused code, and records the method', async () => {
    const { key } = await alexWithApp()
    const agent = await passwordStep()
    // Not signed on between the steps.
    assert.equal((await agent.get('/home')).headers.location, '/sign-on')
    const page = await agent.get('/sign-on/verify').expect(200)
    assert.equal(titleOf(page.text), 'Enter the code from your authenticator app – Member Portal')
    const wrong = await submitForm(agent, '/sign-on/verify', { oneTimeCode: '123456' })
    assert.equal(wrong.status, 401)
    assert.deepEqual(errorSummary(wrong.text), ['The code is not right. Check it and try again.'])
    assert.equal(titleOf(wrong.text), 'Error: Enter the code from your authenticator app – Member Portal')
    const code = appCodeAt(key, clock())
    const done = await submitForm(agent, '/sign-on/verify', { oneTimeCode: code })
    assert.equal(done.headers.location, '/home')
    await agent.get('/home').expect(200)

    const again = await passwordStep()
    const reused = await submitForm(again, '/sign-on/verify', { oneTimeCode: code })
    assert.deepEqual(errorSummary(reused.text), ['That code has already been used. Enter a new one.'])
    const alex = await services().users.findByUserId('alex.rivera')
    const events = await services()
      .db('sign_on_events')
      .where({ user_id: alex!.id })
      .orderBy('id')
      .select('outcome', 'method')
    assert.deepEqual(events.slice(-4), [
      { outcome: 'signed-on', method: 'password' },
      { outcome: 'failed-second-step', method: 'app' },
      { outcome: 'signed-on', method: 'password+app' },
      { outcome: 'failed-second-step', method: 'app' },
    ])
  })

  it('answers missing, huge and hostile codes with a message', async () => {
    await alexWithApp()
    const agent = await passwordStep()
    for (const [typed, message] of [
      ['', 'Enter the code'],
      ['9'.repeat(500), 'The code must be 20 characters or fewer'],
      ['<script>1</script>', 'The code is not right. Check it and try again.'],
    ]) {
      const response = await submitForm(agent, '/sign-on/verify', { oneTimeCode: typed })
      assert.ok(response.status === 400 || response.status === 401, String(response.status))
      assert.deepEqual(errorSummary(response.text), [message])
      assert.doesNotMatch(response.text, /<script>1/)
    }
    const arrays = await submitForm(agent, '/sign-on/verify', { oneTimeCode: ['1', '2'] })
    assert.deepEqual(errorSummary(arrays.text), ['Enter the code'])
  })

  it('locks the account after ten wrong codes, password failures counted with them', async () => {
    await alexWithApp()
    for (let i = 0; i < 3; i++) await signOn(supertest.agent(context.app), 'alex.rivera', `wrong password ${i}`)
    const agent = await passwordStep()
    let last
    for (let i = 0; i < 7; i++) last = await submitForm(agent, '/sign-on/verify', { oneTimeCode: '000000' })
    // The tenth failure locks: the pending sign-on ends with the sign-on page's one message.
    assert.equal(last!.status, 401)
    assert.deepEqual(errorSummary(last!.text), [signOnFailure])
    const afterLock = await submitForm(supertest.agent(context.app), '/sign-on', {
      userId: 'alex.rivera',
      password: demoPassword,
    })
    assert.deepEqual(errorSummary(afterLock.text), [signOnFailure])
  })

  it('turns on codes by email, then emails a code that works once, within 10 minutes', async () => {
    const { key } = await alexWithApp()
    const signedOn = await passwordStep()
    await submitForm(signedOn, '/sign-on/verify', { oneTimeCode: appCodeAt(key, clock()) })
    mail().messages.length = 0
    await submitForm(signedOn, '/account/two-step', {}, '/account/two-step/email')
    const first = await mail().waitFor((message) => message.subject === 'Your Member Portal sign-on code')
    assert.equal(first.to, 'alex.rivera@example.com')
    const turnedOn = await submitForm(
      signedOn,
      '/account/two-step/email',
      {
        oneTimeCode: first.text.match(/\b(\d{6})\b/)![1],
      },
      '/account/two-step/email/confirm',
    )
    assert.equal(turnedOn.headers.location, '/account/two-step')
    const agent = await passwordStep()
    const other = await agent.get('/sign-on/verify/other').expect(200)
    assert.match(pageText(other.text), /a•••@example\.com/)
    const sendEmail = async () => {
      mail().messages.length = 0
      await submitForm(agent, '/sign-on/verify/other', {}, '/sign-on/verify/email')
      const email = await mail().waitFor((message) => message.subject === 'Your Member Portal sign-on code')
      return email.text.match(/\b(\d{6})\b/)![1]
    }
    const expired = await sendEmail()
    clock.advance(10 * 60_000 + 1000)
    // The pending sign-on itself has lapsed too: the password again, then the code.
    await passwordStep(agent)
    await submitForm(agent, '/sign-on/verify/other', {}, '/sign-on/verify/email')
    const tooLate = await submitForm(agent, '/sign-on/verify', { oneTimeCode: expired })
    assert.deepEqual(errorSummary(tooLate.text), ['That code has expired. Ask for a new code.'])
    const fresh = await sendEmail()
    const done = await submitForm(agent, '/sign-on/verify', { oneTimeCode: fresh })
    assert.equal(done.headers.location, '/home')
    const again = await passwordStep()
    await submitForm(again, '/sign-on/verify/other', {}, '/sign-on/verify/email')
    const reused = await submitForm(again, '/sign-on/verify', { oneTimeCode: fresh })
    assert.deepEqual(errorSummary(reused.text), ['That code has already been used. Enter a new one.'])
  })

  it('takes each recovery code once, says how many are left, and refuses them all once used', async () => {
    const { codes } = await alexWithApp()
    for (const [index, code] of codes.entries()) {
      const agent = await passwordStep()
      await agent.get('/sign-on/verify?with=recovery-code').expect(200)
      const done = await submitForm(agent, '/sign-on/verify', { oneTimeCode: code.toUpperCase().replace('-', ' ') })
      assert.equal(done.headers.location, '/account/two-step')
      const settings = await agent.get('/account/two-step')
      const left = 9 - index
      assert.match(
        pageText(settings.text),
        left === 0 ? /You used your last recovery code/ : new RegExp(`You have ${left} left`),
      )
    }
    const agent = await passwordStep()
    await agent.get('/sign-on/verify?with=recovery-code')
    const used = await submitForm(agent, '/sign-on/verify', { oneTimeCode: codes[0] })
    assert.deepEqual(errorSummary(used.text), ['That code has already been used. Enter a new one.'])
    await context.background.settle()
  })

  it('remembers a browser for 30 days, lists it, and forgets it when asked', async () => {
    const { key } = await alexWithApp()
    const first = await passwordStep()
    const verified = await submitForm(first, '/sign-on/verify', {
      oneTimeCode: appCodeAt(key, clock()),
      remember: 'yes',
    })
    const cookie = String(verified.headers['set-cookie']).match(/portal\.rb=([^;]+)/)![1]
    const settings = await first.get('/account/two-step')
    assert.match(pageText(settings.text), /Remembered browsers.*A browser/)
    // The same browser (its cookie, in a new session) skips the second step the next time...
    const sameBrowser = () => {
      const agent = supertest.agent(context.app)
      ;(agent as unknown as { jar: { setCookie(c: string, d: string, p: string): void } }).jar.setCookie(
        `portal.rb=${cookie}; Path=/`,
        '127.0.0.1',
        '/',
      )
      return submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    }
    assert.equal((await sameBrowser()).headers.location, '/home')
    // ...until 30 days have passed...
    clock.advance(30 * 86_400_000 + 1000)
    assert.equal((await sameBrowser()).headers.location, '/sign-on/verify')
    // ...or until the member forgets it in settings.
    clock.set(start)
    clock.advance(60_000)
    const signedOn = await sameBrowser()
    assert.equal(signedOn.headers.location, '/home')
    const agent = await passwordStep()
    await submitForm(agent, '/sign-on/verify', { oneTimeCode: appCodeAt(key, clock()) })
    const list = await agent.get('/account/two-step').expect(200)
    const forget = cheerio.load(list.text)('form[action$="/forget"]').first().attr('action')!
    await submitForm(agent, '/account/two-step', {}, forget)
    assert.equal((await sameBrowser()).headers.location, '/sign-on/verify')
  })

  it('still asks for the second step after a password reset', async () => {
    await alexWithApp()
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/forgot-password', { userId: 'alex.rivera' })
    await context.background.settle()
    const alex = await services().users.findByUserId('alex.rivera')
    await services().db('password_resets').where({ user_id: alex!.id }).update({ answers_passed_at: clock() })
    const reset = await services().db('password_resets').where({ user_id: alex!.id }).first('id')
    assert.ok(reset)
    const opened = { resetId: reset.id, userId: alex!.id, questionKeys: [] }
    assert.equal(await services().recovery.completeReset(opened, 'a fresh harbor morning tide'), true)
    const signOnAfter = await submitForm(supertest.agent(context.app), '/sign-on', {
      userId: 'alex.rivera',
      password: 'a fresh harbor morning tide',
    })
    assert.equal(signOnAfter.headers.location, '/sign-on/verify')
  })

  it('removes a method only with the password and a current code, and tells the member', async () => {
    const { key } = await alexWithApp()
    const agent = await passwordStep()
    await submitForm(agent, '/sign-on/verify', { oneTimeCode: appCodeAt(key, clock()) })
    clock.advance(30_000)
    const settings = await agent.get('/account/two-step')
    const removePath = cheerio.load(settings.text)('a[href$="/remove"]').attr('href')!
    const refused = await submitForm(agent, removePath, { currentPassword: 'not it', oneTimeCode: '' })
    assert.deepEqual(errorSummary(refused.text), ['Your current password is not right', 'Enter the code'])
    const wrongCode = await submitForm(agent, removePath, { currentPassword: demoPassword, oneTimeCode: '123456' })
    assert.equal(wrongCode.status, 400)
    assert.deepEqual(errorSummary(wrongCode.text), ['The code is not right. Check it and try again.'])
    const usedCode = await submitForm(agent, removePath, {
      currentPassword: demoPassword,
      oneTimeCode: appCodeAt(key, new Date(clock().getTime() - 30_000)),
    })
    assert.equal(usedCode.status, 400)
    assert.deepEqual(errorSummary(usedCode.text), ['That code has already been used. Enter a new one.'])
    mail().messages.length = 0
    const removed = await submitForm(agent, removePath, {
      currentPassword: demoPassword,
      oneTimeCode: appCodeAt(key, clock()),
    })
    assert.equal(removed.headers.location, '/account/two-step')
    const notice = await mail().waitFor((email) => /was removed/.test(email.text))
    assert.equal(notice.to, 'alex.rivera@example.com')
    const again = await submitForm(supertest.agent(context.app), '/sign-on', {
      userId: 'alex.rivera',
      password: demoPassword,
    })
    assert.equal(again.headers.location, '/home')
  })

  it('puts the app’s sign-on (SMART authorization) through the same second step', async () => {
    const { key } = await alexWithApp()
    const agent = supertest.agent(context.app)
    const { verifier, challenge } = pkcePair()
    const start = await agent.get(authorizeUrl({ challenge })).expect(303)
    const interaction = onPortal(start.headers.location)
    assert.equal((await agent.get(interaction)).headers.location, '/sign-on')
    await passwordStep(agent)
    // Between the steps the app's sign-on still waits for the portal's.
    assert.equal((await agent.get(interaction)).headers.location, '/sign-on')
    const verified = await submitForm(agent, '/sign-on/verify', { oneTimeCode: appCodeAt(key, clock()) })
    assert.equal(verified.headers.location, interaction)
    const callback = await authorizeInBrowser(agent, { challenge, startAt: interaction })
    const tokens = await exchangeCode(context.app, callback.searchParams.get('code')!, verifier)
    assert.equal(tokens.status, 200, tokens.text)
  })

  it('walks staff without a method through setting one up before anything opens', async () => {
    const nurse = await services().users.findByUserId('office.nurse')
    await services().db('two_step_methods').where({ user_id: nurse!.id }).delete()
    const agent = supertest.agent(context.app)
    const password = await submitForm(agent, '/sign-on', { userId: 'office.nurse', password: demoPassword })
    assert.equal(password.headers.location, '/sign-on/set-up')
    assert.equal((await agent.get('/office')).headers.location, '/sign-on')
    const setup = await agent.get('/sign-on/set-up').expect(200)
    assert.equal(titleOf(setup.text), 'Set up 2-step verification – Member Portal')
    const key = cheerio.load(setup.text)('.setup-key code').text().replace(/\s+/g, '')
    const confirmed = await submitForm(agent, '/sign-on/set-up', { oneTimeCode: appCodeAt(key, clock()) })
    assert.equal(cheerio.load(confirmed.text)('.recovery-codes li').length, 10)
    const done = await agent
      .post('/sign-on/set-up/done')
      .type('form')
      .send({ _csrf: cheerio.load(confirmed.text)('input[name="_csrf"]').val() })
    assert.equal(done.headers.location, '/office')
    await agent.get('/office').expect(200)
    assert.equal(await countRows(services().db, 'two_step_methods', { user_id: nurse!.id, kind: 'app' }), 1)
  })

  it('starts 2-step verification over when a mailed temporary password is used', async () => {
    const { key } = await alexWithApp()
    const alex = await services().users.findByUserId('alex.rivera')
    assert.ok(key)
    await services().twoStep.resetForTemporaryPassword(alex!.id)
    assert.equal(await countRows(services().db, 'two_step_methods', { user_id: alex!.id }), 0)
    assert.equal(await countRows(services().db, 'recovery_codes', { user_id: alex!.id }), 0)
    await mail().waitFor((email) => /2-step verification was turned off/.test(email.text))
  })

  it('refuses a code by throwing CodeRefusedError, its problem the code field and a message key', async () => {
    const { key, codes } = await alexWithApp()
    const alex = (await services().users.findByUserId('alex.rivera'))!
    const refusal = (reason: string, text: string) => (error: unknown) => {
      assert.ok(error instanceof CodeRefusedError)
      assert.equal(error.reason, reason)
      assert.deepEqual(error.problems, [{ field: 'oneTimeCode', text }])
      return true
    }
    const code = appCodeAt(key, clock())
    assert.deepEqual(await services().twoStep.verify(alex.id, 'app', code), { method: 'app' })
    await assert.rejects(services().twoStep.verify(alex.id, 'app', code), refusal('reused', 'twoStep:codes.reused'))
    await assert.rejects(services().twoStep.verifyAny(alex.id, code), refusal('reused', 'twoStep:codes.reused'))
    await assert.rejects(services().twoStep.verify(alex.id, 'email', code), refusal('wrong', 'twoStep:codes.wrong'))
    await assert.rejects(
      services().twoStep.verify(alex.id, 'recovery-code', 'not a code'),
      refusal('wrong', 'twoStep:codes.wrong'),
    )
    assert.deepEqual(await services().twoStep.verifyAny(alex.id, codes[0]), {
      method: 'recovery-code',
      recoveryCodesLeft: codes.length - 1,
    })
    await assert.rejects(services().twoStep.verifyAny(alex.id, codes[0]), refusal('reused', 'twoStep:codes.reused'))
  })

  it('keeps the app key encrypted and codes hashed', async () => {
    const { key, codes } = await alexWithApp()
    const rows = JSON.stringify([
      await services().db('two_step_methods').select(),
      await services().db('recovery_codes').select(),
    ])
    assert.ok(!rows.includes(key))
    for (const code of codes) assert.ok(!rows.includes(code) && !rows.includes(code.replace('-', '')))
  })
})

describe('2-step verification when the mail server is down', () => {
  const services = testServicesAt('http://127.0.0.1:3000', (config) => ({ ...config, smtpUrl: 'smtp://127.0.0.1:9' }))
  const app = buildApp(services)
  before(() => resetWithDemoPlan(services))
  after(() => closeServices(services))

  it('says the code could not be emailed, never an error page, and keeps the member on the page', async () => {
    const agent = await signedOnAgent(app, 'alex.rivera')
    const asked = await submitForm(agent, '/account/two-step', {}, '/account/two-step/email')
    assert.equal(asked.status, 303)
    assert.equal(asked.headers.location, '/account/two-step/email')
    const page = await agent.get('/account/two-step/email').expect(200)
    assert.match(
      pageText(page.text),
      new RegExp(
        'We could not send the email just now. Try again in a few minutes, or use another way.'.replace(/\./g, '\\.'),
      ),
    )
  })
})

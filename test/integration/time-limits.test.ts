import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { Agent, csrfTokenIn, demoPassword, pageText, signOn, submitForm, titleOf, useTestApp } from '../helpers/app'
import { james, maria } from '../helpers/registration'

const minutes = (n: number) => n * 60_000

describe('time limits', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })
  beforeEach(() => clock.set(new Date('2026-11-25T15:00:00Z')))

  const valueOf = (html: string, selector: string) => cheerio.load(html)(selector).val()

  /** Steps 1 and 2 for Maria, then step 3's form: the page a registrant is looking at when they step away. */
  async function registrantOnStep3(agent: Agent) {
    await submitForm(agent, '/register', maria)
    await submitForm(agent, '/register/terms', { accept: 'yes' })
    return agent.get('/register/user-id').expect(200)
  }

  /** Step 3 as Maria fills it in, sent with the token of the page she had open. */
  function sendStep3(agent: Agent, pageHtml: string) {
    return sendForm(agent, '/register/user-id', csrfTokenIn(pageHtml), {
      userId: 'maria.garcia',
      email: 'maria.garcia@example.com',
    })
  }

  /** Sends a form the member filled in earlier, with the token its page carried. */
  function sendForm(agent: Agent, path: string, token: string, fields: Record<string, string>) {
    return agent
      .post(path)
      .type('form')
      .send({ ...fields, _csrf: token })
  }

  async function pendingEmailOf(agent: Agent) {
    return pageText((await agent.get('/account').expect(200)).text)
  }

  describe('stating the limits', () => {
    it('tells registrants on every step how long their answers are kept', async () => {
      const agent = supertest.agent(app)
      const step1 = await agent.get('/register').expect(200)
      assert.match(pageText(step1.text), /we keep your answers for 60 minutes after you last used a registration page/)
      await submitForm(agent, '/register', maria)
      const step2 = await agent.get('/register/terms').expect(200)
      assert.match(pageText(step2.text), /we keep your answers for 60 minutes/)
      await submitForm(agent, '/register/terms', { accept: 'yes' })
      const step3 = await agent.get('/register/user-id').expect(200)
      assert.match(pageText(step3.text), /we keep your answers for 60 minutes/)
    })

    it('tells members on the settings forms that they are signed out after 15 minutes without activity', async () => {
      const agent = supertest.agent(app)
      await signOn(agent, 'alex.rivera', demoPassword)
      for (const path of ['/account/email', '/account/password', '/account/secret-questions']) {
        const page = await agent.get(path).expect(200)
        assert.match(
          pageText(page.text),
          /For your security we sign you out after 15 minutes without activity/,
          `${path} states the limit`,
        )
      }
    })

    it('keeps the session cookie and the stored session for the 60-minute registration window', async () => {
      const agent = supertest.agent(app)
      const page = await agent.get('/register').expect(200)
      const expires = /Expires=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1]
      const cookieSeconds = (Date.parse(String(expires)) - Date.parse(String(page.headers.date))) / 1000
      // Both headers are whole seconds, read at slightly different moments: a second boundary between them adds 1.
      assert.ok(cookieSeconds > 3590 && cookieSeconds <= 3601, `the cookie lives ${cookieSeconds} seconds`)
      const [key] = await services.redis.keys(`${services.config.redisPrefix}:sess:*`)
      const ttl = await services.redis.ttl(key)
      assert.ok(ttl > 3500 && ttl <= 3600, `the stored session lives ${ttl} seconds`)
    })
  })

  describe('the registration window', () => {
    it('lets a registrant who stepped away for 59 minutes send step 3 without losing steps 1 and 2', async () => {
      const agent = supertest.agent(app)
      const step3 = await registrantOnStep3(agent)
      clock.advance(minutes(59))
      const sent = await sendStep3(agent, step3.text)
      assert.equal(sent.status, 303)
      assert.equal(sent.headers.location, '/register/secure')
      const step4 = await agent.get('/register/secure').expect(200)
      assert.match(titleOf(step4.text), /^Secure your account: confirm it is you \(step 4 of 5\)/)
      const terms = await agent.get('/register/terms').expect(200)
      assert.equal(cheerio.load(terms.text)('#accept').attr('checked'), 'checked')
      const back = await agent.get('/register/user-id').expect(200)
      assert.equal(valueOf(back.text, '#userId'), 'maria.garcia')
    })

    it('counts the 60 minutes from the last registration page, not from the start', async () => {
      const agent = supertest.agent(app)
      await registrantOnStep3(agent)
      clock.advance(minutes(50))
      await agent.get('/register/terms').expect(200)
      clock.advance(minutes(50))
      const step3 = await agent.get('/register/user-id')
      assert.equal(step3.status, 200)
    })

    it('after 60 minutes without use removes the answers, says why, and fills in step 3 again later', async () => {
      const agent = supertest.agent(app)
      const step3 = await registrantOnStep3(agent)
      clock.advance(minutes(61))
      const sent = await sendStep3(agent, step3.text)
      assert.equal(sent.status, 303)
      assert.equal(sent.headers.location, '/register')
      const step1 = await agent.get('/register').expect(200)
      assert.match(
        pageText(step1.text),
        /You had not used these pages for 60 minutes, so for your security we removed your answers\. Please start again\. What you typed on your last page will be filled in again/,
      )
      assert.equal((await agent.get('/register/terms')).headers.location, '/register')

      await submitForm(agent, '/register', maria)
      await submitForm(agent, '/register/terms', { accept: 'yes' })
      const again = await agent.get('/register/user-id').expect(200)
      assert.equal(valueOf(again.text, '#userId'), 'maria.garcia')
      assert.equal(valueOf(again.text, '#email'), 'maria.garcia@example.com')
      assert.match(pageText(again.text), /Your session timed out, so we could not save this\. Check your answers/)
      const later = await agent.get('/register/user-id').expect(200)
      assert.doesNotMatch(pageText(later.text), /Your session timed out/)
    })

    it('fills in step 3 again when its session has gone from the store altogether', async () => {
      const agent = supertest.agent(app)
      const step3 = await registrantOnStep3(agent)
      await services.redis.flushdb()
      const sent = await sendStep3(agent, step3.text)
      assert.equal(sent.headers.location, '/register/user-id')
      const redirected = await agent.get('/register/user-id')
      assert.equal(redirected.headers.location, '/register')
      assert.match(pageText((await agent.get('/register')).text), /we removed your answers/)
      await submitForm(agent, '/register', maria)
      await submitForm(agent, '/register/terms', { accept: 'yes' })
      const again = await agent.get('/register/user-id').expect(200)
      assert.equal(valueOf(again.text, '#email'), 'maria.garcia@example.com')
    })

    it('lets a finished registration go quietly after 60 minutes, with no word of starting again', async () => {
      // James, who finishes by mail, so that Maria stays unregistered for the other tests.
      const agent = supertest.agent(app)
      await submitForm(agent, '/register', james)
      await submitForm(agent, '/register/terms', { accept: 'yes' })
      await submitForm(agent, '/register/user-id', { userId: 'james.chen', email: 'james.chen@example.com' })
      await submitForm(agent, '/register/by-mail', { addressCurrent: 'yes' })
      await agent.get('/register/by-mail/requested').expect(200)
      clock.advance(minutes(61))
      assert.equal((await agent.get('/register/by-mail/requested')).headers.location, '/register')
      assert.doesNotMatch(pageText((await agent.get('/register')).text), /removed your answers/)
    })

    it('still refuses a wrong or missing token from a live registration, keeping nothing', async () => {
      const agent = supertest.agent(app)
      await registrantOnStep3(agent)
      for (const token of ['forged-token', undefined]) {
        const refused = await agent
          .post('/register/user-id')
          .type('form')
          .send({ userId: 'mallory.id', email: 'mallory@example.com', ...(token ? { _csrf: token } : {}) })
        assert.equal(refused.status, 403)
        assert.equal(titleOf(refused.text), 'Your form expired – Member Portal')
      }
      const step3 = await agent.get('/register/user-id').expect(200)
      assert.equal(valueOf(step3.text, '#userId'), '')
      assert.doesNotMatch(step3.text, /mallory/)
      assert.equal((await agent.get('/register/secure')).headers.location, '/register/user-id')
    })
  })

  describe('a form sent signed out after its session lapsed', () => {
    it('shows the sign-on form again with the user ID, never the password, and does not sign on', async () => {
      const page = await supertest.agent(app).get('/sign-on')
      const agent = supertest.agent(app)
      const sent = await sendForm(agent, '/sign-on', csrfTokenIn(page.text), {
        userId: 'alex.rivera',
        password: demoPassword,
      })
      assert.equal(sent.status, 303)
      assert.equal(sent.headers.location, '/sign-on')
      const again = await agent.get('/sign-on').expect(200)
      assert.equal(valueOf(again.text, '#userId'), 'alex.rivera')
      assert.equal(valueOf(again.text, '#password'), '')
      assert.ok(!again.text.includes(demoPassword))
      assert.match(
        pageText(again.text),
        /Your session timed out, so we could not save this\. Check your answers and submit again\. For your security we never keep passwords/,
      )
      assert.equal((await agent.get('/home')).headers.location, '/sign-on')
    })

    it('keeps the membership details of a forgotten user ID request', async () => {
      const page = await supertest.agent(app).get('/forgot-user-id')
      const agent = supertest.agent(app)
      await sendForm(agent, '/forgot-user-id', csrfTokenIn(page.text), maria)
      const again = await agent.get('/forgot-user-id').expect(200)
      assert.equal(valueOf(again.text, '#lastName'), 'Garcia')
      assert.equal(valueOf(again.text, '#birthDate-year'), '1985')
      assert.equal(valueOf(again.text, '#mrn'), '11000001')
    })
  })

  describe('a settings form sent after the 15-minute limit', () => {
    async function alexOn(path: string) {
      const agent = supertest.agent(app)
      await signOn(agent, 'alex.rivera', demoPassword)
      return { agent, page: await agent.get(path).expect(200) }
    }

    it('is not saved; sign-on says why and leads back to the form with the email typed, never the password', async () => {
      const { agent, page } = await alexOn('/account/email')
      clock.advance(minutes(16))
      const sent = await sendForm(agent, '/account/email', csrfTokenIn(page.text), {
        email: 'alex.new@example.com',
        currentPassword: demoPassword,
      })
      assert.equal(sent.status, 303)
      assert.equal(sent.headers.location, '/account/email')
      assert.equal((await agent.get('/account/email')).headers.location, '/sign-on')
      const signOnPage = await agent.get('/sign-on').expect(200)
      assert.match(
        pageText(signOnPage.text),
        /You were signed out after 15 minutes without activity\. What you sent was not saved\. Sign on again to go back to the form/,
      )
      assert.ok(!signOnPage.text.includes('alex.new@example.com'))

      const signedOn = await signOn(agent, 'alex.rivera', demoPassword)
      assert.equal(signedOn.headers.location, '/account/email')
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), 'alex.new@example.com')
      assert.equal(valueOf(form.text, '#currentPassword'), '')
      assert.ok(!form.text.includes(demoPassword))
      assert.match(
        pageText(form.text),
        /You were signed out before this was saved\. Check your answers and submit again/,
      )
      assert.doesNotMatch(await pendingEmailOf(agent), /alex\.new@example\.com/)

      const resent = await submitForm(agent, '/account/email', {
        email: 'alex.new@example.com',
        currentPassword: demoPassword,
      })
      assert.equal(resent.headers.location, '/account')
      assert.match(await pendingEmailOf(agent), /Waiting for you to confirm: alex\.new@example\.com/)
    })

    it('keeps the chosen secret questions but never their answers', async () => {
      const { agent, page } = await alexOn('/account/secret-questions')
      clock.advance(minutes(20))
      await sendForm(agent, '/account/secret-questions', csrfTokenIn(page.text), {
        currentPassword: demoPassword,
        question1: 'first-car',
        answer1: 'Zanzibar Roadster',
        question2: 'first-pet',
        answer2: 'Quetzalcoatl',
        question3: 'parents-met',
        answer3: 'Timbuktu',
      })
      await signOn(agent, 'alex.rivera', demoPassword)
      const form = await agent.get('/account/secret-questions').expect(200)
      assert.equal(valueOf(form.text, '#question1'), 'first-car')
      assert.equal(valueOf(form.text, '#question2'), 'first-pet')
      assert.equal(valueOf(form.text, '#question3'), 'parents-met')
      for (const secret of ['Zanzibar', 'Quetzalcoatl', 'Timbuktu', demoPassword])
        assert.ok(!form.text.includes(secret))
      assert.match(pageText(form.text), /we never keep passwords or secret answers, so type them again/)
    })

    it('gives the typed values to nobody but the account that typed them', async () => {
      const { agent, page } = await alexOn('/account/email')
      clock.advance(minutes(16))
      await sendForm(agent, '/account/email', csrfTokenIn(page.text), { email: 'alex.new@example.com' })
      await agent.get('/account/email')
      await signOn(agent, 'pat.rivera', demoPassword)
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), '')
      assert.ok(!form.text.includes('alex.new@example.com'))
    })

    it('keeps the typed values only for a while', async () => {
      const { agent, page } = await alexOn('/account/email')
      clock.advance(minutes(16))
      await sendForm(agent, '/account/email', csrfTokenIn(page.text), { email: 'alex.new@example.com' })
      clock.advance(minutes(31))
      await signOn(agent, 'alex.rivera', demoPassword)
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), '')
    })

    it('refuses a forged token sent after the timeout, keeping nothing', async () => {
      const { agent } = await alexOn('/account/email')
      clock.advance(minutes(16))
      const forged = await sendForm(agent, '/account/email', 'forged-token', { email: 'mallory@example.com' })
      assert.equal(forged.status, 403)
      assert.equal(titleOf(forged.text), 'Your form expired – Member Portal')
      await signOn(agent, 'alex.rivera', demoPassword)
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), '')
      assert.doesNotMatch(await pendingEmailOf(agent), /mallory/)
    })

    it('still refuses a wrong or missing token from a live signed-on session', async () => {
      const { agent } = await alexOn('/account/email')
      for (const token of ['forged-token', '']) {
        const refused = await sendForm(agent, '/account/email', token, {
          email: 'mallory@example.com',
          currentPassword: demoPassword,
        })
        assert.equal(refused.status, 403)
      }
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), '')
      assert.doesNotMatch(await pendingEmailOf(agent), /mallory/)
    })

    it('says what happened when the session has gone from the store, and keeps nothing for anyone', async () => {
      const { agent, page } = await alexOn('/account/email')
      await services.redis.flushdb()
      const sent = await sendForm(agent, '/account/email', csrfTokenIn(page.text), { email: 'alex.new@example.com' })
      assert.equal(sent.headers.location, '/account/email')
      assert.equal((await agent.get('/account/email')).headers.location, '/sign-on')
      assert.match(
        pageText((await agent.get('/sign-on')).text),
        /Your session had ended, so what you sent was not saved\. Sign on again, then fill in the form again/,
      )
      await signOn(agent, 'alex.rivera', demoPassword)
      const form = await agent.get('/account/email').expect(200)
      assert.equal(valueOf(form.text, '#email'), '')
    })

    it('lets the idle warning script hear that a timed-out session cannot be kept alive', async () => {
      const { agent, page } = await alexOn('/home')
      clock.advance(minutes(16))
      const late = await agent
        .post('/session/keep-alive')
        .set('Accept', 'application/json')
        .type('form')
        .send({ _csrf: csrfTokenIn(page.text) })
      assert.equal(late.status, 403)
    })

    it('treats signing out of a session that already timed out as done', async () => {
      const { agent, page } = await alexOn('/home')
      clock.advance(minutes(16))
      const out = await sendForm(agent, '/sign-out', csrfTokenIn(page.text), {})
      assert.equal(out.headers.location, '/signed-out')
    })
  })
})

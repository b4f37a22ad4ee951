import * as cheerio from 'cheerio'
import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import {
  countRows,
  demoPassword,
  errorSummary,
  pageText,
  signOn,
  submitForm,
  titleOf,
  useTestApp,
} from '../helpers/app'

// The page's words for any failed sign-on (accounts:signOn.failure in English).
const signOnFailure =
  'The user ID or password is not right, or the account is locked for a while. Check what you typed and try again, or recover your user ID or password.'

describe('sign on and sign out', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })
  beforeEach(() => clock.set(new Date('2026-11-25T15:00:00Z')))

  it('shows the sign-on form with labelled fields', async () => {
    const response = await supertest(app).get('/sign-on').expect(200)
    assert.equal(titleOf(response.text), 'Sign on – Member Portal')
    assert.match(response.text, /<label class="label" for="userId">User ID<\/label>/)
    assert.match(response.text, /<label class="label" for="password">Password<\/label>/)
  })

  it('takes a member to their home page', async () => {
    const agent = supertest.agent(app)
    const response = await signOn(agent, 'alex.rivera', demoPassword)
    assert.equal(response.status, 303)
    assert.equal(response.headers.location, '/home')
    const home = await agent.get('/home').expect(200)
    assert.match(pageText(home.text), /Welcome, Alex/)
    assert.match(pageText(home.text), /Dr\. Marcus Bell/)
    assert.match(pageText(home.text, 'header'), /Signed on as Alex Rivera/)
  })

  it('accepts the user ID in any case', async () => {
    const response = await signOn(supertest.agent(app), 'Alex.RIVERA', demoPassword)
    assert.equal(response.headers.location, '/home')
  })

  it('takes staff to their own area', async () => {
    for (const [userId, area] of [
      ['office.nurse', '/office'],
      ['ops.admin', '/ops'],
      ['mailroom.clerk', '/mailroom'],
    ]) {
      const agent = supertest.agent(app)
      const response = await signOn(agent, userId, demoPassword)
      assert.equal(response.headers.location, area, userId)
      await agent.get(area).expect(200)
    }
  })

  it('gives one message for a wrong password, an unknown user and a locked account', async () => {
    const wrongPassword = await signOn(supertest.agent(app), 'alex.rivera', 'not the right password at all')
    const unknownUser = await signOn(supertest.agent(app), 'nobody.here', demoPassword)
    for (let i = 0; i < 10; i++) await signOn(supertest.agent(app), 'pat.rivera', 'wrong password number ' + i)
    const locked = await signOn(supertest.agent(app), 'pat.rivera', demoPassword)
    for (const response of [wrongPassword, unknownUser, locked]) {
      assert.equal(response.status, 401)
      assert.deepEqual(errorSummary(response.text), [signOnFailure])
      assert.equal(titleOf(response.text), 'Error: Sign on – Member Portal')
    }
    assert.equal(wrongPassword.text.replace(/value="[^"]*"/g, ''), unknownUser.text.replace(/value="[^"]*"/g, ''))
  })

  it('refuses the eleventh attempt even with the right password, and records it', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await signOn(supertest.agent(app), 'alex.rivera', `wrong-${i}`)
      assert.equal(response.status, 401)
    }
    const eleventh = await signOn(supertest.agent(app), 'alex.rivera', demoPassword)
    assert.equal(eleventh.status, 401)
    assert.deepEqual(errorSummary(eleventh.text), [signOnFailure])
    const ttl = await services.redis.pttl('portal-test:signon-account:alex.rivera')
    assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, `locked for 15 minutes, got ${ttl} ms`)
    const alex = await services.users.findByUserId('alex.rivera')
    assert.equal(await countRows(services.db, 'sign_on_events', { user_id: alex!.id, outcome: 'refused-locked' }), 1)
  })

  it('keeps what was typed in the user ID but never the password', async () => {
    const response = await signOn(supertest.agent(app), 'alex.rivera', 'wrong password here')
    assert.match(response.text, /value="alex.rivera"/)
    assert.doesNotMatch(response.text, /wrong password here/)
  })

  it('asks for missing fields by name', async () => {
    const response = await signOn(supertest.agent(app), '   ', '')
    assert.equal(response.status, 400)
    assert.deepEqual(errorSummary(response.text), ['Enter your user ID', 'Enter your password'])
    assert.match(response.text, /<a href="#userId">/)
    assert.match(response.text, /aria-invalid="true"/)
  })

  it('answers huge and hostile input with a message, never an error page', async () => {
    const huge = await signOn(supertest.agent(app), 'a'.repeat(5000), 'b'.repeat(5000))
    assert.equal(huge.status, 400)
    assert.deepEqual(errorSummary(huge.text), [
      'Your user ID must be 64 characters or fewer',
      'Your password must be 1024 characters or fewer',
    ])
    const hostile = await signOn(supertest.agent(app), '<script>alert(1)</script>', "' OR 1=1 --")
    assert.equal(hostile.status, 401)
    assert.doesNotMatch(hostile.text, /<script>alert/)
    assert.match(hostile.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
    const agent = supertest.agent(app)
    const arrays = await submitForm(agent, '/sign-on', { userId: ['a', 'b'], password: ['x', 'y'] })
    assert.equal(arrays.status, 400)
    assert.deepEqual(errorSummary(arrays.text), ['Enter your user ID', 'Enter your password'])
  })

  it('gives a new session id at sign-on', async () => {
    const agent = supertest.agent(app)
    const before = await agent.get('/sign-on')
    const cookieBefore = String(before.headers['set-cookie']).match(/portal\.sid=([^;]+)/)?.[1]
    const after = await signOn(agent, 'alex.rivera', demoPassword)
    const cookieAfter = String(after.headers['set-cookie']).match(/portal\.sid=([^;]+)/)?.[1]
    assert.ok(cookieBefore && cookieAfter)
    assert.notEqual(cookieBefore, cookieAfter)
  })

  it('ends the session on the server at sign-out', async () => {
    const agent = supertest.agent(app)
    const signedOn = await signOn(agent, 'alex.rivera', demoPassword)
    const cookie = String(signedOn.headers['set-cookie']).split(';')[0]
    const home = await agent.get('/home')
    const signedOut = await agent
      .post('/sign-out')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) })
    assert.equal(signedOut.headers.location, '/signed-out')
    const page = await agent.get('/signed-out').expect(200)
    assert.match(pageText(page.text), /You have signed out/)
    // The old cookie, replayed, no longer opens anything.
    const replay = await supertest(app).get('/home').set('Cookie', cookie)
    assert.equal(replay.status, 303)
    assert.equal(replay.headers.location, '/sign-on')
  })

  it('signs out a session idle for more than 15 minutes', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    clock.advance(14 * 60_000)
    await agent.get('/home').expect(200)
    clock.advance(15 * 60_000 + 1000)
    const idle = await agent.get('/home')
    assert.equal(idle.status, 303)
    assert.equal(idle.headers.location, '/sign-on')
    const signOnPage = await agent.get('/sign-on')
    assert.match(pageText(signOnPage.text), /You were signed out after 15 minutes without activity/)
  })

  it('signs out after 12 hours however busy the session', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    for (let minutes = 0; minutes < 12 * 60; minutes += 10) {
      clock.advance(10 * 60_000)
      if (minutes % 120 === 0) await agent.get('/home').expect(200)
      else await agent.get('/sign-on')
    }
    clock.advance(11 * 60_000)
    const expired = await agent.get('/home')
    assert.equal(expired.headers.location, '/sign-on')
  })

  it('sends a signed-out visitor to sign on and back to the page they asked for', async () => {
    const agent = supertest.agent(app)
    const first = await agent.get('/office')
    assert.equal(first.status, 303)
    assert.equal(first.headers.location, '/sign-on')
    const signedOn = await signOn(agent, 'office.nurse', demoPassword)
    assert.equal(signedOn.headers.location, '/office')
  })

  it('records sign-on activity with time and address', async () => {
    const pat = await services.users.findByUserId('pat.rivera')
    await services.db('sign_on_events').where({ user_id: pat!.id }).delete()
    await signOn(supertest.agent(app), 'pat.rivera', 'not the password')
    await signOn(supertest.agent(app), 'pat.rivera', demoPassword)
    const events = await services.users.recentSignOnEvents(pat!.id)
    assert.deepEqual(
      events.map((event) => event.outcome),
      ['signed-on', 'failed'],
    )
    assert.ok(events[0].ip)
  })
})

function csrfFrom(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/)
  if (!match) throw new Error('no csrf token')
  return match[1]
}

describe('the idle-timeout warning', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { app } = useTestApp({ clock, keepRedis: true })

  it('is on every signed-on page, hidden until its script shows it, with a form that works without script', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const home = await agent.get('/home')
    const $ = cheerio.load(home.text)
    assert.equal($('#session-warning').attr('hidden'), 'hidden')
    assert.equal($('#session-warning').attr('data-warn-after-seconds'), '780')
    assert.equal($('#session-warning form').attr('action'), '/session/keep-alive')
    assert.match(String($('script[src]').attr('src')), /^\/public\/js\/session-timeout\.[0-9a-f]{10}\.js$/)
    const signedOut = await supertest(app).get('/sign-on')
    assert.equal(cheerio.load(signedOut.text)('#session-warning').length, 0)
  })

  it('keeps the session going when the member chooses to stay signed on', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const home = await agent.get('/home')
    clock.advance(14 * 60_000)
    const kept = await agent
      .post('/session/keep-alive')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), returnTo: '/account' })
    assert.equal(kept.headers.location, '/account')
    clock.advance(14 * 60_000)
    await agent.get('/home').expect(200)
    const json = await agent
      .post('/session/keep-alive')
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) })
    assert.equal(json.status, 204)
    const offSite = await agent
      .post('/session/keep-alive')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), returnTo: '//evil.example' })
    assert.equal(offSite.headers.location, '/home')
  })

  it('cannot revive a session that has already ended', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const home = await agent.get('/home')
    clock.advance(16 * 60_000)
    const late = await agent
      .post('/session/keep-alive')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) })
    assert.notEqual(late.status, 204)
    assert.equal((await agent.get('/home')).headers.location, '/sign-on')
  })
})

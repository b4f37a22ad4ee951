import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, errorSummary, pageText, signOn, submitForm } from '../helpers/app'
import { linkIn, localPart, useBackground } from '../helpers/background'

describe('account settings', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const context = useBackground({
    clock,
  })

  async function signedOnAlex() {
    const agent = supertest.agent(context.app)
    await signOn(agent, 'alex.rivera', demoPassword)
    return agent
  }

  it('shows the account and recent sign-on activity', async () => {
    await signOn(supertest.agent(context.app), 'alex.rivera', 'a wrong password here')
    const agent = await signedOnAlex()
    const page = await agent.get('/account').expect(200)
    const text = pageText(page.text)
    assert.match(text, /User ID\s*alex\.rivera/)
    assert.match(text, /alex\.rivera@example\.com \(confirmed\)/)
    assert.match(text, /What was the name of your first pet\?/)
    assert.match(text, /Signed on/)
    assert.match(text, /Failed sign-on \(wrong password\)/)
    // Times in the plan's time zone in words, and the address in words: never raw UTC or "::1".
    assert.match(text, /November 25, 2026 at 7:00 a\.m\. Pacific time ?Signed on ?this computer \(local\)/)
    assert.doesNotMatch(text, /GMT|UTC|::1|127\.0\.0\.1/)
  })

  it('changes the password, keeps this session, ends the others and sends a notice', async () => {
    const other = await signedOnAlex()
    const agent = await signedOnAlex()
    const changed = await submitForm(agent, '/account/password', {
      currentPassword: demoPassword,
      password: 'a brand new harbor sunrise',
      confirmPassword: 'a brand new harbor sunrise',
    })
    assert.equal(changed.headers.location, '/account')
    assert.match(pageText((await agent.get('/account')).text), /Your password has been changed/)
    assert.equal((await other.get('/home')).headers.location, '/sign-on')
    assert.equal(
      (await signOn(supertest.agent(context.app), 'alex.rivera', 'a brand new harbor sunrise')).headers.location,
      '/home',
    )
    const notice = await context.background.mail.waitFor(
      (message) => message.subject === 'A change to your Member Portal account',
    )
    assert.match(notice.text, /password for your Member Portal account was changed/)
    assert.doesNotMatch(notice.text, /Alex|Rivera/)
  })

  it('needs the current password and a good new one', async () => {
    const agent = await signedOnAlex()
    const wrong = await submitForm(agent, '/account/password', {
      currentPassword: 'not my password',
      password: 'short',
      confirmPassword: 'short',
    })
    assert.equal(wrong.status, 400)
    assert.deepEqual(errorSummary(wrong.text), [
      'Your current password is not right',
      'Your password must be at least 15 characters. A few words together, like a short sentence, make a strong one',
    ])
    const missing = await submitForm(agent, '/account/password', {})
    assert.deepEqual(errorSummary(missing.text), ['Enter your current password', 'Enter a new password'])
  })

  it('changes the email only once the new address is confirmed, telling the old one', async () => {
    const agent = await signedOnAlex()
    const response = await submitForm(agent, '/account/email', {
      email: 'alex.new@example.com',
      currentPassword: demoPassword,
    })
    assert.equal(response.headers.location, '/account')
    assert.match(pageText((await agent.get('/account')).text), /Waiting for you to confirm: alex\.new@example\.com/)
    const oldNotice = await context.background.mail.waitFor((message) => message.to === 'alex.rivera@example.com')
    assert.match(oldNotice.text, /change the email address/)
    const link = await context.background.mail.waitFor((message) => message.to === 'alex.new@example.com')
    // Opened while signed on: the page offers the account, not signing on again.
    const confirmed = await agent.get(localPart(linkIn(link, '/verify-email'))).expect(200)
    assert.match(pageText(confirmed.text), /Your email address is confirmed/)
    assert.equal(cheerio.load(confirmed.text)('a[href="/sign-on"]').length, 0)
    assert.equal(cheerio.load(confirmed.text)('main a[href="/account"]').text(), 'Go to your account')
    const user = await context.background.services.db('users').where({ user_id_key: 'alex.rivera' }).first()
    assert.equal(user.email, 'alex.new@example.com')
    assert.ok(user.email_verified_at)
  })

  it('refuses a bad email address or a wrong password', async () => {
    const agent = await signedOnAlex()
    const response = await submitForm(agent, '/account/email', { email: 'nope', currentPassword: 'wrong' })
    assert.deepEqual(errorSummary(response.text), [
      'Enter an email address in the correct format, like name@example.com',
      'Your current password is not right',
    ])
    assert.match(response.text, /value="nope"/)
  })

  it('changes the secret questions', async () => {
    const agent = await signedOnAlex()
    const duplicate = await submitForm(agent, '/account/secret-questions', {
      currentPassword: demoPassword,
      question1: 'first-job',
      answer1: 'Bakery',
      question2: 'first-job',
      answer2: 'Bakery',
      question3: 'first-teacher',
      answer3: 'Nguyen',
    })
    assert.deepEqual(errorSummary(duplicate.text), [
      'Choose a different question for secret question 2: each must be different',
    ])
    const saved = await submitForm(agent, '/account/secret-questions', {
      currentPassword: demoPassword,
      question1: 'first-job',
      answer1: 'Bakery',
      question2: 'childhood-book',
      answer2: 'Matilda',
      question3: 'first-teacher',
      answer3: 'Nguyen',
    })
    assert.equal(saved.headers.location, '/account')
    const alex = await context.background.services.users.findByUserId('alex.rivera')
    assert.deepEqual(await context.background.services.credentials.secretQuestionKeys(alex!.id), [
      'first-job',
      'childhood-book',
      'first-teacher',
    ])
    assert.ok(await context.background.services.credentials.checkSecretAnswer(alex!.id, 'childhood-book', 'MATILDA'))
  })

  it('is for signed-on members only', async () => {
    assert.equal((await supertest(context.app).get('/account')).headers.location, '/sign-on')
    const staff = supertest.agent(context.app)
    await signOn(staff, 'ops.admin', demoPassword)
    await staff.get('/account').expect(403)
  })
})

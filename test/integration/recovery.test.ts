import assert from 'node:assert/strict'
import supertest from 'supertest'
import { demoSecretAnswers } from '../../src/demo/seed'
import { fixedClock } from '../../src/platform/clock'
import { Agent, countRows, demoPassword, errorSummary, pageText, signOn, submitForm } from '../helpers/app'
import { linkIn, localPart, useBackground } from '../helpers/background'
import { secretQuestions } from '../../src/accounts/secret-questions'
import { translatorFor } from '../../src/platform/i18n'
import { recoveryEmailsPerHour } from '../../src/accounts/recovery'
import * as cheerio from 'cheerio'

const english = translatorFor('en')

const alexDetails = {
  firstName: 'alex',
  lastName: ' RIVERA ',
  'birthDate-day': '21',
  'birthDate-month': '06',
  'birthDate-year': '1980',
  mrn: '11000003',
}
const newPassword = 'lanterns drift over quiet water'

describe('account recovery', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T15:00:00Z'),
  })

  /** The answers for whichever two questions the page asks. */
  function answersFor(html: string): Record<string, string> {
    const $ = cheerio.load(html)
    const fields: Record<string, string> = {}
    for (const id of ['answer1', 'answer2']) {
      const label = $(`label[for="${id}"]`).text().trim()
      const key = Object.entries(secretQuestions).find(([, text]) => english(text) === label)![0]
      fields[id] = demoSecretAnswers.find((answer) => answer.questionKey === key)!.answer.toUpperCase()
    }
    return fields
  }

  async function openResetLink(agent: Agent): Promise<string> {
    await submitForm(agent, '/forgot-password', { userId: 'alex.rivera' })
    const email = await context.background.mail.waitFor(
      (message) => message.subject === 'Reset your Member Portal password' && message.to === 'alex.rivera@example.com',
    )
    const link = localPart(linkIn(email, '/forgot-password/reset'))
    const opened = await agent.get(link)
    assert.equal(opened.headers.location, '/forgot-password/questions')
    return link
  }

  describe('forgot user ID', () => {
    it('emails the user ID when the membership details match', async () => {
      const response = await submitForm(supertest.agent(context.app), '/forgot-user-id', alexDetails)
      assert.equal(response.headers.location, '/forgot-user-id/sent')
      const email = await context.background.mail.waitFor((message) => message.subject === 'Your Member Portal user ID')
      assert.equal(email.to, 'alex.rivera@example.com')
      assert.match(email.text, /Your user ID is: alex\.rivera/)
    })

    it('answers the same when nothing matches, and sends nothing', async () => {
      const response = await submitForm(supertest.agent(context.app), '/forgot-user-id', {
        ...alexDetails,
        mrn: '11000009',
      })
      assert.equal(response.headers.location, '/forgot-user-id/sent')
      const maria = await submitForm(supertest.agent(context.app), '/forgot-user-id', {
        firstName: 'Maria',
        lastName: 'Garcia',
        'birthDate-day': '14',
        'birthDate-month': '3',
        'birthDate-year': '1985',
        mrn: '11000001',
      })
      assert.equal(maria.headers.location, '/forgot-user-id/sent')
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.equal(context.background.mail.messages.length, 0)
    })

    it(`sends at most ${recoveryEmailsPerHour} reminders an hour for one membership, answering every request the same`, async () => {
      const answers: string[] = []
      for (let i = 0; i <= recoveryEmailsPerHour; i++) {
        const visitor = supertest.agent(context.app)
        const response = await submitForm(visitor, '/forgot-user-id', alexDetails)
        const sent = await visitor.get(String(response.headers.location))
        answers.push(`${response.status} ${response.headers.location} ${sent.status} ${pageText(sent.text)}`)
      }
      assert.equal(new Set(answers).size, 1)
      assert.match(answers[0], /^303 \/forgot-user-id\/sent 200 /)
      await context.background.settle()
      const reminders = await context.background.services.db('outbox').where({ job_name: 'user-id-reminder' })
      assert.equal(reminders.length, recoveryEmailsPerHour)
      const sentEmails = await context.background.services.db('sent_emails').count<{ n: number }[]>({ n: '*' })
      assert.equal(Number(sentEmails[0].n), recoveryEmailsPerHour)
    })

    it('checks the form like registration does', async () => {
      const response = await submitForm(supertest.agent(context.app), '/forgot-user-id', {
        ...alexDetails,
        'birthDate-day': '31',
        'birthDate-month': '2',
        mrn: 'abc',
      })
      assert.equal(response.status, 400)
      assert.deepEqual(errorSummary(response.text), [
        'Your date of birth must be a real date',
        'Your medical record number can only contain digits, as printed on your member ID card',
      ])
    })
  })

  describe('forgot password', () => {
    it('resets the password through the emailed link and two secret questions, and ends other sessions', async () => {
      const elsewhere = supertest.agent(context.app)
      await signOn(elsewhere, 'alex.rivera', demoPassword)
      const agent = supertest.agent(context.app)
      await openResetLink(agent)
      const questions = await agent.get('/forgot-password/questions').expect(200)
      assert.equal(cheerio.load(questions.text)('input[type=text]').length, 2)
      const passed = await submitForm(agent, '/forgot-password/questions', answersFor(questions.text))
      assert.equal(passed.headers.location, '/forgot-password/new-password')
      const changed = await submitForm(agent, '/forgot-password/new-password', {
        password: newPassword,
        confirmPassword: newPassword,
      })
      assert.equal(changed.headers.location, '/sign-on')
      assert.match(pageText((await agent.get('/sign-on')).text), /Your password has been changed/)

      assert.equal((await signOn(supertest.agent(context.app), 'alex.rivera', demoPassword)).status, 401)
      assert.equal((await signOn(supertest.agent(context.app), 'alex.rivera', newPassword)).headers.location, '/home')
      assert.equal((await elsewhere.get('/home')).headers.location, '/sign-on', 'the other session ended')
      const notice = await context.background.mail.waitFor(
        (message) => message.subject === 'A change to your Member Portal account',
      )
      assert.match(notice.text, /reset through "Forgot password"/)
    })

    it('gives the same answer for an unknown user ID and sends nothing', async () => {
      const known = await submitForm(supertest.agent(context.app), '/forgot-password', { userId: 'alex.rivera' })
      const unknown = await submitForm(supertest.agent(context.app), '/forgot-password', { userId: 'no.such.person' })
      assert.equal(known.headers.location, unknown.headers.location)
      await context.background.mail.waitFor((message) => message.subject === 'Reset your Member Portal password')
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(context.background.mail.messages.length, 1)
    })

    it('throttles reset emails for one account', async () => {
      for (let i = 0; i < 5; i++)
        await submitForm(supertest.agent(context.app), '/forgot-password', { userId: 'pat.rivera' })
      assert.equal(await countRows(context.background.services.db, 'password_resets'), 3)
    })

    it('lets a link work once, and not after an hour', async () => {
      const agent = supertest.agent(context.app)
      const link = await openResetLink(agent)
      const questions = await agent.get('/forgot-password/questions')
      await submitForm(agent, '/forgot-password/questions', answersFor(questions.text))
      await submitForm(agent, '/forgot-password/new-password', { password: newPassword, confirmPassword: newPassword })
      assert.equal((await supertest(context.app).get(link)).status, 410)

      const late = supertest.agent(context.app)
      await submitForm(late, '/forgot-password', { userId: 'pat.rivera' })
      const email = await context.background.mail.waitFor((message) => message.to === 'pat.rivera@example.com')
      clock.advance(61 * 60_000)
      const expired = await late.get(localPart(linkIn(email, '/forgot-password/reset')))
      assert.equal(expired.status, 410)
      assert.match(pageText(expired.text), /expired or has already been used/)
    })

    it('ends the reset after three wrong sets of answers', async () => {
      const agent = supertest.agent(context.app)
      const link = await openResetLink(agent)
      for (let attempt = 1; attempt <= 3; attempt++) {
        const response = await submitForm(agent, '/forgot-password/questions', {
          answer1: 'wrong',
          answer2: 'also wrong',
        })
        if (attempt < 3)
          assert.deepEqual(errorSummary(response.text), [
            `Your answers did not match. You have ${attempt === 1 ? '2 more tries' : '1 more try'}.`,
          ])
        else assert.match(pageText(response.text), /This password reset has ended/)
      }
      assert.equal((await supertest(context.app).get(link)).status, 410)
      assert.equal((await agent.get('/forgot-password/new-password')).headers.location, '/forgot-password')
    })

    it('cannot skip the secret questions', async () => {
      const agent = supertest.agent(context.app)
      await openResetLink(agent)
      assert.equal((await agent.get('/forgot-password/new-password')).headers.location, '/forgot-password')
      const response = await submitForm(agent, '/forgot-password/questions', { answer1: '', answer2: 'x'.repeat(500) })
      assert.deepEqual(errorSummary(response.text), [
        'Enter your answer to question 1',
        'Your answer to question 2 must be 60 characters or fewer',
      ])
    })

    it('checks the new password against the rules', async () => {
      const agent = supertest.agent(context.app)
      await openResetLink(agent)
      const questions = await agent.get('/forgot-password/questions')
      await submitForm(agent, '/forgot-password/questions', answersFor(questions.text))
      const weak = await submitForm(agent, '/forgot-password/new-password', {
        password: 'the Rivera family rocks',
        confirmPassword: 'the Rivera family rocks',
      })
      assert.deepEqual(errorSummary(weak.text), ['Your password must not contain your name'])
      const empty = await submitForm(agent, '/forgot-password/new-password', {})
      assert.deepEqual(errorSummary(empty.text), ['Enter a new password'])
    })

    it('refuses an empty or huge user ID with a message', async () => {
      const empty = await submitForm(supertest.agent(context.app), '/forgot-password', { userId: '  ' })
      assert.deepEqual(errorSummary(empty.text), ['Enter your user ID'])
      const huge = await submitForm(supertest.agent(context.app), '/forgot-password', { userId: 'x'.repeat(1000) })
      assert.deepEqual(errorSummary(huge.text), ['Your user ID must be 64 characters or fewer'])
    })
  })
})

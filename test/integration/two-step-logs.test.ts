import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { startMailCatcher, type MailCatcher } from '../../src/devtools/mail-catcher'
import { fixedClock } from '../../src/platform/clock'
import { createLogger } from '../../src/platform/logger'
import { createMailer } from '../../src/platform/mail'
import { appCodeAt } from '../../src/two-step/codes'
import { buildApp, closeServices, demoPassword, resetWithDemoPlan, submitForm, testServices } from '../helpers/app'

describe('2-step verification and the logs', () => {
  const lines: string[] = []
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  let mail: MailCatcher
  let services: ReturnType<typeof testServices>

  before(async () => {
    mail = await startMailCatcher()
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        done()
      },
    })
    services = testServices({
      clock,
      logger: createLogger('trace', { name: 'log-scan', destination: stream }),
      mailer: createMailer(`smtp://127.0.0.1:${mail.port}`, 'Member Portal <no-reply@memberportal.example>'),
    })
    await resetWithDemoPlan(services)
  })
  after(async () => {
    await closeServices(services)
    await mail.close()
  })

  it('writes no app key, code, recovery code or password into any log line', async () => {
    const app = buildApp(services)
    const agent = supertest.agent(app)
    await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    const setup = await agent.get('/account/two-step/app')
    const key = cheerio.load(setup.text)('.setup-key code').text().replace(/\s+/g, '')
    const appCode = appCodeAt(key, clock())
    const added = await submitForm(agent, '/account/two-step/app', { oneTimeCode: appCode })
    const codes = cheerio
      .load(added.text)('.recovery-codes code')
      .map((_i, element) => cheerio.load(element).text())
      .get()
    await submitForm(agent, '/account/two-step', {}, '/account/two-step/email')
    const email = await mail.waitFor((message) => message.subject === 'Your Member Portal sign-on code')
    const emailCode = email.text.match(/\b(\d{6})\b/)![1]
    await submitForm(agent, '/account/two-step/email', { oneTimeCode: emailCode }, '/account/two-step/email/confirm')

    clock.advance(30_000)
    const other = supertest.agent(app)
    await submitForm(other, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    await submitForm(other, '/sign-on/verify', { oneTimeCode: '000000' })
    await submitForm(other, '/sign-on/verify', { oneTimeCode: appCodeAt(key, clock()), remember: 'yes' })
    const third = supertest.agent(app)
    await submitForm(third, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    await third.get('/sign-on/verify?with=recovery-code')
    await submitForm(third, '/sign-on/verify', { oneTimeCode: codes[0] })
    await new Promise((resolve) => setTimeout(resolve, 200))

    const logged = lines.join('\n')
    assert.ok(lines.length > 10, 'the requests were logged')
    // Six-digit codes as whole numbers only: a timestamp may hold the same digits by chance.
    for (const code of [appCode, emailCode])
      assert.doesNotMatch(logged, new RegExp(`(?<![0-9])${code}(?![0-9])`), 'a log line holds a code')
    for (const secret of [key, demoPassword, ...codes, ...codes.map((code) => code.replace('-', ''))])
      assert.ok(!logged.includes(secret), `a log line holds ${secret.slice(0, 2)}…`)
  })
})

import assert from 'node:assert/strict'
import supertest from 'supertest'
import { loadConfig } from '../../src/config'
import { fixedClock } from '../../src/platform/clock'
import type { Email, Mailer } from '../../src/platform/mail'
import { closeInfrastructure, createInfrastructure, createServices } from '../../src/services'
import { buildApp, errorSummary, pageText, resetWithDemoPlan, signedOnAgent, submitForm } from '../helpers/app'

describe('the Member Services number (HELP_PHONE) and the advice line (ADVICE_PHONE)', () => {
  const helpPhone = '1-888-555-0142 (TTY 711)'
  const advicePhone = '1-888-555-0177'
  const sent: Email[] = []
  const mailer: Mailer = {
    send: async (email) => {
      sent.push(email)
    },
    close() {},
  }
  const services = createServices(
    createInfrastructure(
      { ...loadConfig(), helpPhone, advicePhone },
      {
        mailer,
        clock: fixedClock(new Date('2026-11-25T18:00:00Z')),
      },
    ),
  )
  const app = buildApp(services)
  // Nobody's membership: five misses against one MRN block it for an hour.
  const nobody = {
    firstName: 'Nobody',
    lastName: 'Here',
    'birthDate-day': '1',
    'birthDate-month': '1',
    'birthDate-year': '1990',
    mrn: '19999999',
  }

  before(async () => {
    await resetWithDemoPlan(services)
    for (let miss = 0; miss < 5; miss++) await submitForm(supertest.agent(app), '/register', nobody)
  })
  after(() => closeInfrastructure(services))

  it('is the one every throttled page gives, in English and Spanish', async () => {
    const registration = await submitForm(supertest.agent(app), '/register', nobody)
    assert.equal(registration.status, 429)
    assert.match(errorSummary(registration.text)[0], /call Member Services at 1-888-555-0142 \(TTY 711\)\.$/)

    const recovery = await submitForm(supertest.agent(app), '/forgot-user-id', nobody)
    assert.equal(recovery.status, 429)
    assert.match(errorSummary(recovery.text)[0], /call Member Services at 1-888-555-0142 \(TTY 711\)\.$/)

    const grant = await submitForm(await signedOnAgent(app), '/family/grant', { ...nobody, tools: 'labs' })
    assert.equal(grant.status, 400)
    assert.match(errorSummary(grant.text)[0], /too many attempts.*call Member Services at 1-888-555-0142 \(TTY 711\)/)

    const spanish = supertest.agent(app)
    await spanish.get('/language?to=es').expect(303)
    const enEspanol = await submitForm(spanish, '/register', nobody)
    assert.match(errorSummary(enEspanol.text)[0], /Servicio a los Miembros al 1-888-555-0142 \(TTY 711\)\.$/)
    for (const response of [registration, recovery, grant, enEspanol])
      assert.doesNotMatch(response.text, /1-800-555-01/)
  })

  it('is in every page’s footer, with the advice line', async () => {
    const footer = pageText((await supertest(app).get('/sign-on').expect(200)).text, 'footer')
    assert.match(footer, /advice line at 1-888-555-0177 \(TTY 711\)/)
    assert.match(footer, /Member Services: 1-888-555-0142 \(TTY 711\)/)
  })

  it('is the one an email gives', async () => {
    const user = await services.db('users').where({ user_id: 'pat.rivera' }).first('id')
    const outcome = await services.accountEmails.send(
      { name: 'user-id-reminder', data: { userId: user.id } },
      'help-phone-reminder',
    )
    assert.equal(outcome, 'sent')
    assert.match(sent.at(-1)?.text ?? '', /call Member Services at 1-888-555-0142 \(TTY 711\)\./)
    assert.doesNotMatch(sent.at(-1)?.text ?? '', /1-800-555-01/)
  })
})

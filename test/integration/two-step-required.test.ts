import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { appCodeAt } from '../../src/two-step/codes'
import { buildApp, closeServices, demoPassword, resetWithDemoPlan, submitForm, testServices } from '../helpers/app'
import { lettersIn } from '../helpers/letters'
import { memberIdOf, userIdOf } from '../helpers/records'
import { mariaCredentials } from '../helpers/registration'

describe('2-step verification required for members (TWO_STEP_FOR_MEMBERS=required)', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const before_ = process.env.TWO_STEP_FOR_MEMBERS
  process.env.TWO_STEP_FOR_MEMBERS = 'required'
  const services = testServices({ clock })
  if (before_ === undefined) delete process.env.TWO_STEP_FOR_MEMBERS
  else process.env.TWO_STEP_FOR_MEMBERS = before_
  const app = buildApp(services)

  beforeEach(() => resetWithDemoPlan(services))
  after(() => closeServices(services))

  it('walks a member without a method through setting one up before anything opens', async () => {
    const agent = supertest.agent(app)
    const password = await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    assert.equal(password.headers.location, '/sign-on/set-up')
    assert.equal((await agent.get('/home')).headers.location, '/sign-on')
    const setup = await agent.get('/sign-on/set-up').expect(200)
    const key = cheerio.load(setup.text)('.setup-key code').text().replace(/\s+/g, '')
    const confirmed = await submitForm(agent, '/sign-on/set-up', { oneTimeCode: appCodeAt(key, clock()) })
    const done = await agent
      .post('/sign-on/set-up/done')
      .type('form')
      .send({ _csrf: cheerio.load(confirmed.text)('input[name="_csrf"]').val() })
    assert.equal(done.headers.location, '/home')
    await agent.get('/home').expect(200)
  })

  it('after a mailed temporary password, holds the member at set-up once new credentials are chosen', async function () {
    this.timeout(60_000)
    const pat = await userIdOf(services.db, 'pat.rivera')
    await services.db('two_step_methods').insert({
      user_id: pat,
      kind: 'app',
      label: 'Authenticator app',
      secret_encrypted: 'lost-with-the-phone',
      created_at: clock(),
    })
    await services.temporaryPasswords.requestLetter(pat, await memberIdOf(services.db, '11000006'), 'recovery')
    const batch = await services.letterBatches.runBatch()
    const letter = lettersIn(batch!.directory).find((each) => each.userId === 'pat.rivera')!
    const agent = supertest.agent(app)
    const signedOn = await submitForm(agent, '/sign-on', { userId: 'pat.rivera', password: letter.password })
    assert.equal(signedOn.headers.location, '/home')
    assert.equal((await agent.get('/home')).headers.location, '/first-sign-on')
    await submitForm(agent, '/first-sign-on', mariaCredentials)
    const held = await agent.get('/home')
    assert.equal(held.headers.location, '/account/two-step')
    assert.equal(
      await services
        .db('two_step_methods')
        .where({ user_id: pat })
        .count({ n: '*' })
        .first()
        .then((row) => Number(row?.n)),
      0,
    )
    const setup = await agent.get('/account/two-step/app').expect(200)
    const key = cheerio.load(setup.text)('.setup-key code').text().replace(/\s+/g, '')
    await submitForm(agent, '/account/two-step/app', { oneTimeCode: appCodeAt(key, clock()) })
    await agent.get('/home').expect(200)
  })
})

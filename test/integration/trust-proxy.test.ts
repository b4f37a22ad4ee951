import assert from 'node:assert/strict'
import supertest from 'supertest'
import type { Config } from '../../src/config'
import { buildApp, demoPassword, errorSummary, pageText, signOn, submitForm, useTestApp } from '../helpers/app'

describe('trusted proxies (TRUST_PROXY)', () => {
  const { services } = useTestApp()
  // The test's client reaches the app from loopback. TLS stays off so its plain-HTTP client keeps the cookie.
  const appTrusting = (trustedProxies: string[], trustProxy = false) =>
    buildApp({ ...services, config: { ...services.config, trustedProxies, trustProxy } satisfies Config })

  /** Step 1 of registration with details that match nobody, as sent with the given X-Forwarded-For. */
  async function miss(app: ReturnType<typeof appTrusting>, forwardedFor: string, attempt: number) {
    const visitor = supertest.agent(app).set('X-Forwarded-For', forwardedFor)
    const response = await submitForm(visitor, '/register', {
      firstName: 'Nobody',
      lastName: 'Here',
      'birthDate-day': '1',
      'birthDate-month': '1',
      'birthDate-year': '1990',
      // A new MRN each time, so only the per-address limit (20 misses an hour) can stop these.
      mrn: String(19000000 + attempt),
    })
    return { status: response.status, message: errorSummary(response.text)[0] }
  }

  it('ignores X-Forwarded-For from a client that is not a listed proxy: a forged address evades no limit', async () => {
    const app = appTrusting(['10.0.0.5'])
    for (let attempt = 1; attempt <= 20; attempt++)
      assert.equal((await miss(app, `203.0.113.${attempt}`, attempt)).status, 400)
    const next = await miss(app, '198.51.100.77', 21)
    assert.equal(next.status, 429)
    assert.match(next.message, /too many attempts/)

    // The sign-on activity shows the address the connection came from, not the one it claimed.
    const member = supertest.agent(app).set('X-Forwarded-For', '198.51.100.23')
    await signOn(member, 'pat.rivera', demoPassword)
    const account = pageText((await member.get('/account').expect(200)).text)
    assert.doesNotMatch(account, /198\.51\.100\.23/)
  })

  it('believes a listed proxy: each client behind it is counted, and shown, by its own address', async () => {
    const app = appTrusting(['loopback'])
    for (let attempt = 1; attempt <= 20; attempt++) await miss(app, '203.0.113.9', attempt)
    assert.equal((await miss(app, '203.0.113.9', 21)).status, 429)
    // Another client behind the same proxy is not blocked by the first one's misses.
    assert.equal((await miss(app, '203.0.113.10', 22)).status, 400)
    // A client cannot hide behind a forged address put in front of the proxy's: the proxy appends the real one.
    assert.equal((await miss(app, '198.51.100.1, 203.0.113.9', 23)).status, 429)

    const member = supertest.agent(app).set('X-Forwarded-For', '198.51.100.23')
    await signOn(member, 'pat.rivera', demoPassword)
    assert.match(pageText((await member.get('/account').expect(200)).text), /198\.51\.100\.23/)
  })

  it('believes X-Forwarded-Proto only from a listed proxy: the secure session cookie needs real TLS', async () => {
    const cookieFrom = async (app: ReturnType<typeof appTrusting>) =>
      String((await supertest(app).get('/sign-on').set('X-Forwarded-Proto', 'https')).headers['set-cookie'] ?? '')
    assert.equal(await cookieFrom(appTrusting(['10.0.0.5'], true)), '')
    assert.match(await cookieFrom(appTrusting(['loopback'], true)), /portal\.sid=.*; Secure/)
  })
})

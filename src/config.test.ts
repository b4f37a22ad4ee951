import assert from 'node:assert/strict'
import { loadConfig } from './config'

describe('configuration', () => {
  it('works on this machine with nothing set', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.databaseUrl, 'mysql://root@127.0.0.1:3306/member_portal')
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379')
    assert.equal(config.trustProxy, false)
    assert.deepEqual(config.trustedProxies, [])
    assert.equal(config.session.idleMinutes, 15)
    assert.equal(config.session.registrationMinutes, 60)
  })

  it('logs readable lines in development and JSON lines in production and tests, unless LOG_FORMAT says', () => {
    assert.equal(loadConfig({}).logFormat, 'pretty')
    assert.equal(loadConfig({ NODE_ENV: 'development' }).logFormat, 'pretty')
    assert.equal(loadConfig({ NODE_ENV: 'test' }).logFormat, 'json')
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      PHARMACY_WEBHOOK_SECRET: 'p'.repeat(32),
    }
    assert.equal(loadConfig(production).logFormat, 'json')
    assert.equal(loadConfig({ ...production, LOG_FORMAT: 'pretty' }).logFormat, 'pretty')
    assert.equal(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat, 'json')
    assert.throws(() => loadConfig({ LOG_FORMAT: 'fancy' }), /LOG_FORMAT/)
  })

  it('names each bad variable in one message', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://x', TRUST_PROXY: 'maybe' }),
      (error: Error) => {
        assert.match(error.message, /PORT:/)
        assert.match(error.message, /DATABASE_URL: must start with mysql:\/\//)
        assert.match(error.message, /TRUST_PROXY:/)
        return true
      },
    )
  })

  it('reads appointment reminder lead times, longest first, and refuses nonsense', () => {
    assert.deepEqual(loadConfig({}).appointments.reminderLeadMinutes, [10_080, 1440])
    assert.deepEqual(
      loadConfig({ APPOINTMENT_REMINDER_LEADS: '2h, 3d,2h' }).appointments.reminderLeadMinutes,
      [4320, 120],
    )
    for (const bad of ['', '7 days', '0d', '90d', '1d;2d', '5m']) {
      assert.throws(
        () => loadConfig({ APPOINTMENT_REMINDER_LEADS: bad }),
        /APPOINTMENT_REMINDER_LEADS: use lead times like 7d,1d,2h/,
        bad,
      )
    }
  })

  it('insists on a real session secret in production', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SESSION_SECRET must be set in production/)
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      PHARMACY_WEBHOOK_SECRET: 'y'.repeat(40),
      TRUST_PROXY: '10.0.0.5',
    })
    assert.equal(config.production, true)
    assert.equal(config.trustProxy, true)
  })

  it('starts the clock where CLOCK_AT says, outside production only', () => {
    assert.equal(loadConfig({}).clockAt, undefined)
    assert.equal(loadConfig({ CLOCK_AT: '2027-01-02T07:59:00Z' }).clockAt?.toISOString(), '2027-01-02T07:59:00.000Z')
    assert.throws(() => loadConfig({ CLOCK_AT: 'next tuesday' }), /CLOCK_AT:/)
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), CLOCK_AT: '2027-01-02T07:59:00Z' }),
      /CLOCK_AT moves the clock for development and tests only/,
    )
  })

  it('believes forwarded addresses only from the proxies listed by address, block or name', () => {
    const config = loadConfig({ TRUST_PROXY: ' 10.0.0.5, 10.0.0.6,192.168.4.0/24,fd00::/8, loopback ' })
    assert.deepEqual(config.trustedProxies, ['10.0.0.5', '10.0.0.6', '192.168.4.0/24', 'fd00::/8', 'loopback'])
    assert.equal(config.trustProxy, true)
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'false' }).trustedProxies, [])
  })

  it('refuses TRUST_PROXY=true, which would believe any client, and anything that is not an address', () => {
    const cases: [string, RegExp][] = [
      ['true', /TRUST_PROXY: list the proxies' addresses instead of "true"/],
      ['yes', /TRUST_PROXY: list the proxies' addresses/],
      ['10.0.0.5,proxy.example', /TRUST_PROXY: "proxy.example" is not an IP address/],
      ['10.0.0.0/33', /TRUST_PROXY: "10.0.0.0\/33" needs a prefix length from 1 to 32/],
      ['0.0.0.0/0', /TRUST_PROXY: "0.0.0.0\/0" needs a prefix length/],
      ['10.0.0.5,,10.0.0.6', /TRUST_PROXY: "" is not an IP address/],
      ['10.0.0.1/8/8', /is not an IP address/],
    ]
    for (const [value, message] of cases) assert.throws(() => loadConfig({ TRUST_PROXY: value }), message, value)
  })

  it('insists on a real pharmacy webhook secret in production', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }),
      /PHARMACY_WEBHOOK_SECRET must be set in production/,
    )
    assert.throws(
      () => loadConfig({ PHARMACY_WEBHOOK_SECRET: 'short' }),
      /PHARMACY_WEBHOOK_SECRET: must be at least 32/,
    )
    assert.throws(() => loadConfig({ PHARMACY_URL: 'not a url' }), /PHARMACY_URL/)
  })

  it('reads the ops settings: the queue prefix (with a Redis Cluster hash tag), the metrics token', () => {
    assert.equal(loadConfig({}).queuePrefix, 'portal-bull')
    assert.equal(loadConfig({ QUEUE_PREFIX: '{portal-bull}' }).queuePrefix, '{portal-bull}')
    assert.throws(() => loadConfig({ QUEUE_PREFIX: 'portal bull' }), /QUEUE_PREFIX/)
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN: must be at least 32 characters/)
    assert.throws(() => loadConfig({ WORKER_METRICS_PORT: '9464' }), /WORKER_METRICS_PORT needs METRICS_TOKEN/)
    assert.equal(loadConfig({}).outboxRecheckSeconds, 60)
  })
})

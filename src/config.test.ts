import assert from 'node:assert/strict'
import { loadConfig } from './config'

describe('configuration', () => {
  it('works on this machine with nothing set', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.databaseUrl, 'mysql://root@127.0.0.1:3306/member_portal')
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379')
    assert.equal(config.trustProxy, false)
    assert.equal(config.session.idleMinutes, 15)
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

  it('insists on a real session secret in production', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SESSION_SECRET must be set in production/)
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      PHARMACY_WEBHOOK_SECRET: 'y'.repeat(40),
      TRUST_PROXY: 'true',
    })
    assert.equal(config.production, true)
    assert.equal(config.trustProxy, true)
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
})

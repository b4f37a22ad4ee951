import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { lastSeenKey } from '../../src/platform/session'
import { csrfTokenIn, demoPassword, signOn, useTestApp } from '../helpers/app'

const minutes = (n: number) => n * 60_000

describe('the session store', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })
  const prefix = services.config.redisPrefix
  beforeEach(() => clock.set(new Date('2026-11-25T15:00:00Z')))

  async function alexSignedOn() {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const [sessionKey] = await services.redis.keys(`${prefix}:sess:*`)
    const sessionId = sessionKey.slice(`${prefix}:sess:`.length)
    return { agent, sessionKey, sessionId }
  }

  it('does not write a session back for a request that changes nothing in it, but records when it came', async () => {
    const { agent, sessionKey, sessionId } = await alexSignedOn()
    await agent.get('/home').expect(200)
    const stored = await services.redis.get(sessionKey)
    clock.advance(minutes(5))
    await agent.get('/labs').expect(200)
    await agent.get('/home').expect(200)
    assert.equal(await services.redis.get(sessionKey), stored, 'the stored session is unchanged')
    assert.equal(await services.redis.get(lastSeenKey(prefix, sessionId)), String(clock().getTime()))
  })

  it('counts the 15 minutes from the latest request, though the session was not written for it', async () => {
    const { agent } = await alexSignedOn()
    for (let step = 0; step < 4; step++) {
      clock.advance(minutes(14))
      await agent.get('/home').expect(200)
    }
    clock.advance(minutes(15))
    await agent.get('/home').expect(200)
    clock.advance(minutes(15) + 1000)
    assert.equal((await agent.get('/home')).headers.location, '/sign-on')
  })

  it('keeps the last-seen time as long as the session, and renews both with each request', async () => {
    const { agent, sessionKey, sessionId } = await alexSignedOn()
    await services.redis.pexpire(sessionKey, 60_000)
    await agent.get('/home').expect(200)
    const lifetimeMs = services.config.session.registrationMinutes * 60_000
    for (const key of [sessionKey, lastSeenKey(prefix, sessionId)]) {
      const ttl = await services.redis.pttl(key)
      assert.ok(ttl > lifetimeMs - 60_000 && ttl <= lifetimeMs, `${key} lives ${ttl} ms`)
    }
  })

  it('removes the last-seen time with the session at sign-out', async () => {
    const { agent, sessionId } = await alexSignedOn()
    const home = await agent.get('/home').expect(200)
    await agent
      .post('/sign-out')
      .type('form')
      .send({ _csrf: csrfTokenIn(home.text) })
      .expect(303)
    assert.equal(await services.redis.exists(lastSeenKey(prefix, sessionId)), 0)
  })

  it('removes the last-seen times of the sessions a password change ends', async () => {
    const other = await alexSignedOn()
    await other.agent.get('/home').expect(200)
    await services.sessions.endOthers((await services.users.findByUserId('alex.rivera'))!.id)
    assert.equal(await services.redis.exists(lastSeenKey(prefix, other.sessionId)), 0)
    assert.equal((await other.agent.get('/home')).headers.location, '/sign-on')
  })
})

import assert from 'node:assert/strict'
import supertest from 'supertest'
import { loadConfig } from '../../src/config'
import { createDb } from '../../src/platform/db'
import { createLogger } from '../../src/platform/logger'
import { createRedis } from '../../src/platform/redis'
import { createInfrastructure, createServices, Services } from '../../src/services'
import {
  buildApp,
  closeServices,
  pageText,
  resetWithDemoPlan,
  signedOnAgent,
  testServices,
  titleOf,
} from '../helpers/app'
import { startCuttableProxy, startPrivateRedis } from '../helpers/outages'

/** Retries a request until it answers with `status`, and says how long that took. */
async function until(what: string, request: () => Promise<{ status: number }>, status: number, timeoutMs = 20_000) {
  const started = performance.now()
  for (;;) {
    const response = await request()
    if (response.status === status) return performance.now() - started
    if (performance.now() - started > timeoutMs)
      throw new Error(`${what}: still ${response.status} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('while Redis or MySQL is down', function () {
  this.timeout(90_000)

  it('answers a friendly 503 at once while Redis is stopped, and recovers when it returns empty', async () => {
    // The test's own redis-server: the Redis other tests share is never stopped.
    const redis = await startPrivateRedis()
    // The web process's settings: fail fast rather than wait for Redis.
    const client = createRedis(redis.url, { failFast: true })
    client.on('error', () => undefined)
    const services = createServices(createInfrastructure(loadConfig(), { redis: client }, 'web'))
    try {
      await resetWithDemoPlan(services)
      const app = buildApp(services)
      await until('Redis to connect', () => supertest(app).get('/readyz'), 200)
      await supertest(app).get('/sign-on').expect(200)

      await redis.stop()
      const started = performance.now()
      const page = await supertest(app).get('/sign-on').expect(503)
      assert.ok(performance.now() - started < 3_000, 'the page answers at once rather than hanging')
      assert.equal(titleOf(page.text), 'Sorry, the service is unavailable – Member Portal')
      assert.match(pageText(page.text), /Try again in a few minutes/)
      assert.equal(page.headers['retry-after'], '10')
      const ready = await supertest(app).get('/readyz').expect(503)
      assert.deepEqual(ready.body.checks, { mysql: 'ok', redis: 'down' })
      await supertest(app).get('/healthz').expect(200)
      const signedOut = await supertest(app).get('/home')
      assert.equal(signedOut.status, 503, 'a private page too')

      // Back, and empty (no persistence): the pages recover by themselves.
      await redis.start()
      await until('the pages to recover', () => supertest(app).get('/sign-on'), 200)
      await supertest(app).get('/readyz').expect(200)
      const agent = await signedOnAgent(app, 'alex.rivera')
      await agent.get('/home').expect(200)
    } finally {
      await closeServices(services)
      await redis.stop()
    }
  })

  it('answers a friendly 503 quickly while MySQL is unreachable, and recovers when it returns', async () => {
    const config = loadConfig()
    const database = new URL(config.databaseUrl)
    // A proxy in front of the shared MariaDB that this test cuts: the database itself is never touched.
    const proxy = await startCuttableProxy({ host: database.hostname, port: Number(database.port || 3306) })
    const proxied = new URL(config.databaseUrl)
    proxied.host = proxy.url
    let services: Services | undefined
    const seeding = testServices()
    try {
      await resetWithDemoPlan(seeding)
      services = createServices(
        createInfrastructure(
          config,
          { db: createDb(proxied.toString(), createLogger('silent'), undefined, 5_000) },
          'web',
        ),
      )
      const app = buildApp(services)
      await until('Redis to connect', () => supertest(app).get('/readyz'), 200)
      const agent = await signedOnAgent(app, 'alex.rivera')
      await agent.get('/home').expect(200)

      await proxy.cut()
      const started = performance.now()
      const page = await agent.get('/home').expect(503)
      assert.ok(performance.now() - started < 6_000, 'the page answers within the pool wait rather than hanging')
      assert.match(pageText(page.text), /Member Portal cannot answer right now/)
      const ready = await supertest(app).get('/readyz').expect(503)
      assert.deepEqual(ready.body.checks, { mysql: 'down', redis: 'ok' })

      await proxy.restore()
      await until('the pages to recover', () => agent.get('/home'), 200)
      await supertest(app).get('/readyz').expect(200)
    } finally {
      if (services) await closeServices(services)
      await closeServices(seeding)
      await proxy.close()
    }
  })

  it('answers a friendly 503 within a few seconds while MySQL is frozen with its connections open', async () => {
    const config = loadConfig()
    const database = new URL(config.databaseUrl)
    const proxy = await startCuttableProxy({ host: database.hostname, port: Number(database.port || 3306) })
    const proxied = new URL(config.databaseUrl)
    proxied.host = proxy.url
    let services: Services | undefined
    const seeding = testServices()
    // Whatever happens, the database answers again after 15 s, as in the fault-injection run.
    let thawLater: NodeJS.Timeout | undefined
    try {
      await resetWithDemoPlan(seeding)
      // The web process exactly as it is built for production, with its database behind the proxy.
      services = createServices(createInfrastructure({ ...config, databaseUrl: proxied.toString() }, {}, 'web'))
      const app = buildApp(services)
      await until('Redis to connect', () => supertest(app).get('/readyz'), 200)
      const agent = await signedOnAgent(app, 'alex.rivera')
      await agent.get('/home').expect(200)

      proxy.freeze()
      thawLater = setTimeout(() => proxy.thaw(), 15_000)
      for (const path of ['/home', '/messages', '/sign-on']) {
        const started = performance.now()
        const page = await agent.get(path)
        const took = performance.now() - started
        assert.equal(page.status, 503, `${path} while frozen`)
        assert.ok(took < 6_000, `${path} answered in ${Math.round(took)} ms, not after the freeze`)
        assert.match(pageText(page.text), /Member Portal cannot answer right now/)
      }

      proxy.thaw()
      clearTimeout(thawLater)
      await until('the pages to recover', () => agent.get('/home'), 200)
    } finally {
      clearTimeout(thawLater)
      proxy.thaw()
      if (services) await closeServices(services)
      await closeServices(seeding)
      await proxy.close()
    }
  })
})

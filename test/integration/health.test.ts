import assert from 'node:assert/strict'
import supertest from 'supertest'
import { createDb } from '../../src/platform/db'
import { createLogger } from '../../src/platform/logger'
import { createRedis } from '../../src/platform/redis'
import { buildApp, closeServices, testServices } from '../helpers/app'

describe('health checks', () => {
  it('says the process is alive', async () => {
    const services = testServices()
    try {
      const response = await supertest(buildApp(services)).get('/healthz').expect(200)
      assert.deepEqual(response.body, { status: 'ok' })
    } finally {
      await closeServices(services)
    }
  })

  it('is ready when MySQL and Redis answer', async () => {
    const services = testServices()
    try {
      const response = await supertest(buildApp(services)).get('/readyz').expect(200)
      assert.deepEqual(response.body, { status: 'ready', checks: { mysql: 'ok', redis: 'ok' } })
    } finally {
      await closeServices(services)
    }
  })

  it('is not ready when Redis is down', async () => {
    // Nothing listens on port 1: the same as Redis stopping.
    const deadRedis = createRedis('redis://127.0.0.1:1', { failFast: true })
    deadRedis.on('error', () => undefined)
    const services = testServices({ redis: deadRedis })
    try {
      const response = await supertest(buildApp(services)).get('/readyz').expect(503)
      assert.deepEqual(response.body, { status: 'not ready', checks: { mysql: 'ok', redis: 'down' } })
      // Liveness does not depend on Redis.
      await supertest(buildApp(services)).get('/healthz').expect(200)
    } finally {
      await closeServices(services)
    }
  })

  it('is not ready when MySQL is down', async () => {
    const services = testServices({
      db: createDb('mysql://root@127.0.0.1:1/none', createLogger('silent')),
    })
    try {
      const response = await supertest(buildApp(services)).get('/readyz').expect(503)
      assert.equal(response.body.checks.mysql, 'down')
      assert.equal(response.body.checks.redis, 'ok')
    } finally {
      await closeServices(services)
    }
  })
})

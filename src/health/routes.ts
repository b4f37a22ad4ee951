import { Router } from 'express'
import { withinTime } from '../platform/timeout'
import type { Services } from '../services'

/** Liveness says the process answers; readiness says it can do work (MySQL and Redis both answer). */
export function healthRoutes({ db, redis }: Pick<Services, 'db' | 'redis'>): Router {
  const router = Router()
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  router.get('/readyz', async (_req, res) => {
    const [mysql, redisCheck] = await Promise.allSettled([
      withinTime(db.raw('select 1'), 2000, 'MySQL'),
      withinTime(redis.ping(), 1000, 'Redis'),
    ])
    const checks = {
      mysql: mysql.status === 'fulfilled' ? 'ok' : 'down',
      redis: redisCheck.status === 'fulfilled' ? 'ok' : 'down',
    }
    const ready = checks.mysql === 'ok' && checks.redis === 'ok'
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks })
  })
  return router
}

import { Router } from 'express'
import { requireRole } from '../platform/access'
import type { Services } from '../services'

export function opsRoutes({ ops }: Pick<Services, 'ops'>): Router {
  const router = Router()
  router.get('/ops', ...requireRole('ops'), async (_req, res) => {
    const [queues, outbox] = await Promise.all([ops.queueSummaries(), ops.outboxBacklog()])
    res.render('ops/index', { title: 'Operations', queues, outbox })
  })
  return router
}

import { Router } from 'express'
import { requireRole } from '../platform/access'
import type { Services } from '../services'

export function opsRoutes({ ops }: Pick<Services, 'ops'>): Router {
  const router = Router()
  router.get('/ops', ...requireRole('ops'), async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    const [queues, outbox] = await Promise.all([ops.queueSummaries(), ops.outboxBacklog()])
    res.render('ops/index', { title: 'Operations', queues, outbox, notice })
  })

  // The same job the nightly scheduler adds, asked for now; it goes through the outbox like any other work.
  router.post('/ops/letters/run', ...requireRole('ops'), async (req, res) => {
    await ops.requestLetterBatch(req.session.user!.id)
    req.session.notice =
      'The temporary-password letter batch will start in a moment. It appears in the mailroom when ready.'
    res.redirect(303, '/ops')
  })
  return router
}

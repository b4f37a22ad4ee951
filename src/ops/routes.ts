import { Router, type RequestHandler } from 'express'
import { requireRole } from '../platform/access'
import { ForbiddenError } from '../platform/errors'
import type { Services } from '../services'
import { dashboardPath } from './dashboard'
import { hasMetricsToken, WebMetrics } from './metrics'

export function opsRoutes({ ops }: Pick<Services, 'ops'>): Router {
  const router = Router()
  router.get('/ops', ...requireRole('ops'), async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    const [queues, outbox, latestBatch, missingSchedulers] = await Promise.all([
      ops.queueSummaries(),
      ops.outboxLag(),
      ops.latestLetterBatch(),
      ops.missingSchedulers(),
    ])
    res.render('ops/index', {
      title: 'Operations',
      queues,
      outbox,
      latestBatch,
      missingSchedulers,
      notice,
      dashboardPath,
    })
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

async function sendMetrics(metrics: WebMetrics, res: Parameters<RequestHandler>[1]) {
  res.set('Content-Type', metrics.registry.contentType)
  res.send(await metrics.registry.metrics())
}

/**
 * /metrics for a scraper: "Authorization: Bearer METRICS_TOKEN". It sits before sessions, so a scrape needs
 * no cookie and still answers while Redis is down. Anything else goes on to `metricsForOps`.
 */
export function metricsByToken(metricsToken: string | undefined, metrics: WebMetrics): Router {
  const router = Router()
  router.get('/metrics', async (req, res, next) => {
    if (!hasMetricsToken(req.get('authorization'), metricsToken)) return next()
    await sendMetrics(metrics, res)
  })
  return router
}

/** /metrics for signed-on ops staff; other roles get 403, and a request with neither a token nor a session 401. */
export function metricsForOps(metrics: WebMetrics): Router {
  const router = Router()
  router.get('/metrics', async (req, res, next) => {
    const user = req.session.user
    if (!user) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .type('text/plain')
        .send('Sign on as ops or send the metrics token.\n')
      return
    }
    if (user.role !== 'ops') return next(new ForbiddenError())
    await sendMetrics(metrics, res)
  })
  return router
}

import { Router, type RequestHandler } from 'express'
import { requireRole } from '../platform/access'
import { ForbiddenError } from '../platform/errors'
import type { Services } from '../services'
import { dashboardPath } from './dashboard'
import { hasMetricsToken, WebMetrics } from './metrics'
import { firstReportYear, lastReportYear, usageCsv } from './api-usage'
import { planDate } from '../platform/dates'

/** The year asked for (`?year=2027`): this year when absent, an error message when it is not a sensible year. */
function requestedYear(raw: unknown, thisYear: number): { year: number; error?: string } {
  if (raw === undefined || raw === '') return { year: thisYear }
  const year = typeof raw === 'string' && /^\d{4}$/.test(raw.trim()) ? Number(raw.trim()) : NaN
  if (year >= firstReportYear && year <= lastReportYear) return { year }
  return { year: thisYear, error: `Enter a year from ${firstReportYear} to ${lastReportYear}, like ${thisYear}` }
}

export function opsRoutes({ ops, apiUsage, clock }: Pick<Services, 'ops' | 'apiUsage' | 'clock'>): Router {
  const router = Router()
  const thisYear = () => Number(planDate(clock()).slice(0, 4))

  // CMS-0057-F's yearly Patient Access API figures, from the audit trail (docs/operations.md, "The CMS usage figures").
  router.get('/ops/api-usage', ...requireRole('ops'), async (req, res) => {
    const asked = requestedYear(req.query.year, thisYear())
    const usage = asked.error ? undefined : await apiUsage.forYear(asked.year)
    res.status(asked.error ? 400 : 200).render('ops/api-usage', {
      title: asked.error
        ? 'Error: Apps’ use of the Patient Access API'
        : `Apps’ use of the Patient Access API in ${asked.year}`,
      usage,
      values: { year: typeof req.query.year === 'string' ? req.query.year.slice(0, 10) : String(asked.year) },
      errors: asked.error ? [{ href: '#year', text: asked.error }] : [],
    })
  })

  router.get('/ops/api-usage.csv', ...requireRole('ops'), async (req, res) => {
    const asked = requestedYear(req.query.year, thisYear())
    if (asked.error) return res.status(400).type('text/plain').send(`${asked.error}\n`)
    const usage = await apiUsage.forYear(asked.year)
    res.type('text/csv; charset=utf-8').attachment(`patient-access-api-usage-${asked.year}.csv`).send(usageCsv(usage))
  })

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

import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import type { Job, Queue } from 'bullmq'
import ejs from 'ejs'
import { Router, type RequestHandler } from 'express'
import { requireRole } from '../platform/access'
import { ForbiddenError } from '../platform/errors'
import type { Queues } from '../platform/queues'

export const dashboardPath = '/ops/queues'

const hidden = '[hidden]'

/**
 * What the dashboard may show of a job's data or return value: numbers, flags and short lowercase codes (the
 * ids and kinds a job carries). Any other text — a name, an email address, a message — is hidden, so even a
 * job that broke the ids-only rule shows no personal data.
 */
export function redactJobValue(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'string') return /^[a-z0-9-]{1,40}$/.test(value) ? value : hidden
  if (Array.isArray(value)) return value.slice(0, 20).map(redactJobValue)
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactJobValue(item)]))
  }
  return hidden
}

/**
 * An error message without what it quoted: database errors repeat the SQL with its values, and an email
 * address or a quoted string may be personal data. The kind of error and its place in the code stay.
 */
export function redactErrorText(text: string): string {
  return text
    .replace(/[^\s@'"`<>()]+@[^\s@'"`<>()]+/g, hidden)
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, `'${hidden}'`)
}

/** A job as the dashboard sees it: the same job, with its failure text and stack trace redacted. */
function redactedJob(job: Job): Job {
  const toJSON = job.toJSON.bind(job)
  return Object.assign(Object.create(job) as Job, {
    toJSON: () => {
      const json = toJSON()
      return {
        ...json,
        failedReason: json.failedReason ? redactErrorText(json.failedReason) : json.failedReason,
        stacktrace: (json.stacktrace ?? []).map((line: string | null) => (line ? redactErrorText(line) : line)),
      }
    },
  })
}

/** bull-board's BullMQ adapter, with every job's data, return value, error text and log redacted. */
class RedactingAdapter extends BullMQAdapter {
  constructor(queue: Queue) {
    super(queue, { allowRetries: true, readOnlyMode: false, description: `Jobs of the ${queue.name} queue` })
    this.setFormatter('data', redactJobValue)
    this.setFormatter('returnValue', redactJobValue)
    this.setFormatter('progress', redactJobValue)
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id)
    return job ? redactedJob(job) : job
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(redactedJob)
  }

  override async getJobLogs(): Promise<string[]> {
    return []
  }
}

/**
 * What ops may change from the dashboard, spelled as bull-board spells its routes: retry, promote, clean, pause
 * and resume, and a queue's concurrency. Work reaches workers only through the outbox, so adding a job, changing
 * a job's data, emptying a queue or destroying one is not on the list.
 */
export const allowedChanges: readonly { method: 'put'; route: string }[] = [
  { method: 'put', route: '/api/queues/pause' },
  { method: 'put', route: '/api/queues/resume' },
  { method: 'put', route: '/api/queues/:queueName/retry/:queueStatus' },
  { method: 'put', route: '/api/queues/:queueName/promote' },
  { method: 'put', route: '/api/queues/:queueName/clean/:queueStatus' },
  { method: 'put', route: '/api/queues/:queueName/pause' },
  { method: 'put', route: '/api/queues/:queueName/resume' },
  { method: 'put', route: '/api/queues/:queueName/concurrency' },
  { method: 'put', route: '/api/queues/:queueName/:jobId/retry' },
  { method: 'put', route: '/api/queues/:queueName/:jobId/clean' },
  { method: 'put', route: '/api/queues/:queueName/:jobId/promote' },
]

const isAllowedChange = (route: { method: string | string[]; route: string | string[] }) =>
  allowedChanges.some((allowed) => allowed.method === route.method && allowed.route === route.route)

/**
 * Reads pass; a change passes only if it matches an allowed route. The list is an Express router like the
 * dashboard's own, so it matches every spelling the dashboard would (any case, a trailing slash, encoded
 * characters): a pattern of our own could disagree with Express and let `/ADD` or `/empty/` through.
 */
function changesOpsMayMake(): Router {
  const gate = Router()
  for (const { method, route } of allowedChanges) gate[method](route, (_req, _res, next) => next('router'))
  gate.use((req, _res, next) => next(req.method === 'GET' || req.method === 'HEAD' ? undefined : new ForbiddenError()))
  return gate
}

/** Whether an Origin header names this host; anything that is not a URL (`null`, `x`) does not. */
function originIsHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}

/**
 * Changes are JSON calls from the dashboard's own pages. The session cookie is SameSite=Lax, so another site
 * cannot send it with a PUT or POST; a browser that says where a call came from must also say this site.
 */
const sameOriginOnly: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next()
  const site = req.get('sec-fetch-site')
  const origin = req.get('origin')
  const host = req.get('host')
  if (site && site !== 'same-origin') return next(new ForbiddenError())
  if (origin !== undefined && !(host && originIsHost(origin, host))) return next(new ForbiddenError())
  next()
}

/**
 * bull-board's own Express app, with no ETag on its pages (like every page of the site, none is revalidated) and
 * only the API routes ops may use: a refused action has no handler at all, whatever reaches it. Its page links a
 * Google Fonts stylesheet; that link is taken out, so opening the dashboard sends no staff address to another
 * site and the policy need not allow one. The page falls back to the system's fonts.
 */
class PortalExpressAdapter extends ExpressAdapter {
  constructor() {
    super()
    this.app.set('etag', false)
  }

  override setApiRoutes(routes: Parameters<ExpressAdapter['setApiRoutes']>[0]): this {
    super.setApiRoutes(routes.filter((route) => route.method === 'get' || isAllowedChange(route)))
    return this
  }

  override setViewsPath(viewPath: string): this {
    super.setViewsPath(viewPath)
    this.app.engine('ejs', (file: string, data: ejs.Data, callback: (error: Error | null, html?: string) => void) => {
      ejs.renderFile(file, data, (error, html) => callback(error, error ? undefined : withoutThirdPartyLinks(html)))
    })
    return this
  }
}

/** The page without `<link>`s to another site (bull-board's only one is its web fonts). */
export function withoutThirdPartyLinks(html: string): string {
  return html.replace(/<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi, '')
}

/**
 * The queue dashboard (bull-board) at /ops/queues: every queue, for ops staff only. Signed-out visitors go
 * to sign on; any other role gets 403 on every path under it — pages, API and static files alike.
 */
export function dashboardRoutes(queues: Queues): Router {
  const serverAdapter = new PortalExpressAdapter()
  serverAdapter.setBasePath(dashboardPath)
  createBullBoard({
    queues: queues.all().map((queue) => new RedactingAdapter(queue)),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Member Portal queues',
        miscLinks: [{ text: 'Operations summary', url: '/ops' }],
      },
    },
  })
  const router = Router()
  router.use(dashboardPath, ...requireRole('ops'), sameOriginOnly, changesOpsMayMake(), serverAdapter.getRouter())
  return router
}

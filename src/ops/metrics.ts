import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { Worker } from 'bullmq'
import type { Request, RequestHandler } from 'express'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { OpsService } from './service'
import type { Logger } from '../platform/logger'

/** Whether an Authorization header carries the configured bearer token (compared in constant time). */
export function hasMetricsToken(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(header.slice('Bearer '.length).trim()), digest(token))
}

/**
 * The route a request matched, as its pattern (`/labs/:id`), never the raw path: ids in paths would make a
 * series per record, and paths may carry personal data.
 */
export function routeLabel(req: Request, status: number): string {
  const path = req.originalUrl.split('?')[0]
  if (path === '/ops/queues' || path.startsWith('/ops/queues/')) return '/ops/queues/*'
  if (path.startsWith('/public/')) return '/public/*'
  const route = (req as Request & { route?: { path?: unknown } }).route
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`
  return status === 404 ? 'unmatched' : 'middleware'
}

/** The same answer to every caller within a second, so one scrape reads the queues once. */
function sharedForOneScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let shared: Promise<T> | undefined
  return () => {
    if (!shared) {
      shared = read()
      setTimeout(() => (shared = undefined), 1000).unref()
    }
    return shared
  }
}

/** Metrics every process has: CPU, memory, handles, garbage collection and event-loop lag. */
function processRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}

/**
 * The web process's metrics: request durations by route pattern and status, and — read when scraped — each
 * queue's depth and stalled jobs, and the outbox's lag.
 */
export class WebMetrics {
  readonly registry = processRegistry()
  private readonly requestDuration = new Histogram({
    name: 'portal_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })

  constructor(ops: OpsService, logger: Logger) {
    // Two gauges read the same queue summaries in one scrape: read Redis once.
    const summaries = sharedForOneScrape(() => ops.queueSummaries())
    const queueJobs = new Gauge({
      name: 'portal_queue_jobs',
      help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed, stalled)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        try {
          for (const queue of await summaries()) {
            for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'stalled'] as const) {
              this.set({ queue: queue.name, state }, queue[state])
            }
          }
        } catch (error) {
          logger.warn({ err: error }, 'could not read the queues for metrics')
        }
      },
    })
    const oldestWaiting = new Gauge({
      name: 'portal_queue_oldest_waiting_seconds',
      help: 'How long the oldest waiting job of each queue has waited (0 when none waits)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        try {
          for (const queue of await summaries()) this.set({ queue: queue.name }, queue.oldestWaitingSeconds ?? 0)
        } catch {
          // Reported once, by portal_queue_jobs.
        }
      },
    })
    const outbox = new Gauge({
      name: 'portal_outbox_rows',
      help: 'Outbox rows waiting to be queued (pending), queued but not finished (unfinished), failed for good',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        try {
          const lag = await ops.outboxLag()
          this.set({ state: 'pending' }, lag.pending)
          this.set({ state: 'unfinished' }, lag.unfinished)
          this.set({ state: 'failed' }, lag.failed)
          outboxLag.set(lag.oldestPendingSeconds ?? 0)
        } catch (error) {
          logger.warn({ err: error }, 'could not read the outbox for metrics')
        }
      },
    })
    const outboxLag = new Gauge({
      name: 'portal_outbox_lag_seconds',
      help: 'Age of the oldest outbox row not yet queued (0 when none waits)',
      registers: [this.registry],
    })
    void [queueJobs, oldestWaiting, outbox]
  }

  /** Times every request; the label is read when the response is finished, after routing. */
  observeRequests(): RequestHandler {
    return (req, res, next) => {
      const end = this.requestDuration.startTimer()
      res.once('finish', () =>
        end({ method: req.method, route: routeLabel(req, res.statusCode), status: res.statusCode }),
      )
      next()
    }
  }
}

/** The worker process's metrics: how long each queue's jobs take, how many fail or stall, and the process's own. */
export class WorkerMetrics {
  readonly registry = processRegistry()
  private readonly duration = new Histogram({
    name: 'portal_job_duration_seconds',
    help: 'Time from a job starting to finishing, by queue and job name',
    labelNames: ['queue', 'name'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  })
  private readonly completed = new Counter({
    name: 'portal_jobs_completed_total',
    help: 'Jobs completed, by queue and job name',
    labelNames: ['queue', 'name'] as const,
    registers: [this.registry],
  })
  private readonly failed = new Counter({
    name: 'portal_jobs_failed_total',
    help: 'Job attempts that failed, by queue and job name; final is "true" when no retry is left',
    labelNames: ['queue', 'name', 'final'] as const,
    registers: [this.registry],
  })
  private readonly stalled = new Counter({
    name: 'portal_jobs_stalled_total',
    help: 'Jobs found stalled (their worker died or hung) and handed on, by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  })

  watch(worker: Worker): void {
    worker.on('completed', (job) => {
      this.completed.inc({ queue: worker.name, name: job.name })
      if (job.processedOn && job.finishedOn) {
        this.duration.observe({ queue: worker.name, name: job.name }, (job.finishedOn - job.processedOn) / 1000)
      }
    })
    worker.on('failed', (job) => {
      const final = !job || job.finishedOn !== undefined || job.attemptsMade >= (job.opts.attempts ?? 1)
      this.failed.inc({ queue: worker.name, name: job?.name ?? 'unknown', final: String(final) })
    })
    worker.on('stalled', () => this.stalled.inc({ queue: worker.name }))
  }
}

/**
 * The worker process has no web server of its own: with WORKER_METRICS_PORT set it answers GET /metrics there,
 * to a scraper with the bearer token, and nothing else.
 */
export async function serveWorkerMetrics(
  metrics: WorkerMetrics,
  port: number,
  token: string | undefined,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    if (!hasMetricsToken(req.headers.authorization, token)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end()
      return
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(port, resolve))
  return server
}

import type { ErrorRequestHandler, RequestHandler } from 'express'
import type { Logger } from 'pino'

/** Thrown when a record does not exist or the person may not know it exists. */
export class NotFoundError extends Error {
  readonly status = 404
  constructor(message = 'Not found') {
    super(message)
  }
}

/** Thrown when a signed-on person asks for something their role does not allow. */
export class ForbiddenError extends Error {
  readonly status = 403
  constructor(message = 'Forbidden') {
    super(message)
  }
}

/** Thrown when a rule about the data is broken in a way the form could not catch (for example a race). */
export class ConflictError extends Error {
  readonly status = 409
}

/** A broken rule as a service states it: the form field the visitor should look at, and what to do. */
export interface Problem {
  field: string
  text: string
}

/**
 * Thrown when what the visitor asked for breaks a business rule they can put right (a medicine not due yet, a
 * choice missing): the one way a service reports one. Each feature throws its own documented subclass; only
 * routes turn `problems` into the error summary (`errorSummary` in forms.ts). A subclass may answer with another
 * status (a refused sign-on is 401, a blocked address 429). Left uncaught it is a page with its status (400).
 */
export class RuleBrokenError extends Error {
  readonly status: number = 400
  constructor(readonly problems: Problem[]) {
    super(problems.map((problem) => problem.text).join(' '))
  }
}

/** Thrown when Redis or MySQL cannot be reached: the visitor is told to try again shortly. */
export class ServiceUnavailableError extends Error {
  readonly status = 503
  constructor(message = 'Service unavailable') {
    super(message)
  }
}

const lostConnectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
])

/**
 * Whether an error means a backend (MySQL or Redis) is out of reach rather than a fault in the request: a
 * refused or lost connection, a pool that could not get one in time, or a Redis client that is not connected.
 */
export function isBackendUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, name, message, fatal } = error as { code?: unknown; name?: unknown; message?: unknown; fatal?: unknown }
  if (typeof code === 'string' && lostConnectionCodes.has(code)) return true
  if (name === 'KnexTimeoutError' || name === 'MaxRetriesPerRequestError') return true
  if (fatal === true) return true
  return (
    typeof message === 'string' &&
    /Stream isn't writeable|Connection is closed|Command timed out|did not answer within/.test(message)
  )
}

/**
 * While Redis is out of reach (stopped, restarting, failing over), pages answer 503 at once instead of waiting
 * for a session store that is not there, and recover by themselves when the client reconnects. A client
 * without an offline queue (the web process's) cannot send anything until it is connected, so for it
 * "not yet connected" counts as down too.
 */
export function whileRedisDown(redis: { status: string; options: { enableOfflineQueue?: boolean } }): RequestHandler {
  return (_req, _res, next) => {
    const down =
      ['reconnecting', 'close', 'end'].includes(redis.status) ||
      (redis.options.enableOfflineQueue === false && redis.status !== 'ready')
    if (down) return next(new ServiceUnavailableError())
    next()
  }
}

const pages: Record<number, { title: string; view: string }> = {
  403: { title: 'common:pages.forbidden.title', view: 'pages/forbidden' },
  404: { title: 'common:pages.notFound.title', view: 'pages/not-found' },
  413: { title: 'common:pages.tooLarge.title', view: 'pages/too-large' },
  503: { title: 'common:pages.unavailable.title', view: 'pages/unavailable' },
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError())

/** One place maps every error to a status and a page; users never see a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error)
    const status = isBackendUnavailable(error) ? 503 : errorStatus(error)
    if (status === 503) logger.warn({ err: error, requestId: req.id }, 'service unavailable')
    else if (status >= 500) logger.error({ err: error, requestId: req.id }, 'request failed')
    res.status(status)
    // Browsers and load balancers may try again after this many seconds.
    if (status === 503) res.set('Retry-After', '10')
    if (error?.code === 'EBADCSRFTOKEN') {
      return res.render('pages/form-expired', { title: 'common:pages.formExpired.title' })
    }
    const page = pages[status]
    if (page) return res.render(page.view, { title: page.title })
    if (status === 400) return res.render('pages/bad-request', { title: 'common:pages.badRequest.title' })
    return res.render('pages/error', { title: 'common:pages.error.title' })
  }
}

function errorStatus(error: unknown): number {
  if (error && typeof error === 'object') {
    const candidate =
      (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode
    if (typeof candidate === 'number' && candidate >= 400 && candidate < 600) return candidate
  }
  return 500
}

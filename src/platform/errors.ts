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

const pages: Record<number, { title: string; view: string }> = {
  403: { title: 'You cannot open this page', view: 'pages/forbidden' },
  404: { title: 'Page not found', view: 'pages/not-found' },
  413: { title: 'What you sent is too large', view: 'pages/too-large' },
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError())

/** One place maps every error to a status and a page; users never see a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error)
    const status = errorStatus(error)
    if (status >= 500) logger.error({ err: error, requestId: req.id }, 'request failed')
    res.status(status)
    if (error?.code === 'EBADCSRFTOKEN') {
      return res.render('pages/form-expired', { title: 'Your form expired' })
    }
    const page = pages[status]
    if (page) return res.render(page.view, { title: page.title })
    if (status === 400) return res.render('pages/bad-request', { title: 'Something was wrong with the request' })
    return res.render('pages/error', { title: 'Sorry, there is a problem with the service' })
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

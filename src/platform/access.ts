import type { RequestHandler } from 'express'
import { ForbiddenError } from './errors'
import type { SessionUser } from './session'

export const homeFor: Record<SessionUser['role'], string> = {
  member: '/home',
  office: '/office',
  ops: '/ops',
  mailroom: '/mailroom',
}

export const endedSessionFormNotice =
  'Your session had ended, so what you sent was not saved. Sign on again, then fill in the form again.'

/** Signed-out visitors go to sign on and come back to the page they asked for afterwards. */
export const requireSignedOn: RequestHandler = (req, res, next) => {
  if (req.session.user) return next()
  if (req.method === 'GET') req.session.returnTo = req.originalUrl
  // A form from a session that ended too long ago to know whose it was: say so, though nothing is kept.
  const kept = req.session.lapsedForm
  if (kept && !kept.userId && kept.path === req.originalUrl.split('?')[0]) req.session.notice ??= endedSessionFormNotice
  res.redirect(303, '/sign-on')
}

/** A signed-on person without the role is refused outright; the page exists, so 403 rather than 404. */
export function requireRole(...roles: SessionUser['role'][]): RequestHandler[] {
  return [
    requireSignedOn,
    (req, _res, next) => {
      if (req.session.user && roles.includes(req.session.user.role)) return next()
      next(new ForbiddenError())
    },
  ]
}

/**
 * Personal data must not linger in shared caches or the browser's history on a library PC: the app sends this on
 * every page, signed on or not.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store')
  next()
}

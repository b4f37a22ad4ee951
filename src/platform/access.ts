import type { RequestHandler } from 'express'
import { ForbiddenError } from './errors'
import type { SessionUser } from './session'

export const homeFor: Record<SessionUser['role'], string> = {
  member: '/home',
  office: '/office',
  ops: '/ops',
  mailroom: '/mailroom',
}

/** Signed-out visitors go to sign on and come back to the page they asked for afterwards. */
export const requireSignedOn: RequestHandler = (req, res, next) => {
  if (req.session.user) return next()
  if (req.method === 'GET') req.session.returnTo = req.originalUrl
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

/** Only paths on this site are followed after sign-on, so a crafted link cannot send a member elsewhere. */
export function safeReturnPath(candidate: unknown): string | undefined {
  if (typeof candidate !== 'string') return undefined
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return undefined
  return candidate.length <= 500 ? candidate : undefined
}

import type { Request, RequestHandler } from 'express'
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

/** Only paths on this site are followed after sign-on, so a crafted link cannot send a member elsewhere. */
export function safeReturnPath(candidate: unknown): string | undefined {
  if (typeof candidate !== 'string') return undefined
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return undefined
  return candidate.length <= 500 ? candidate : undefined
}

/** The member tools; proxy access will grant some of them and not others. */
export type MemberTool = 'labs' | 'vaccinations' | 'coverage' | 'appointments' | 'prescriptions' | 'messages'

/**
 * Who is looking at whose records in this request, with what the audit trail needs. The actor and the member
 * are the same person today; proxy access makes them differ.
 */
export interface Viewing {
  actorUserId: number
  memberId: number
  requestId?: string
  ip?: string
  /** Set when an app reads the records through the API: the audit trail names it. */
  appClientId?: string
}

/**
 * The one place that decides whose records a request sees. Today a member sees only their own. Proxy access
 * changes only this function: it will read the member chosen in the switcher from the session and check the
 * grant (and the tool it covers) before returning that member's id.
 */
export async function resolveViewing(req: Request, _tool: MemberTool): Promise<Viewing> {
  const user = req.session.user
  if (!user || user.role !== 'member' || !user.memberId) throw new ForbiddenError()
  return {
    actorUserId: user.id,
    memberId: user.memberId,
    requestId: req.id === undefined ? undefined : String(req.id),
    ip: req.ip,
  }
}

/**
 * The members whose records a user may see and act for: today a member's own record only. Proxy access (issue
 * #13) extends this one function with the people the user cares for; the app's patient picker and the API
 * both read it, so a grant that ends stops an app reading that person's records at its next call.
 */
export async function membersActedFor(user: Pick<SessionUser, 'role' | 'memberId'>): Promise<number[]> {
  if (user.role !== 'member' || !user.memberId) return []
  return [user.memberId]
}

/**
 * Personal data must not linger in shared caches or the browser's history on a library PC: the app sends this on
 * every page, signed on or not.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store')
  next()
}

/** Every member tool's page: signed on, a member (never cached, as every page is). */
export function memberToolPage(): RequestHandler[] {
  return requireRole('member')
}

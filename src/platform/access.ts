import type { Request, RequestHandler } from 'express'
import type { MemberSummary } from '../members/repository'
import { ForbiddenError, NotFoundError } from './errors'
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

/** The member tools, in the order the navigation lists them; proxy access grants some of them and not others. */
export const memberTools = ['labs', 'prescriptions', 'messages', 'appointments', 'vaccinations', 'coverage'] as const
export type MemberTool = (typeof memberTools)[number]

/** Each tool's page and name, for the navigation and the family pages. */
export const toolPages: Record<MemberTool, { path: string; name: string }> = {
  labs: { path: '/labs', name: 'Lab results' },
  prescriptions: { path: '/prescriptions', name: 'Prescriptions' },
  messages: { path: '/messages', name: 'Messages' },
  appointments: { path: '/appointments', name: 'Appointments' },
  vaccinations: { path: '/vaccinations', name: 'Vaccination records' },
  coverage: { path: '/coverage', name: 'Coverage and costs' },
}

/** Who is looking at whose records in this request, with what the audit trail needs. */
export interface Viewing {
  /** The signed-on person's account: a parent, a proxy, or the member themselves. */
  actorUserId: number
  /** The member whose records these are. */
  memberId: number
  requestId?: string
  ip?: string
  /** Set when an app reads the records through the API: the audit trail names it. */
  appClientId?: string
  /** The viewed member's summary when the request's look-up of whom they may act for already read it. */
  summary?: MemberSummary
}

/** A member the signed-on person may act for (themselves first), and what they may use there. */
export interface ActableMember {
  memberId: number
  name: string
  relationship: 'self' | 'child' | 'teen' | 'grant'
  tools: readonly MemberTool[]
  /** Whether the access history of this member is theirs to read: their own, or a child under 12's. */
  accessHistory: boolean
  /** The last day a grant works, if it ends. */
  endsOn?: string | null
  /** Office replies to this member not yet read: a count for the page header, shown only where messages are in scope. */
  unreadReplies?: number
  /** Their name, MRN and care team, read with the rest so a page need not ask again. */
  summary?: MemberSummary
}

/** The pages that belong to the member being viewed without being a tool: their home and access history. */
export type SubjectPage = MemberTool | 'home' | 'access-history'

/** Who may be viewed in this request, loaded once per request by `setUpViewing`. */
export interface ViewingContext {
  /** Everyone the signed-on member may act for, themselves first. */
  choices: ActableMember[]
  /** The member chosen in the switcher (or themselves). */
  current: ActableMember
  /** The member chosen earlier whom they may no longer act for (revoked, expired, turned 18): this request is a 404. */
  lostMemberId?: number
  /** The links of the tools the current member's scope allows. */
  nav: { path: string; name: string }[]
  recordRefusal: ProxyDirectory['recordRefusal']
}

declare module 'express-session' {
  interface SessionData {
    /** The member chosen in "You are viewing"; absent means the signed-on member. */
    viewingMemberId?: number
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    viewing?: ViewingContext
  }
}

/** Where the members a person may act for come from (the family feature), and where refusals are audited. */
export interface ProxyDirectory {
  membersActedFor(user: {
    role: SessionUser['role']
    memberId: number | null
    displayName?: string
  }): Promise<ActableMember[]>
  recordRefusal(entry: {
    actorUserId: number
    subjectMemberId: number | null
    page: string
    requestId?: string
    ip?: string
    /** The app that asked, when the refusal was of an API call. */
    appClientId?: string
  }): Promise<void>
}

/** The tools a member's scope allows, as navigation links. */
export function navigationFor(member: ActableMember): { path: string; name: string }[] {
  return memberTools.filter((tool) => member.tools.includes(tool)).map((tool) => toolPages[tool])
}

/**
 * Loads, on every signed-on member's request, whom they may act for — so a grant revoked or expired, or a child
 * turned 18, counts from the proxy's next request. A member chosen earlier who is no longer among them is
 * forgotten (the switcher shows the member themselves again) and this request's tool pages are a 404.
 */
export function setUpViewing(directory: ProxyDirectory): RequestHandler {
  return async (req, res, next) => {
    const user = req.session.user
    if (!user || user.role !== 'member' || !user.memberId || user.mustSetCredentials) return next()
    const choices = await directory.membersActedFor(user)
    const chosen = req.session.viewingMemberId
    let current = choices.find((member) => member.memberId === (chosen ?? user.memberId))
    let lostMemberId: number | undefined
    if (!current) {
      lostMemberId = chosen
      delete req.session.viewingMemberId
      current = choices[0]
    }
    req.viewing = {
      choices,
      current,
      lostMemberId,
      nav: navigationFor(current),
      recordRefusal: (entry) => directory.recordRefusal(entry),
    }
    res.locals.viewing = req.viewing
    // Whose records the page shows, for its headings: "Your medicines", or "Sam Rivera’s medicines" for a proxy.
    res.locals.whose = current.relationship === 'self' ? 'Your' : `${current.name}’s`
    next()
  }
}

/** Whether the member's scope covers the page. */
export function scopeAllows(member: ActableMember, page: SubjectPage): boolean {
  if (page === 'home') return true
  if (page === 'access-history') return member.accessHistory
  return member.tools.includes(page)
}

/**
 * The one place that decides whose records a request sees: the member chosen in the switcher, when the
 * signed-on member may act for them and their scope covers the tool (a parent's for a child or teen, or an
 * adult's grant); otherwise a 404 that says nothing, audited with who asked and for whom.
 */
export async function resolveViewing(req: Request, tool: SubjectPage): Promise<Viewing> {
  const own = ownViewing(req)
  const { memberId: _own, ...base } = own
  const context = req.viewing
  if (!context) return own
  const refused = context.lostMemberId ?? (scopeAllows(context.current, tool) ? undefined : context.current.memberId)
  if (refused !== undefined) {
    await context.recordRefusal({ ...base, ip: base.ip?.slice(0, 45), subjectMemberId: refused, page: tool })
    throw new NotFoundError()
  }
  return { ...base, memberId: context.current.memberId, summary: context.current.summary }
}

/**
 * The viewing scope for something shown beside a page rather than asked for (a count in the header): the
 * member viewed when their scope covers the tool, otherwise nothing — no 404 and no refusal in the audit log.
 */
export function viewingIfAllowed(req: Request, tool: SubjectPage): Viewing | undefined {
  const user = req.session.user
  if (!user || user.role !== 'member' || !user.memberId) return undefined
  const own = ownViewing(req)
  const context = req.viewing
  if (!context) return own
  if (context.lostMemberId !== undefined || !scopeAllows(context.current, tool)) return undefined
  return { ...own, memberId: context.current.memberId }
}

/**
 * The signed-on member acting for themselves, whoever the switcher shows: for their own account's pages (who
 * they have given access to, the switcher itself), never for reading someone's records.
 */
export function ownViewing(req: Request): Viewing {
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

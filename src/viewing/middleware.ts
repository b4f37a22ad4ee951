import type { Request, RequestHandler } from 'express'
import type { MemberSummary } from '../members/summary'
import { requireRole } from '../platform/access'
import { ForbiddenError, NotFoundError } from '../platform/errors'
import type { SessionUser } from '../platform/session'
import { type MemberTool, navigationFor, scopeAllows, type SubjectPage } from './rules'

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

/** Where the members a person may act for come from (`ViewingService`), and where refusals are audited. */
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

/**
 * Whose records a page shows, as i18next options for its headings: `t('labs:index.results', whoseRecords)` reads
 * the key itself ("Your results", "Sus resultados") for the member's own records, and the key with `_proxy`
 * ("{{name}}’s results", "Resultados de {{name}}") for someone they act for. Each language words the possessive
 * its own way, so a page never builds it from pieces (`whose` is the English word alone, for pages not yet
 * translated).
 */
export type WhoseRecords = { context?: 'proxy'; name?: string }

export function whoseRecords(member?: Pick<ActableMember, 'relationship' | 'name'>): WhoseRecords {
  return !member || member.relationship === 'self' ? {} : { context: 'proxy', name: member.name }
}

/**
 * Loads, on every signed-on member's request, whom they may act for — so a grant revoked or expired, or a child
 * turned 18, counts from the proxy's next request. A member chosen earlier who is no longer among them is
 * forgotten (the switcher shows the member themselves again) and this request's tool pages are a 404.
 */
export function setUpViewing(directory: ProxyDirectory): RequestHandler {
  return async (req, res, next) => {
    res.locals.whoseRecords = whoseRecords()
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
    res.locals.whoseRecords = whoseRecords(current)
    next()
  }
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
    await context.recordRefusal({ ...base, subjectMemberId: refused, page: tool })
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

/** Every member tool's page: signed on, a member (never cached, as every page is). */
export function memberToolPage(): RequestHandler[] {
  return requireRole('member')
}

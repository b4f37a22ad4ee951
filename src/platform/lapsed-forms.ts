import { createHash } from 'node:crypto'
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express'
import type { Config } from '../config'
import { safeReturnPath } from './return-path'
import type { Clock } from './clock'

/** A signed-on session the server ended for inactivity or age, remembered in the session that replaced it. */
export interface LapsedSession {
  userId: number
  // The ended session's CSRF token, hashed: only a form drawn by that session carries it.
  tokenDigest?: string
  reason: string
}

/** What was typed in a form that arrived after its session or token had lapsed: never passwords or answers. */
export interface LapsedForm {
  path: string
  fields: Record<string, string>
  // The account whose form it was; unset for a form sent without being signed on.
  userId?: number
  leftOutSecrets: boolean
  savedAt: number
}

declare module 'express-session' {
  interface SessionData {
    lapsedSession?: LapsedSession
    lapsedForm?: LapsedForm
  }
}

// Passwords, secret answers, tokens and one-time codes are never kept, whatever form they come from.
const secretField = /password|answer|token|secret|csrf|onetimecode/i

const digest = (token: string) => createHash('sha256').update(token).digest('hex')

/** Records the ended session so a form it drew can still be recognised as the member's own. */
export function describeLapsedSession(
  ended: { user?: { id: number }; csrfToken?: string | null },
  reason: string,
): LapsedSession | undefined {
  if (!ended.user) return undefined
  const tokenDigest = typeof ended.csrfToken === 'string' ? digest(ended.csrfToken) : undefined
  return { userId: ended.user.id, tokenDigest, reason }
}

/**
 * The page the form was on: the Referer when it is this site (forms such as sign-out sit on many pages),
 * otherwise the address the form was sent to.
 */
function formPage(req: Request): string {
  const referer = req.get('referer')
  if (referer) {
    try {
      const url = new URL(referer)
      if (url.host === req.get('host') && safeReturnPath(url.pathname)) return url.pathname
    } catch {
      // A malformed Referer is simply ignored.
    }
  }
  return req.originalUrl.split('?')[0]
}

/** Keeps what was typed, without secrets and within bounds, for the form's page to show again. */
export function keepTypedValues(req: Request, now: number, userId?: number): string {
  const body = (req.body ?? {}) as Record<string, unknown>
  const typed = Object.entries(body)
    .slice(0, 40)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && /^[\w-]{1,40}$/.test(entry[0]))
  const leftOutSecrets = typed.some(([name, value]) => secretField.test(name) && name !== '_csrf' && value !== '')
  // fromEntries defines own properties, so a field named __proto__ is just a name.
  const fields = Object.fromEntries(
    typed.filter(([name]) => !secretField.test(name)).map(([name, value]) => [name, value.slice(0, 300)]),
  )
  const path = formPage(req)
  req.session.lapsedForm = { path, fields, userId, leftOutSecrets, savedAt: now }
  return path
}

function signedOnFormNotice(lapsed: LapsedSession): string {
  return `${lapsed.reason} What you sent was not saved. Sign on again to go back to the form: we kept what you typed, except passwords and secret answers.`
}

/**
 * Answers a form whose CSRF token does not match before the error page does. A form from a session that
 * has since ended (timed out, or gone from the store) is not acted on: what was typed is kept server-side
 * and the member is sent back to the same form (through sign-on when it needs it) to check and send again.
 * A wrong or missing token in a live session is still refused, as is one claiming to be signed on.
 */
export function recoverLapsedForms(options: {
  clock: Clock
  submittedToken: (req: Request) => string | null | undefined
  hasLiveToken: (req: Request) => boolean
}): ErrorRequestHandler {
  return (error, req, res, next) => {
    if ((error as { code?: unknown } | undefined)?.code !== 'EBADCSRFTOKEN') return next(error)
    // The idle warning's script asks for JSON: it hears the refusal and sends the form itself instead.
    if (req.accepts(['html', 'json']) === 'json') return next(error)
    const submitted = options.submittedToken(req)
    if (typeof submitted !== 'string' || submitted === '' || req.session.user) return next(error)
    const now = options.clock().getTime()
    const lapsed = req.session.lapsedSession
    if (lapsed?.tokenDigest) {
      // The ended session's own form, or a forgery aimed at it.
      if (lapsed.tokenDigest !== digest(submitted)) return next(error)
      if (req.path === '/sign-out') return res.redirect(303, '/signed-out')
      const page = keepTypedValues(req, now, lapsed.userId)
      req.session.notice = signedOnFormNotice(lapsed)
      return res.redirect(303, page)
    }
    // This session never drew a form, so the one sent came from a session that is gone: nobody's live session
    // can be acted on, and the form is only shown again, with nothing kept for any account.
    if (options.hasLiveToken(req)) return next(error)
    if (req.path === '/sign-out') return res.redirect(303, '/signed-out')
    return res.redirect(303, keepTypedValues(req, now))
  }
}

/**
 * Offers the kept values to the page they came from, when it is the same person asking (the account that
 * typed them, or nobody signed on for a form sent signed out) and they are still fresh. Rendering the page
 * uses them up.
 */
export function offerLapsedForm(config: Config, clock: Clock): RequestHandler {
  const keepMs = config.session.typedValuesMinutes * 60_000
  return (req, res, next) => {
    const kept = req.session?.lapsedForm
    if (!kept || req.method !== 'GET') return next()
    if (clock().getTime() - kept.savedAt > keepMs) {
      delete req.session.lapsedForm
      return next()
    }
    if (kept.path !== req.path || kept.userId !== req.session.user?.id) return next()
    res.locals.lapsedForm = kept
    const render = res.render.bind(res)
    res.render = ((...args: Parameters<typeof res.render>) => {
      delete req.session.lapsedForm
      return render(...args)
    }) as typeof res.render
    next()
  }
}

/** The values typed before the session lapsed, for the form on this page; empty when there are none. */
export function restoredValues(res: Response): Record<string, string> {
  return (res.locals.lapsedForm as LapsedForm | undefined)?.fields ?? {}
}

/** After sign-on the kept values move into the new session, but only for the account that typed them. */
export function carryLapsedForm(kept: LapsedForm | undefined, userId: number): LapsedForm | undefined {
  return kept?.userId === userId ? kept : undefined
}

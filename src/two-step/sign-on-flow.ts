import type { Request, RequestHandler, Response } from 'express'
import type { SignOnService } from '../accounts/service'
import { homeFor } from '../platform/access'
import type { Clock } from '../platform/clock'
import type { LapsedForm } from '../platform/lapsed-forms'
import type { SessionRegistry, SessionUser } from '../platform/session'
import { unsentCodeMessage } from './messages'
import { rememberCookie, type TwoStepService } from './service'

export type SecondStepMethod = 'app' | 'email' | 'recovery-code' | 'passkey'

/** A sign-on whose password was right, waiting for its second step (or, for staff, for one to be set up). */
export interface PendingSignOn {
  user: SessionUser
  startedAt: number
  returnTo?: string
  lapsedForm?: LapsedForm
  mode: 'verify' | 'set-up'
  method?: SecondStepMethod
  /** Set up during this sign-on: the recovery codes were shown, sign-on may finish. */
  setUp?: boolean
}

declare module 'express-session' {
  interface SessionData {
    pendingSignOn?: PendingSignOn
  }
}

// Long enough to fetch a phone or open an email, short enough that a walked-away screen is not half signed on.
export const pendingMinutes = 10

export interface FlowServices {
  twoStep: TwoStepService
  signOn: SignOnService
  sessions: SessionRegistry
  clock: Clock
}

interface Attempt {
  ip: string
  userAgent?: string
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())))
}

function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())))
}

/** One cookie's value from the request, without a parser for the whole app. */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

/**
 * After the password: straight in when the account has no second step and needs none, or when this browser
 * is remembered; otherwise the pending sign-on waits (in a new session id) for the second step or its set-up.
 */
export async function beginSecondStep(
  req: Request,
  res: Response,
  services: FlowServices,
  sign: { user: SessionUser; returnTo?: string; lapsedForm?: LapsedForm; attempt: Attempt },
): Promise<void> {
  const { twoStep } = services
  const { user } = sign
  if (user.mustSetCredentials) {
    // The letter went to the address on file: it starts 2-step verification over (the phone may be lost).
    await twoStep.resetForTemporaryPassword(user.id)
    const mustSetUpTwoStep = twoStep.isRequired(user.role) || undefined
    return completeSignOn(req, res, services, {
      ...sign,
      user: { ...user, mustSetUpTwoStep },
      method: 'temporary-password',
    })
  }
  const overview = await twoStep.overview(user.id)
  if (!overview.enabled && !twoStep.isRequired(user.role))
    return completeSignOn(req, res, services, { ...sign, method: 'password' })
  if (overview.enabled && (await twoStep.recognisesBrowser(user.id, cookieValue(req, rememberCookie))))
    return completeSignOn(req, res, services, { ...sign, method: 'password+remembered-browser' })

  const method: SecondStepMethod | undefined = overview.hasApp
    ? 'app'
    : overview.hasEmail
      ? 'email'
      : overview.hasPasskey
        ? 'passkey'
        : overview.recoveryCodesLeft > 0
          ? 'recovery-code'
          : undefined
  await regenerate(req)
  req.session.pendingSignOn = {
    user,
    startedAt: services.clock().getTime(),
    returnTo: sign.returnTo,
    lapsedForm: sign.lapsedForm,
    mode: overview.enabled ? 'verify' : 'set-up',
    method,
  }
  if (method === 'email') {
    const sent = await twoStep.sendEmailCode(user.id)
    if (sent !== 'sent') req.session.notice = unsentCodeMessage(sent)
  }
  await save(req)
  res.redirect(303, overview.enabled ? '/sign-on/verify' : '/sign-on/set-up')
}

/** The pending sign-on, if there is one still within its 10 minutes. */
export function livePending(req: Request, clock: Clock): PendingSignOn | undefined {
  const pending = req.session.pendingSignOn
  if (!pending) return undefined
  if (clock().getTime() - pending.startedAt > pendingMinutes * 60_000) {
    delete req.session.pendingSignOn
    return undefined
  }
  return pending
}

/**
 * Both steps done: a new session id, the signed-on session, the failures forgotten and the method recorded,
 * then the page sign-on was leading to.
 */
export async function completeSignOn(
  req: Request,
  res: Response,
  { signOn, sessions, clock, twoStep }: FlowServices,
  done: {
    user: SessionUser
    returnTo?: string
    lapsedForm?: LapsedForm
    attempt: Attempt
    method: string
    remember?: boolean
    notice?: string
  },
): Promise<void> {
  const { user, returnTo } = done
  const language = await signOn.finish(user, done.attempt, done.method)
  if (done.remember) {
    const cookie = await twoStep.rememberBrowser(user.id, done.attempt.userAgent)
    res.cookie(rememberCookie, cookie.value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: cookie.maxAgeMs,
      path: '/',
    })
  }
  // A new session id at sign-on, so an id planted before sign-on is worthless after it.
  await regenerate(req)
  const now = clock().getTime()
  req.session.user = { ...user, language }
  req.session.signedOnAt = now
  req.session.lastSeenAt = now
  req.session.lapsedForm = done.lapsedForm
  if (done.notice) req.session.notice = done.notice
  // Held on first sign-on until new credentials are chosen: the page asked for comes after that.
  if (user.mustSetCredentials && returnTo) req.session.returnTo = returnTo
  await save(req)
  await sessions.add(user.id, req.sessionID)
  res.redirect(303, returnTo ?? homeFor[user.role])
}

const allowedWhileSettingUp = /^\/(account\/two-step(\/.*)?|sign-out|signed-out|session\/keep-alive|first-sign-on)$/

/**
 * After a mailed temporary password where 2-step verification is required, every page but its set-up (and
 * choosing new credentials first) waits until a method is added again.
 */
export const holdForTwoStepSetUp: (twoStep: TwoStepService) => RequestHandler = (twoStep) => async (req, res, next) => {
  const user = req.session.user
  if (!user?.mustSetUpTwoStep || user.mustSetCredentials) return next()
  if ((await twoStep.overview(user.id)).enabled) {
    req.session.user = { ...user, mustSetUpTwoStep: undefined }
    return next()
  }
  if (allowedWhileSettingUp.test(req.path)) return next()
  req.session.notice = 'twoStep:notices.setUpAgain'
  res.redirect(303, '/account/two-step')
}

import { Router } from 'express'
import { z } from 'zod'
import { homeFor, requireSignedOn } from '../platform/access'
import { safeReturnPath } from '../platform/return-path'
import { errorSummary, parseForm, password, text } from '../platform/forms'
import { carryLapsedForm, restoredValues } from '../platform/lapsed-forms'
import type { Services } from '../services'
import type { SessionUser } from '../platform/session'
import { beginSecondStep } from '../two-step/sign-on-flow'
import { AddressBlockedError, SignOnRefusedError } from './service'

const signOnForm = z.object({
  userId: text('accounts:fields.userId', { max: 64 }),
  password: password('accounts:fields.password', { max: 1024 }),
})

export function accountRoutes({
  signOn,
  users,
  clock,
  sessions,
  emailVerification,
  twoStep,
}: Pick<Services, 'signOn' | 'users' | 'clock' | 'sessions' | 'emailVerification' | 'twoStep'>): Router {
  const router = Router()

  router.get('/verify-email', async (req, res) => {
    const outcome = await emailVerification.verify(req.query.token)
    if (outcome === 'verified')
      return res.render('accounts/email-verified', {
        title: 'accounts:emailVerified.title',
        signedOn: Boolean(req.session.user),
      })
    res.status(410).render('accounts/link-expired', { title: 'accounts:linkExpired.title' })
  })

  router.get('/sign-on', (req, res) => {
    if (req.session.user) return res.redirect(homeFor[req.session.user.role])
    const notice = req.session.notice
    delete req.session.notice
    res.render('accounts/sign-on', { title: 'accounts:signOn.title', notice, values: restoredValues(res), errors: [] })
  })

  router.post('/sign-on', async (req, res, next) => {
    const form = parseForm(signOnForm, req.body)
    const values = { userId: typeof req.body?.userId === 'string' ? req.body.userId.slice(0, 64) : '' }
    if (!form.ok)
      return res.status(400).render('accounts/sign-on', { title: 'accounts:signOn.title', values, errors: form.errors })

    let user: SessionUser
    try {
      user = await signOn.signOn({
        userId: form.value.userId,
        password: form.value.password,
        ip: req.ip ?? 'unknown',
        userAgent: req.get('user-agent'),
      })
    } catch (error) {
      if (!(error instanceof SignOnRefusedError || error instanceof AddressBlockedError)) throw error
      return res.status(error.status).render('accounts/sign-on', {
        title: 'accounts:signOn.title',
        values,
        errors: errorSummary(error.problems),
      })
    }

    const returnTo = safeReturnPath(req.session.returnTo)
    const lapsedForm = carryLapsedForm(req.session.lapsedForm, user.id)
    const attempt = { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') }
    try {
      await beginSecondStep(req, res, { twoStep, signOn, sessions, clock }, { user, returnTo, lapsedForm, attempt })
    } catch (error) {
      next(error)
    }
  })

  router.post('/sign-out', async (req, res, next) => {
    const user = req.session.user
    if (user) {
      await users.recordSignOnEvent({ userId: user.id, at: clock(), outcome: 'signed-out', ip: req.ip })
      await sessions.remove(user.id, req.sessionID)
    }
    req.session.destroy((error) => {
      if (error) return next(error)
      res.clearCookie('portal.sid')
      res.redirect(303, '/signed-out')
    })
  })

  // Any request counts as activity; this one exists so the idle warning can say "stay signed on".
  router.post('/session/keep-alive', requireSignedOn, (req, res) => {
    if (req.accepts(['html', 'json']) === 'json') return res.status(204).end()
    const user = req.session.user!
    res.redirect(303, safeReturnPath(req.body?.returnTo) ?? homeFor[user.role])
  })

  router.get('/signed-out', (_req, res) => {
    res.render('accounts/signed-out', { title: 'accounts:signedOut.title' })
  })

  return router
}

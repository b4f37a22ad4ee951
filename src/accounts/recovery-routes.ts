import { type RequestHandler, Router } from 'express'
import { z } from 'zod'
import { errorSummary, parseForm, text } from '../platform/forms'
import { message } from '../platform/i18n'
import { restoredValues } from '../platform/lapsed-forms'
import type { Services } from '../services'
import { parseCredentialsForm, parseMembershipForm } from './forms'
import { MembershipThrottledError } from './membership'
import { ResetEndedError, SecretAnswersWrongError, type OpenedReset } from './recovery'
import { secretQuestionText } from './secret-questions'

declare module 'express-session' {
  interface SessionData {
    passwordReset?: OpenedReset & { answersPassed?: boolean }
  }
}

// Member Services' number comes from HELP_PHONE, like every page's.
const tooManyAttempts = (helpPhone: string) => ({
  href: '#firstName',
  text: message('accounts:errors.tooManyAttempts', { phone: helpPhone }),
})

const userIdForm = z.object({ userId: text('accounts:fields.userId', { max: 64 }) })

/** Forgot user ID and forgot password: the same answer whether or not an account matches. */
export function recoveryRoutes({
  membership,
  recovery,
  clock,
  config,
}: Pick<Services, 'membership' | 'recovery' | 'clock' | 'config'>): Router {
  const router = Router()

  /**
   * A recovery form of membership details: the same answer whether or not they are an account's (`forAccount` runs
   * only when they are), so it tells no one who has one; a blocked membership check is told on the form.
   */
  const membershipForm =
    (view: string, title: string, done: string, forAccount: (memberId: number) => Promise<void>): RequestHandler =>
    async (req, res) => {
      const form = parseMembershipForm(req.body, clock())
      const page = { title, values: form.values }
      if (!form.ok) return res.status(400).render(view, { ...page, errors: form.errors })
      try {
        const match = await membership.matchMembership(form.value, req.ip ?? 'unknown')
        if (match?.hasAccount) await forAccount(match.member.id)
      } catch (error) {
        if (!(error instanceof MembershipThrottledError)) throw error
        return res.status(error.status).render(view, { ...page, errors: [tooManyAttempts(config.helpPhone)] })
      }
      res.redirect(303, done)
    }

  router.get('/forgot-user-id', (_req, res) => {
    const values = parseMembershipForm(restoredValues(res), clock()).values
    res.render('accounts/forgot-user-id', { title: 'accounts:forgotUserId.title', values, errors: [] })
  })

  router.post(
    '/forgot-user-id',
    membershipForm('accounts/forgot-user-id', 'accounts:forgotUserId.title', '/forgot-user-id/sent', (memberId) =>
      recovery.sendUserIdReminder(memberId),
    ),
  )

  router.get('/forgot-user-id/sent', (_req, res) =>
    res.render('accounts/forgot-user-id-sent', { title: 'accounts:forgotUserId.sentTitle' }),
  )

  router.get('/forgot-password/by-mail', (_req, res) => {
    const values = parseMembershipForm(restoredValues(res), clock()).values
    res.render('accounts/letter-request', { title: 'accounts:letterRequest.title', values, errors: [] })
  })

  router.post(
    '/forgot-password/by-mail',
    membershipForm(
      'accounts/letter-request',
      'accounts:letterRequest.title',
      '/forgot-password/by-mail/requested',
      (memberId) => recovery.requestLetterByMail(memberId),
    ),
  )

  router.get('/forgot-password/by-mail/requested', (_req, res) =>
    res.render('accounts/letter-requested', { title: 'accounts:letterRequest.sentTitle' }),
  )

  router.get('/forgot-password', (_req, res) => {
    res.render('accounts/forgot-password', {
      title: 'accounts:forgotPassword.title',
      values: restoredValues(res),
      errors: [],
    })
  })

  router.post('/forgot-password', async (req, res) => {
    const form = parseForm(userIdForm, req.body)
    if (!form.ok) {
      return res.status(400).render('accounts/forgot-password', {
        title: 'accounts:forgotPassword.title',
        values: { userId: String(req.body?.userId ?? '').slice(0, 64) },
        errors: form.errors,
      })
    }
    await recovery.requestPasswordReset(form.value.userId)
    res.redirect(303, '/forgot-password/sent')
  })

  router.get('/forgot-password/sent', (_req, res) =>
    res.render('accounts/forgot-password-sent', { title: 'accounts:forgotPassword.sentTitle' }),
  )

  // The emailed link: checked, then the token leaves the address bar before any form is shown.
  router.get('/forgot-password/reset', async (req, res) => {
    const opened = await recovery.openResetLink(req.query.token)
    if (!opened) return res.status(410).render('accounts/link-expired', { title: 'accounts:linkExpired.title' })
    req.session.passwordReset = opened
    res.redirect(303, '/forgot-password/questions')
  })

  const questionsPage = (reset: OpenedReset, locals: Record<string, unknown> = {}) => ({
    title: 'accounts:resetQuestions.title',
    questions: reset.questionKeys.map((key, index) => ({
      id: `answer${index + 1}`,
      text: secretQuestionText(key),
    })),
    errors: [],
    ...locals,
  })

  router.get('/forgot-password/questions', async (req, res) => {
    const reset = req.session.passwordReset
    if (!reset || !(await recovery.isLive(reset.resetId))) return res.redirect(303, '/forgot-password')
    if (reset.answersPassed) return res.redirect(303, '/forgot-password/new-password')
    res.render('accounts/reset-questions', questionsPage(reset))
  })

  router.post('/forgot-password/questions', async (req, res) => {
    const reset = req.session.passwordReset
    if (!reset) return res.redirect(303, '/forgot-password')
    const answers = [req.body?.answer1, req.body?.answer2].map((value) =>
      typeof value === 'string' ? value.trim() : '',
    )
    const missing = answers.flatMap((answer, index) =>
      answer === ''
        ? [
            {
              href: `#answer${index + 1}`,
              text: message('accounts:resetQuestions.answerMissing', { number: index + 1 }),
            },
          ]
        : answer.length > 60
          ? [
              {
                href: `#answer${index + 1}`,
                text: message('accounts:resetQuestions.answerTooLong', { number: index + 1 }),
              },
            ]
          : [],
    )
    if (missing.length > 0)
      return res.status(400).render('accounts/reset-questions', questionsPage(reset, { errors: missing }))
    try {
      await recovery.checkAnswers(reset, answers)
    } catch (error) {
      if (error instanceof ResetEndedError) {
        delete req.session.passwordReset
        return res.status(error.status).render('accounts/reset-ended', { title: 'accounts:resetEnded.title' })
      }
      if (!(error instanceof SecretAnswersWrongError)) throw error
      return res
        .status(error.status)
        .render('accounts/reset-questions', questionsPage(reset, { errors: errorSummary(error.problems) }))
    }
    reset.answersPassed = true
    res.redirect(303, '/forgot-password/new-password')
  })

  router.get('/forgot-password/new-password', (req, res) => {
    if (!req.session.passwordReset?.answersPassed) return res.redirect(303, '/forgot-password')
    res.render('accounts/reset-password', { title: 'accounts:resetPassword.title', errors: [] })
  })

  router.post('/forgot-password/new-password', async (req, res) => {
    const reset = req.session.passwordReset
    if (!reset?.answersPassed) return res.redirect(303, '/forgot-password')
    const account = await recovery.resetAccountContext(reset.userId)
    const form = parseCredentialsForm(
      req.body,
      {
        userId: account?.user_id,
        firstName: account?.first_name ?? undefined,
        lastName: account?.last_name ?? undefined,
      },
      { password: true, questions: false },
    )
    if (!form.ok)
      return res
        .status(400)
        .render('accounts/reset-password', { title: 'accounts:resetPassword.title', errors: form.errors })
    const done = await recovery.completeReset(reset, form.value.password)
    delete req.session.passwordReset
    if (!done) return res.status(410).render('accounts/link-expired', { title: 'accounts:linkExpired.title' })
    req.session.notice = 'accounts:resetPassword.changed'
    res.redirect(303, '/sign-on')
  })

  return router
}

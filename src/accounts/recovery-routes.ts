import { Router } from 'express'
import { z } from 'zod'
import { parseForm, text } from '../platform/forms'
import { restoredValues } from '../platform/lapsed-forms'
import type { Services } from '../services'
import { parseCredentialsForm, parseMembershipForm } from './forms'
import type { OpenedReset } from './recovery'
import { secretQuestions, SecretQuestionKey } from './secret-questions'

declare module 'express-session' {
  interface SessionData {
    passwordReset?: OpenedReset & { answersPassed?: boolean }
  }
}

const tooManyAttempts = {
  href: '#firstName',
  text: 'There have been too many attempts. Wait an hour and try again, or call Member Services at 1-800-555-0100 (TTY 711).',
}

const userIdForm = z.object({ userId: text('user ID', { max: 64 }) })

/** Forgot user ID and forgot password: the same answer whether or not an account matches. */
export function recoveryRoutes({
  membership,
  recovery,
  clock,
}: Pick<Services, 'membership' | 'recovery' | 'clock'>): Router {
  const router = Router()

  router.get('/forgot-user-id', (_req, res) => {
    const values = parseMembershipForm(restoredValues(res), clock()).values
    res.render('accounts/forgot-user-id', { title: 'Forgot your user ID', values, errors: [] })
  })

  router.post('/forgot-user-id', async (req, res) => {
    const form = parseMembershipForm(req.body, clock())
    const page = { title: 'Forgot your user ID', values: form.values }
    if (!form.ok) return res.status(400).render('accounts/forgot-user-id', { ...page, errors: form.errors })
    const match = await membership.matchMembership(form.value, req.ip ?? 'unknown')
    if (match.outcome === 'throttled')
      return res.status(429).render('accounts/forgot-user-id', { ...page, errors: [tooManyAttempts] })
    if (match.outcome === 'matched' && match.hasAccount) await recovery.sendUserIdReminder(match.member.id)
    res.redirect(303, '/forgot-user-id/sent')
  })

  router.get('/forgot-user-id/sent', (_req, res) =>
    res.render('accounts/forgot-user-id-sent', { title: 'Check your email for your user ID' }),
  )

  router.get('/forgot-password/by-mail', (_req, res) => {
    const values = parseMembershipForm(restoredValues(res), clock()).values
    res.render('accounts/letter-request', { title: 'Get a temporary password by mail', values, errors: [] })
  })

  router.post('/forgot-password/by-mail', async (req, res) => {
    const form = parseMembershipForm(req.body, clock())
    const page = { title: 'Get a temporary password by mail', values: form.values }
    if (!form.ok) return res.status(400).render('accounts/letter-request', { ...page, errors: form.errors })
    const match = await membership.matchMembership(form.value, req.ip ?? 'unknown')
    if (match.outcome === 'throttled')
      return res.status(429).render('accounts/letter-request', { ...page, errors: [tooManyAttempts] })
    if (match.outcome === 'matched' && match.hasAccount) await recovery.requestLetterByMail(match.member.id)
    res.redirect(303, '/forgot-password/by-mail/requested')
  })

  router.get('/forgot-password/by-mail/requested', (_req, res) =>
    res.render('accounts/letter-requested', { title: 'Check your mail in 3 to 7 days' }),
  )

  router.get('/forgot-password', (_req, res) => {
    res.render('accounts/forgot-password', { title: 'Forgot your password', values: restoredValues(res), errors: [] })
  })

  router.post('/forgot-password', async (req, res) => {
    const form = parseForm(userIdForm, req.body)
    if (!form.ok) {
      return res.status(400).render('accounts/forgot-password', {
        title: 'Forgot your password',
        values: { userId: String(req.body?.userId ?? '').slice(0, 64) },
        errors: form.errors,
      })
    }
    await recovery.requestPasswordReset(form.value.userId)
    res.redirect(303, '/forgot-password/sent')
  })

  router.get('/forgot-password/sent', (_req, res) =>
    res.render('accounts/forgot-password-sent', { title: 'Check your email for a password reset link' }),
  )

  // The emailed link: checked, then the token leaves the address bar before any form is shown.
  router.get('/forgot-password/reset', async (req, res) => {
    const opened = await recovery.openResetLink(req.query.token)
    if (!opened)
      return res
        .status(410)
        .render('accounts/link-expired', { title: 'This link has expired or has already been used' })
    req.session.passwordReset = opened
    res.redirect(303, '/forgot-password/questions')
  })

  const questionsPage = (reset: OpenedReset, locals: Record<string, unknown> = {}) => ({
    title: 'Answer your secret questions',
    questions: reset.questionKeys.map((key, index) => ({
      id: `answer${index + 1}`,
      text: secretQuestions[key as SecretQuestionKey] ?? key,
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
        ? [{ href: `#answer${index + 1}`, text: `Enter your answer to question ${index + 1}` }]
        : answer.length > 60
          ? [
              {
                href: `#answer${index + 1}`,
                text: `Your answer to question ${index + 1} must be 60 characters or fewer`,
              },
            ]
          : [],
    )
    if (missing.length > 0)
      return res.status(400).render('accounts/reset-questions', questionsPage(reset, { errors: missing }))
    const result = await recovery.checkAnswers(reset, answers)
    if (result.outcome === 'ended') {
      delete req.session.passwordReset
      return res.status(403).render('accounts/reset-ended', { title: 'This password reset has ended' })
    }
    if (result.outcome === 'wrong') {
      const tries = result.triesLeft === 1 ? '1 more try' : `${result.triesLeft} more tries`
      return res.status(400).render(
        'accounts/reset-questions',
        questionsPage(reset, {
          errors: [{ href: '#answer1', text: `Your answers did not match. You have ${tries}.` }],
        }),
      )
    }
    reset.answersPassed = true
    res.redirect(303, '/forgot-password/new-password')
  })

  router.get('/forgot-password/new-password', (req, res) => {
    if (!req.session.passwordReset?.answersPassed) return res.redirect(303, '/forgot-password')
    res.render('accounts/reset-password', { title: 'Create a new password', errors: [] })
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
      return res.status(400).render('accounts/reset-password', { title: 'Create a new password', errors: form.errors })
    const done = await recovery.completeReset(reset, form.value.password)
    delete req.session.passwordReset
    if (!done)
      return res
        .status(410)
        .render('accounts/link-expired', { title: 'This link has expired or has already been used' })
    req.session.notice = 'Your password has been changed. Sign on with your new password.'
    res.redirect(303, '/sign-on')
  })

  return router
}

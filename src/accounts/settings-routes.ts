import { Request, Response, Router } from 'express'
import { z } from 'zod'
import { requireRole } from '../platform/access'
import { FormError, parseForm, password } from '../platform/forms'
import { restoredValues } from '../platform/lapsed-forms'
import type { Services } from '../services'
import { emailField, parseCredentialsForm } from './forms'
import { secretQuestions } from './secret-questions'

const questionList = Object.entries(secretQuestions).map(([key, text]) => ({ key, text }))
const currentPasswordForm = z.object({ currentPassword: password('current password', { max: 1024 }) })
const wrongCurrentPassword: FormError = { href: '#currentPassword', text: 'Your current password is not right' }

/** Account settings: change password, email and secret questions, and see recent sign-on activity. */
export function settingsRoutes({
  settings,
  credentials,
  connectedApps,
}: Pick<Services, 'settings' | 'credentials' | 'connectedApps'>): Router {
  const router = Router()
  router.use('/account', ...requireRole('member'))

  const user = (req: Request) => req.session.user!

  async function checkCurrentPassword(req: Request): Promise<FormError[]> {
    const form = parseForm(currentPasswordForm, req.body)
    if (!form.ok) return form.errors
    return (await credentials.checkPassword(user(req).id, form.value.currentPassword)) ? [] : [wrongCurrentPassword]
  }

  const done = (req: Request, res: Response, notice: string) => {
    req.session.notice = notice
    res.redirect(303, '/account')
  }

  router.get('/account', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    const overview = await settings.overview(user(req).id)
    res.render('account/index', {
      title: 'Your account',
      notice,
      ...overview,
      questionTexts: overview.questions.map((key) => secretQuestions[key as keyof typeof secretQuestions] ?? key),
    })
  })

  router.get('/account/password', (_req, res) =>
    res.render('account/password', { title: 'Change your password', errors: [] }),
  )

  router.post('/account/password', async (req, res) => {
    const overview = (await settings.overview(user(req).id)).user
    const form = parseCredentialsForm(
      req.body,
      {
        userId: overview.user_id,
        firstName: overview.first_name ?? undefined,
        lastName: overview.last_name ?? undefined,
      },
      { password: true, questions: false },
    )
    const errors = [...(await checkCurrentPassword(req)), ...(form.ok ? [] : form.errors)]
    if (errors.length > 0 || !form.ok)
      return res.status(400).render('account/password', { title: 'Change your password', errors })
    await credentials.changePassword(user(req).id, form.value.password, 'password-changed', req.sessionID)
    done(req, res, 'Your password has been changed. You have been signed out everywhere else.')
  })

  router.get('/account/email', (_req, res) =>
    res.render('account/email', { title: 'Change your email address', values: restoredValues(res), errors: [] }),
  )

  router.post('/account/email', async (req, res) => {
    const form = parseForm(z.object({ email: emailField() }), req.body)
    const errors = [...(form.ok ? [] : form.errors), ...(await checkCurrentPassword(req))]
    const values = { email: String(req.body?.email ?? '').slice(0, 260) }
    if (errors.length > 0 || !form.ok)
      return res.status(400).render('account/email', { title: 'Change your email address', values, errors })
    await settings.requestEmailChange(user(req).id, user(req).memberId!, form.value.email)
    done(req, res, `We sent a link to ${form.value.email}. Your email address changes when you open it.`)
  })

  const replyEmailsForm = z.object({
    replyEmails: z.preprocess(
      (value) => (typeof value === 'string' ? value : ''),
      z.enum(['on', 'off'], { error: 'Choose whether we email you when your doctor’s office replies' }),
    ),
  })
  const renderReplyEmails = async (req: Request, res: Response, errors: FormError[] = []) => {
    const current = Boolean((await settings.overview(user(req).id)).user.office_reply_emails)
    const posted = (req.body as Record<string, unknown> | undefined)?.replyEmails
    res.status(errors.length > 0 ? 400 : 200).render('account/message-emails', {
      title: 'Emails about messages from your doctor’s office',
      value: errors.length > 0 ? (typeof posted === 'string' ? posted.slice(0, 3) : '') : current ? 'on' : 'off',
      errors,
    })
  }

  router.get('/account/message-emails', (req, res) => renderReplyEmails(req, res))

  router.post('/account/message-emails', async (req, res) => {
    const form = parseForm(replyEmailsForm, req.body)
    if (!form.ok) return renderReplyEmails(req, res, form.errors)
    await settings.setOfficeReplyEmails(user(req).id, form.value.replyEmails === 'on')
    done(
      req,
      res,
      form.value.replyEmails === 'on'
        ? 'We will email you when your doctor’s office replies.'
        : 'We will not email you when your doctor’s office replies. Check Messages after you sign on.',
    )
  })

  router.get('/account/secret-questions', (_req, res) =>
    res.render('account/secret-questions', {
      title: 'Change your secret questions',
      questionList,
      values: { questions: parseCredentialsForm(restoredValues(res), {}).values.questions, answers: [] },
      errors: [],
    }),
  )

  router.post('/account/secret-questions', async (req, res) => {
    const form = parseCredentialsForm(req.body, {}, { password: false, questions: true })
    const errors = [...(await checkCurrentPassword(req)), ...(form.ok ? [] : form.errors)]
    if (errors.length > 0 || !form.ok) {
      return res.status(400).render('account/secret-questions', {
        title: 'Change your secret questions',
        questionList,
        values: form.values,
        errors,
      })
    }
    await credentials.changeSecretAnswers(user(req).id, form.value.answers, req.sessionID)
    done(req, res, 'Your secret questions have been changed.')
  })

  // Apps the member let read records through the API; taking one away ends its access at its next call.
  router.get('/account/apps', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    res.render('account/apps', { title: 'Apps with access', notice, apps: await connectedApps.list(user(req)) })
  })

  router.post('/account/apps/:id/revoke', async (req, res) => {
    const appName = await connectedApps.revoke(user(req), req.params.id, {
      requestId: req.id === undefined ? undefined : String(req.id),
      ip: req.ip,
    })
    req.session.notice = `${appName} no longer has access. To use it again, sign on in the app.`
    res.redirect(303, '/account/apps')
  })

  return router
}

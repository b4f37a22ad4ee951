import { Request, Response, Router } from 'express'
import { z } from 'zod'
import { requireRole } from '../platform/access'
import { fieldError, FormError, parseForm, password } from '../platform/forms'
import { languageCookie, languageNames, languages, message, type Language } from '../platform/i18n'
import { restoredValues } from '../platform/lapsed-forms'
import type { Services } from '../services'
import { emailField, parseCredentialsForm } from './forms'
import { secretQuestionList as questionList, secretQuestionText } from './secret-questions'

const currentPasswordForm = z.object({ currentPassword: password('accounts:fields.currentPassword', { max: 1024 }) })
const wrongCurrentPassword: FormError = { href: '#currentPassword', text: 'account:password.wrongCurrent' }
const oneYearMs = 365 * 24 * 60 * 60 * 1000

/** Where a sign-on came from, in words: the loopback addresses a member sees in development are "this computer". */
function signOnAddress(address: string | null | undefined): string {
  if (!address) return 'account:activity.unknownAddress'
  const plain = address.replace(/^::ffff:/, '')
  if (plain === '::1' || /^127\./.test(plain)) return 'account:activity.thisComputer'
  return plain
}

/** Exactly one of the offered languages' codes; anything else (a list, a tag, a script) is refused. */
function chosenLanguage(body: unknown): Language | undefined {
  const value = (body as Record<string, unknown> | undefined)?.language
  return (languages as readonly unknown[]).includes(value) ? (value as Language) : undefined
}

/** Account settings: change password, email, secret questions and language, and see recent sign-on activity. */
export function settingsRoutes({
  settings,
  credentials,
  connectedApps,
  members,
}: Pick<Services, 'settings' | 'credentials' | 'connectedApps' | 'members'>): Router {
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
    const language = await members.preferredLanguage(user(req).memberId!)
    res.render('account/index', {
      title: 'account:index.title',
      notice,
      ...overview,
      activity: overview.activity.map((event) => ({ ...event, from: signOnAddress(event.ip) })),
      questionTexts: overview.questions.map(secretQuestionText),
      language: { code: language, name: languageNames[language] },
    })
  })

  router.get('/account/password', (_req, res) =>
    res.render('account/password', { title: 'account:password.title', errors: [] }),
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
      return res.status(400).render('account/password', { title: 'account:password.title', errors })
    await credentials.changePassword(user(req).id, form.value.password, 'password-changed', req.sessionID)
    done(req, res, 'account:password.changed')
  })

  router.get('/account/email', (_req, res) =>
    res.render('account/email', { title: 'account:email.title', values: restoredValues(res), errors: [] }),
  )

  router.post('/account/email', async (req, res) => {
    const form = parseForm(z.object({ email: emailField() }), req.body)
    const errors = [...(form.ok ? [] : form.errors), ...(await checkCurrentPassword(req))]
    const values = { email: String(req.body?.email ?? '').slice(0, 260) }
    if (errors.length > 0 || !form.ok)
      return res.status(400).render('account/email', { title: 'account:email.title', values, errors })
    await settings.requestEmailChange(user(req).id, user(req).memberId!, form.value.email)
    done(req, res, message('account:email.sent', { email: form.value.email }))
  })

  const replyEmailsForm = z.object({
    replyEmails: z.preprocess(
      (value) => (typeof value === 'string' ? value : ''),
      z.enum(['on', 'off'], { error: 'account:messageEmails.notChosen' }),
    ),
  })
  const renderReplyEmails = async (req: Request, res: Response, errors: FormError[] = []) => {
    const current = Boolean((await settings.overview(user(req).id)).user.office_reply_emails)
    const posted = (req.body as Record<string, unknown> | undefined)?.replyEmails
    res.status(errors.length > 0 ? 400 : 200).render('account/message-emails', {
      title: 'account:messageEmails.title',
      value: errors.length > 0 ? (typeof posted === 'string' ? posted.slice(0, 3) : '') : current ? 'on' : 'off',
      errors,
    })
  }

  router.get('/account/message-emails', (req, res) => renderReplyEmails(req, res))

  router.post('/account/message-emails', async (req, res) => {
    const form = parseForm(replyEmailsForm, req.body)
    if (!form.ok) return renderReplyEmails(req, res, form.errors)
    await settings.setOfficeReplyEmails(user(req).id, form.value.replyEmails === 'on')
    done(req, res, form.value.replyEmails === 'on' ? 'account:messageEmails.on' : 'account:messageEmails.off')
  })

  router.get('/account/secret-questions', (_req, res) =>
    res.render('account/secret-questions', {
      title: 'account:secretQuestions.title',
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
        title: 'account:secretQuestions.title',
        questionList,
        values: form.values,
        errors,
      })
    }
    await credentials.changeSecretAnswers(user(req).id, form.value.answers, req.sessionID)
    done(req, res, 'account:secretQuestions.changed')
  })

  // The language of pages, emails and letters: kept on the member's record, in the session and in the cookie a
  // signed-out visitor's pages follow, so the next page and the sign-on page after signing out read it too.
  const renderLanguage = async (req: Request, res: Response, errors: FormError[] = []) =>
    res.status(errors.length > 0 ? 400 : 200).render('account/language', {
      title: 'account:language.title',
      choices: languages.map((code) => ({ code, name: languageNames[code] })),
      value: errors.length > 0 ? '' : await members.preferredLanguage(user(req).memberId!),
      errors,
    })

  router.get('/account/language', (req, res) => renderLanguage(req, res))

  router.post('/account/language', async (req, res) => {
    const language = chosenLanguage(req.body)
    if (!language) return renderLanguage(req, res, [fieldError('language', 'account:language.badChoice')])
    await members.setPreferredLanguage(user(req).memberId!, language)
    req.session.user = { ...user(req), language }
    res.cookie(languageCookie, language, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: oneYearMs })
    done(req, res, message('account:language.changed', { name: languageNames[language] }))
  })

  // Apps the member let read records through the API; taking one away ends its access at its next call.
  router.get('/account/apps', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    res.render('account/apps', { title: 'account:apps.title', notice, apps: await connectedApps.list(user(req)) })
  })

  router.post('/account/apps/:id/revoke', async (req, res) => {
    const appName = await connectedApps.revoke(user(req), req.params.id, {
      requestId: req.id === undefined ? undefined : String(req.id),
      ip: req.ip,
    })
    req.session.notice = message('account:apps.revoked', { app: appName })
    res.redirect(303, '/account/apps')
  })

  return router
}

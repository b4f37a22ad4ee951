import { RequestHandler, Router } from 'express'
import { requireRole } from '../platform/access'
import { safeReturnPath } from '../platform/return-path'
import { parseCredentialsForm } from '../accounts/forms'
import { secretQuestionList as questionList } from '../accounts/secret-questions'
import type { Services } from '../services'

const allowedDuringFirstSignOn = new Set(['/first-sign-on', '/sign-out', '/signed-out', '/session/keep-alive'])

/** After a temporary password, every other page waits until a password and secret questions are chosen. */
export const holdForFirstSignOn: RequestHandler = (req, res, next) => {
  if (req.session.user?.mustSetCredentials && !allowedDuringFirstSignOn.has(req.path))
    return res.redirect(303, '/first-sign-on')
  next()
}

export function firstSignOnRoutes({ credentials, recovery }: Pick<Services, 'credentials' | 'recovery'>): Router {
  const router = Router()
  router.use('/first-sign-on', ...requireRole('member'), (req, res, next) => {
    if (!req.session.user?.mustSetCredentials) return res.redirect(303, '/home')
    next()
  })

  const page = (locals: Record<string, unknown> = {}) => ({
    title: 'accounts:firstSignOn.title',
    questionList,
    values: { questions: [], answers: [] },
    errors: [],
    ...locals,
  })

  router.get('/first-sign-on', (_req, res) => res.render('letters/first-sign-on', page()))

  router.post('/first-sign-on', async (req, res) => {
    const user = req.session.user!
    const account = await recovery.resetAccountContext(user.id)
    const form = parseCredentialsForm(req.body, {
      userId: account?.user_id,
      firstName: account?.first_name ?? undefined,
      lastName: account?.last_name ?? undefined,
    })
    if (!form.ok)
      return res.status(400).render('letters/first-sign-on', page({ values: form.values, errors: form.errors }))
    await credentials.completeFirstSignOn(user.id, form.value.password, form.value.answers, req.sessionID)
    req.session.user = { ...user, mustSetCredentials: false }
    // Back to where sign-on was leading (an app's sign-on, for one), now that the account is usable.
    const returnTo = safeReturnPath(req.session.returnTo)
    delete req.session.returnTo
    res.redirect(303, returnTo ?? '/home')
  })
  return router
}

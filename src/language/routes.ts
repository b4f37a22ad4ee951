import { Router } from 'express'
import { languageCookie, languageNames, languageOf, languages } from '../platform/i18n'
import { safeReturnPath } from '../platform/return-path'
import type { Services } from '../services'

const oneYearMs = 365 * 24 * 60 * 60 * 1000

/**
 * The language switch every page links to (a plain link, so it works without script): `/language?to=es&return=/labs`
 * remembers the choice in a cookie, and for a signed-on member as their preferred language (their emails and
 * letters follow it), then goes back to the page. Without a language it offers both.
 */
export function languageRoutes({ members }: Pick<Services, 'members'>): Router {
  const router = Router()

  router.get('/language', async (req, res) => {
    const language = languageOf(req.query.to)
    const returnTo = safeReturnPath(req.query.return) ?? '/'
    if (!language) {
      const status = req.query.to === undefined ? 200 : 400
      return res.status(status).render('language/choose', {
        title: 'common:language.title',
        choices: languages.map((code) => ({
          code,
          name: languageNames[code],
          href: `/language?to=${code}&return=${encodeURIComponent(returnTo)}`,
        })),
        errors: status === 400 ? [{ href: '#languages', text: 'common:language.badChoice' }] : [],
      })
    }
    res.cookie(languageCookie, language, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: oneYearMs })
    const user = req.session.user
    if (user?.role === 'member' && user.memberId !== null) {
      await members.setPreferredLanguage(user.memberId, language)
      req.session.user = { ...user, language }
    }
    res.redirect(303, returnTo)
  })

  return router
}

import { Router } from 'express'
import { taglinesFor } from './taglines'

/**
 * The two notices every page's footer links to, signed on or not, in the page's language: free language
 * assistance with its taglines in each language (45 CFR 92.11), and the nondiscrimination notice (45 CFR 92.10).
 */
export function languageHelpRoutes(settings: { helpPhone: string }): Router {
  const router = Router()
  const taglines = taglinesFor(settings.helpPhone)

  router.get('/language-assistance', (_req, res) => {
    res.render('language-help/assistance', { title: 'languageHelp:assistance.title', taglines })
  })

  router.get('/nondiscrimination', (_req, res) => {
    res.render('language-help/nondiscrimination', { title: 'languageHelp:nondiscrimination.title' })
  })

  return router
}

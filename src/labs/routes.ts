import { Request, Response, Router } from 'express'
import { z } from 'zod'
import { memberToolPage, ownViewing, resolveViewing } from '../viewing/middleware'
import { formatDate } from '../platform/dates'
import { type FormError, parseForm } from '../platform/forms'
import { languageOf, message } from '../platform/i18n'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'
import { releaseChoiceWords, releaseChoices } from './release'

/** The three choices as radio options, the default first; labels and hints are message keys. */
export const choiceOptions = releaseChoices.map((value) => ({
  value,
  label: releaseChoiceWords[value],
  hint: value === 'at-once' ? 'labs:choices.atOnceHint' : 'labs:choices.afterReviewHint',
}))

const resultEmailsForm = z.object({
  resultEmails: z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.enum(['on', 'off'], { error: 'labs:errors.chooseResultEmails' }),
  ),
})

/** "Lab results for LDL cholesterol (page 2 of 3)": the title says the filter and the page. */
function listTitle(testName: string | undefined, results: { page: number; pageCount: number }): string {
  const paged = results.pageCount > 1
  const values = { test: testName, page: results.page, count: results.pageCount }
  if (testName) return message(paged ? 'labs:index.titleForTestPaged' : 'labs:index.titleForTest', values)
  return paged ? message('labs:index.titlePaged', values) : 'labs:index.title'
}

/** Lab results: the list (newest first, by page, by test) and each result with its trend. */
export function labRoutes({ labs, members }: Pick<Services, 'labs' | 'members'>): Router {
  const router = Router()

  const renderList = async (req: Request, res: Response, choiceErrors: FormError[] = []) => {
    const viewing = await resolveViewing(req, 'labs')
    const asked = typeof req.query.test === 'string' ? req.query.test.trim() : ''
    const { results, tests, testCode, choice } = await labs.listResults(viewing, {
      testCode: asked.slice(0, 30),
      page: requestedPage(req.query.page),
    })
    const errors: FormError[] = [
      ...choiceErrors,
      ...(asked && !testCode ? [{ href: '#test', text: 'labs:errors.chooseTest' }] : []),
    ]
    const member = await members.summaryOf(viewing)
    res.status(errors.length > 0 ? 400 : 200).render('labs/index', {
      title: listTitle(tests.find((test) => test.code === testCode)?.name, results),
      results,
      tests,
      testCode,
      member,
      errors,
      choice,
      choiceOptions,
      chosen: req.query.chosen === '1',
      pagination: pageLinks(results, '/labs', { test: testCode }),
    })
  }

  router.get('/labs', ...memberToolPage(), (req, res) => renderList(req, res))

  // Asked once on the lab page (for the member being viewed: a parent chooses for a child under 12).
  router.post('/labs/release-choice', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'labs')
    const outcome = await labs.chooseRelease(viewing, req.body)
    if (!outcome.ok) return renderList(req, res, outcome.errors)
    res.redirect(303, '/labs?chosen=1')
  })

  router.get('/labs/:id', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'labs')
    const language = languageOf(req.language) ?? 'en'
    const { result, trend } = await labs.showResult(viewing, req.params.id, language)
    const member = await members.summaryOf(viewing)
    res.render('labs/result', {
      title: message('labs:result.title', { test: result.testName, date: formatDate(result.collectedAt, language) }),
      result,
      trend,
      member,
      shownEarly: req.query.shown === '1',
    })
  })

  // "See it now" on a result waiting only for the member's own choice.
  router.post('/labs/:id/see-now', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'labs')
    const { id, shown } = await labs.showEarly(viewing, req.params.id)
    res.redirect(303, shown ? `/labs/${id}?shown=1` : `/labs/${id}`)
  })

  // Account settings: when results appear and whether a new one is emailed (the signed-on member's own).
  const renderSettings = async (req: Request, res: Response, errors: FormError[] = []) => {
    const viewing = ownViewing(req)
    const settings = await labs.ownSettings(viewing)
    const body = (req.body ?? {}) as Record<string, unknown>
    const posted = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, 40) : '')
    res.status(errors.length > 0 ? 400 : 200).render('account/lab-results', {
      title: 'labs:settings.title',
      choice: errors.length > 0 ? posted('choice') : (settings.choice ?? 'at-once'),
      resultEmails: errors.length > 0 ? posted('resultEmails') : settings.emails ? 'on' : 'off',
      choiceOptions,
      errors,
    })
  }

  router.get('/account/lab-results', ...memberToolPage(), (req, res) => renderSettings(req, res))

  router.post('/account/lab-results', ...memberToolPage(), async (req, res) => {
    const viewing = ownViewing(req)
    const emails = parseForm(resultEmailsForm, req.body)
    const outcome = await labs.chooseRelease(viewing, req.body, emails.ok ? [] : emails.errors)
    if (!outcome.ok) return renderSettings(req, res, outcome.errors)
    if (emails.ok) await labs.setNewResultEmails(viewing, emails.value.resultEmails === 'on')
    req.session.notice = 'labs:settings.saved'
    res.redirect(303, '/account')
  })

  return router
}

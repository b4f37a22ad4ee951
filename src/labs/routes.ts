import { Request, Response, Router } from 'express'
import { z } from 'zod'
import { memberToolPage, ownViewing, resolveViewing } from '../viewing/middleware'
import { formatDate } from '../platform/dates'
import { type FormError, parseForm } from '../platform/forms'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'
import { releaseChoiceWords, releaseChoices } from './release'

/** The three choices as radio options, the default first. */
export const choiceOptions = releaseChoices.map((value) => ({
  value,
  label: releaseChoiceWords[value],
  hint:
    value === 'at-once'
      ? 'You may see a result before your doctor has reviewed it.'
      : 'A result appears when your doctor has reviewed it, or after 14 days at most. You can always choose to see a waiting result sooner.',
}))

const resultEmailsForm = z.object({
  resultEmails: z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.enum(['on', 'off'], { error: 'Choose whether we email you when a new test result is in' }),
  ),
})

/** "Lab results for LDL cholesterol (page 2 of 3)": the title says the filter and the page. */
function listTitle(testName: string | undefined, results: { page: number; pageCount: number }): string {
  const filter = testName ? ` for ${testName}` : ''
  const page = results.pageCount > 1 ? ` (page ${results.page} of ${results.pageCount})` : ''
  return `Lab results${filter}${page}`
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
      ...(asked && !testCode ? [{ href: '#test', text: 'Choose a test from the list, or all tests' }] : []),
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
    const { result, trend } = await labs.showResult(viewing, req.params.id)
    const member = await members.summaryOf(viewing)
    res.render('labs/result', {
      title: `${result.testName}, ${formatDate(result.collectedAt)}`,
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
      title: 'Lab results: when they appear and emails about them',
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
    req.session.notice = 'Your lab result settings are saved.'
    res.redirect(303, '/account')
  })

  return router
}

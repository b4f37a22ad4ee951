import { Router } from 'express'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { formatDate } from '../platform/dates'
import type { FormError } from '../platform/forms'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'

/** "Lab results for LDL cholesterol (page 2 of 3)": the title says the filter and the page. */
function listTitle(testName: string | undefined, results: { page: number; pageCount: number }): string {
  const filter = testName ? ` for ${testName}` : ''
  const page = results.pageCount > 1 ? ` (page ${results.page} of ${results.pageCount})` : ''
  return `Lab results${filter}${page}`
}

/** Lab results: the list (newest first, by page, by test) and each result with its trend. */
export function labRoutes({ labs, members }: Pick<Services, 'labs' | 'members'>): Router {
  const router = Router()

  router.get('/labs', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'labs')
    const asked = typeof req.query.test === 'string' ? req.query.test.trim() : ''
    const { results, tests, testCode } = await labs.listResults(viewing, {
      testCode: asked.slice(0, 30),
      page: requestedPage(req.query.page),
    })
    const errors: FormError[] =
      asked && !testCode ? [{ href: '#test', text: 'Choose a test from the list, or all tests' }] : []
    const member = await members.summaryOf(viewing)
    res.status(errors.length > 0 ? 400 : 200).render('labs/index', {
      title: listTitle(tests.find((test) => test.code === testCode)?.name, results),
      results,
      tests,
      testCode,
      member,
      errors,
      pagination: pageLinks(results, '/labs', { test: testCode }),
    })
  })

  router.get('/labs/:id', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'labs')
    const { result, trend } = await labs.showResult(viewing, req.params.id)
    const member = await members.summaryOf(viewing)
    res.render('labs/result', { title: `${result.testName}, ${formatDate(result.collectedAt)}`, result, trend, member })
  })

  return router
}

import { Router } from 'express'
import { memberToolPage, resolveViewing } from '../platform/access'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'

/** Prior authorizations, under Coverage and costs: the list and one request in detail. */
export function priorAuthorizationRoutes({ priorAuthorizations }: Pick<Services, 'priorAuthorizations'>): Router {
  const router = Router()

  router.get('/coverage/authorizations', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'coverage')
    const authorizations = await priorAuthorizations.list(viewing, requestedPage(req.query.page))
    res.render('prior-authorizations/list', {
      title:
        authorizations.pageCount > 1
          ? `Prior authorizations (page ${authorizations.page} of ${authorizations.pageCount})`
          : 'Prior authorizations',
      authorizations,
      pagination: pageLinks(authorizations, '/coverage/authorizations'),
    })
  })

  router.get('/coverage/authorizations/:id', ...memberToolPage(), async (req, res) => {
    const authorization = await priorAuthorizations.show(await resolveViewing(req, 'coverage'), req.params.id)
    res.render('prior-authorizations/detail', {
      title: `Prior authorization ${authorization.authNumber}: ${authorization.statusText}`,
      authorization,
    })
  })

  return router
}

import { Router } from 'express'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { NotFoundError } from '../platform/errors'
import { pageLinks, requestedPage } from '../platform/pagination'
import { planDate } from '../platform/dates'
import { printedDocumentStylesheet, renderView } from '../platform/views'
import type { Services } from '../services'

/** Prior authorizations, under Coverage and costs: the list and one request in detail. */
export function priorAuthorizationRoutes({
  priorAuthorizations,
  pdf,
  clock,
  config,
}: Pick<Services, 'priorAuthorizations' | 'pdf' | 'clock' | 'config'>): Router {
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

  // The decision letter, once there is a decision: a PDF made from the record (nothing is stored).
  router.get('/coverage/authorizations/:id/letter.pdf', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'coverage')
    const authorization = await priorAuthorizations.show(viewing, req.params.id)
    if (authorization.status === 'pending') throw new NotFoundError()
    const html = await renderView(req.app, 'documents/layout', {
      title: `Prior authorization ${authorization.authNumber}`,
      stylesheet: await printedDocumentStylesheet(),
      body: await renderView(req.app, 'prior-authorizations/_letter', {
        authorization,
        memberName: req.viewing?.current.name ?? '',
        issuedOn: planDate(clock()),
        helpPhone: config.helpPhone,
      }),
    })
    res
      .type('application/pdf')
      .set('Content-Disposition', `attachment; filename="prior-authorization-${authorization.authNumber}.pdf"`)
      .send(await pdf.render(html))
  })

  return router
}

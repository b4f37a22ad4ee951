import { type Application, Router } from 'express'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { NotFoundError } from '../platform/errors'
import { type Language, languageOf, message, translateMessage, translatorFor } from '../platform/i18n'
import { pageLinks, requestedPage } from '../platform/pagination'
import { formatDate, planDate } from '../platform/dates'
import type { PdfRenderer } from '../platform/pdf'
import { printedDocumentStylesheet, renderView } from '../platform/views'
import type { Services } from '../services'
import type { AuthorizationView } from './service'

/** The BCP 47 tag a printed document declares for each language (its `<html lang>` and the PDF's Lang). */
const documentLanguage: Record<Language, string> = { en: 'en-US', es: 'es-US' }

/**
 * The decision letter as a PDF, made from the record (nothing is stored), in the language asked for: the page's
 * when a member downloads it; a letter mailed to the member would pass their preferred language
 * (members.preferred_language). Its headings, dates and status are in that language; the service, the
 * provider and the plan's reason stay as recorded.
 */
export async function decisionLetterPdf(
  app: Application,
  pdf: Pick<PdfRenderer, 'render'>,
  letter: {
    authorization: AuthorizationView
    memberName: string
    issuedOn: string
    helpPhone: string
    language: Language
    createdAt: Date
  },
): Promise<{ document: Buffer; fileName: string }> {
  const { authorization, language } = letter
  const t = translatorFor(language)
  const title = t('priorAuthorizations:letter.documentTitle', { number: authorization.authNumber })
  const html = await renderView(app, 'documents/layout', {
    lang: language,
    t,
    title,
    stylesheet: await printedDocumentStylesheet(),
    body: await renderView(app, 'prior-authorizations/_letter', {
      authorization,
      memberName: letter.memberName,
      issuedOn: letter.issuedOn,
      helpPhone: letter.helpPhone,
      lang: language,
      t,
      tm: (text: string) => translateMessage(t, text),
      formatDate: (value: Date | string) => formatDate(value, language),
    }),
  })
  const document = await pdf.render(html, {
    metadata: { title, language: documentLanguage[language], createdAt: letter.createdAt },
  })
  return { document, fileName: t('priorAuthorizations:letter.fileName', { number: authorization.authNumber }) }
}

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
          ? message('priorAuthorizations:list.titlePaged', {
              page: authorizations.page,
              pages: authorizations.pageCount,
            })
          : 'priorAuthorizations:list.title',
      authorizations,
      pagination: pageLinks(authorizations, '/coverage/authorizations'),
    })
  })

  router.get('/coverage/authorizations/:id', ...memberToolPage(), async (req, res) => {
    const authorization = await priorAuthorizations.show(await resolveViewing(req, 'coverage'), req.params.id)
    res.render('prior-authorizations/detail', {
      title: message('priorAuthorizations:detail.title', {
        number: authorization.authNumber,
        status: authorization.statusKey,
      }),
      authorization,
    })
  })

  // The decision letter, once there is a decision, in the page's language.
  router.get('/coverage/authorizations/:id/letter.pdf', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'coverage')
    const authorization = await priorAuthorizations.show(viewing, req.params.id)
    if (authorization.status === 'pending') throw new NotFoundError()
    const { document, fileName } = await decisionLetterPdf(req.app, pdf, {
      authorization,
      memberName: req.viewing?.current.name ?? '',
      issuedOn: planDate(clock()),
      helpPhone: config.helpPhone,
      language: languageOf(req.language) ?? 'en',
      createdAt: clock(),
    })
    res.type('application/pdf').set('Content-Disposition', `attachment; filename="${fileName}"`).send(document)
  })

  return router
}

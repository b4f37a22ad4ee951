import { Router } from 'express'
import { formatDate, formatShortDate } from '../platform/dates'
import { languageOf, translateMessage, translatorFor, type Message } from '../platform/i18n'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { printedDocumentStylesheet, renderView } from '../platform/views'
import type { Services } from '../services'

/** The PDF's natural language (PDF/UA), as BCP 47 for the plan's members in the United States. */
const documentLanguages = { en: 'en-US', es: 'es-US' } as const

/** Vaccination records: a page that prints cleanly, and the same record as a PDF. */
export function vaccinationRoutes({
  vaccinations,
  pdf,
  clock,
}: Pick<Services, 'vaccinations' | 'pdf' | 'clock'>): Router {
  const router = Router()

  router.get('/vaccinations', ...memberToolPage(), async (req, res) => {
    const record = await vaccinations.record(await resolveViewing(req, 'vaccinations'), 'page')
    const current = req.viewing?.current
    res.render('vaccinations/index', {
      title: 'vaccinations:title',
      record,
      forName: current && current.relationship !== 'self' ? current.name : undefined,
    })
  })

  // A PDF is rendered outside the site's layout, so it is given the reader's language and formatters itself.
  router.get('/vaccinations/record.pdf', ...memberToolPage(), async (req, res) => {
    const record = await vaccinations.record(await resolveViewing(req, 'vaccinations'), 'pdf')
    const lang = languageOf(req.language) ?? 'en'
    const t = translatorFor(lang)
    const reader = {
      lang,
      t,
      tm: (text: Message | undefined | null) => translateMessage(t, text),
      formatDate: (value: Date | string) => formatDate(value, lang),
      formatShortDate: (value: Date | string) => formatShortDate(value, lang),
    }
    const title = t('vaccinations:documentTitle')
    const html = await renderView(req.app, 'documents/layout', {
      ...reader,
      title,
      stylesheet: await printedDocumentStylesheet(),
      body: await renderView(req.app, 'vaccinations/_record', { ...reader, record }),
    })
    const document = await pdf.render(html, {
      metadata: { title, language: documentLanguages[lang], createdAt: clock() },
    })
    res
      .type('application/pdf')
      .set('Content-Disposition', 'attachment; filename="vaccination-record.pdf"')
      .send(document)
  })

  return router
}

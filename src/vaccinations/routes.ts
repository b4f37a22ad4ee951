import { Router } from 'express'
import { memberToolPage, resolveViewing } from '../platform/access'
import { printedDocumentStylesheet, renderView } from '../platform/views'
import type { Services } from '../services'

/** Vaccination records: a page that prints cleanly, and the same record as a PDF. */
export function vaccinationRoutes({
  vaccinations,
  pdf,
  clock,
}: Pick<Services, 'vaccinations' | 'pdf' | 'clock'>): Router {
  const router = Router()

  router.get('/vaccinations', ...memberToolPage(), async (req, res) => {
    const record = await vaccinations.record(await resolveViewing(req, 'vaccinations'), 'page')
    res.render('vaccinations/index', { title: 'Vaccination records', record })
  })

  router.get('/vaccinations/record.pdf', ...memberToolPage(), async (req, res) => {
    const record = await vaccinations.record(await resolveViewing(req, 'vaccinations'), 'pdf')
    const html = await renderView(req.app, 'documents/layout', {
      title: 'Vaccination record',
      stylesheet: await printedDocumentStylesheet(),
      body: await renderView(req.app, 'vaccinations/_record', { record }),
    })
    const document = await pdf.render(html, {
      metadata: { title: 'Vaccination record', language: 'en-US', createdAt: clock() },
    })
    res
      .type('application/pdf')
      .set('Content-Disposition', 'attachment; filename="vaccination-record.pdf"')
      .send(document)
  })

  return router
}

import { Router } from 'express'
import { requireRole } from '../platform/access'
import { NotFoundError } from '../platform/errors'
import { pageLinks, requestedPage } from '../platform/pagination'
import { recordId } from '../platform/record-id'
import type { Services } from '../services'
import { BatchFile, batchFiles, isBatchId } from './service'

const pageSize = 100

/** The mailroom area: the nightly letter batches, their files, and what was printed, mailed or returned. */
export function mailroomRoutes({ mailroom }: Pick<Services, 'mailroom'>): Router {
  const router = Router()
  router.use('/mailroom', ...requireRole('mailroom'))

  const batchIdOf = (value: unknown) => {
    if (!isBatchId(value)) throw new NotFoundError()
    return value
  }
  const flash = (req: Express.Request, text: string) => {
    req.session.notice = text
  }

  router.get('/mailroom', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    const [batches, returned] = await Promise.all([mailroom.listBatches(), mailroom.returnedLetters()])
    res.render('mailroom/index', { title: 'Mailroom', batches, returnedCount: returned.length, notice })
  })

  router.get('/mailroom/batches/:batchId', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    const found = await mailroom.batch(batchId, { page: requestedPage(req.query.page), pageSize })
    if (!found) throw new NotFoundError()
    const notice = req.session.notice
    delete req.session.notice
    res.render('mailroom/batch', {
      title: `Batch ${batchId}`,
      ...found,
      letters: found.letters.items,
      page: found.letters.page,
      pagination: pageLinks(found.letters, `/mailroom/batches/${batchId}`),
      notice,
    })
  })

  router.get('/mailroom/batches/:batchId/files/:file', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    const file = batchFiles.find((name) => name === req.params.file) as BatchFile | undefined
    if (!file) throw new NotFoundError()
    const filePath = await mailroom.download(batchId, file, req.session.user!.id, String(req.id), req.ip)
    if (!filePath)
      return res.status(410).render('mailroom/files-gone', { title: 'These files have been deleted', batchId })
    // The files hold live passwords: no validators that would let a cache keep a copy.
    res.download(filePath, `${batchId}-${file}`, { etag: false, lastModified: false })
  })

  router.post('/mailroom/batches/:batchId/printed', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    flash(
      req,
      (await mailroom.markPrinted(batchId, req.session.user!.id))
        ? `Batch ${batchId} is marked printed.`
        : `Batch ${batchId} was already printed or mailed.`,
    )
    res.redirect(303, `/mailroom/batches/${batchId}`)
  })

  // Marking mailed deletes the files, which cannot be undone: a page of its own asks first.
  router.get('/mailroom/batches/:batchId/mailed', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    const found = await mailroom.batch(batchId, { page: 1, pageSize })
    if (!found) throw new NotFoundError()
    if (found.batch.status === 'mailed') return res.redirect(303, `/mailroom/batches/${batchId}`)
    res.render('mailroom/confirm-mailed', {
      title: `Mark batch ${batchId} mailed today?`,
      ...found,
      mailDate: mailroom.todaysMailDate(),
    })
  })

  router.post('/mailroom/batches/:batchId/mailed', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    flash(
      req,
      (await mailroom.markMailed(batchId, req.session.user!.id))
        ? `Batch ${batchId} is marked mailed. Its files, which held live passwords, have been deleted.`
        : `Batch ${batchId} was already marked mailed.`,
    )
    res.redirect(303, `/mailroom/batches/${batchId}`)
  })

  router.post('/mailroom/batches/:batchId/letters/:sequence/returned', async (req, res) => {
    const batchId = batchIdOf(req.params.batchId)
    // Strict: "1.5" or "1' OR '1'='1" names no letter, rather than letter 1.
    const sequence = recordId(req.params.sequence)
    if (sequence === undefined) throw new NotFoundError()
    const done = await mailroom.markReturned(batchId, sequence, req.session.user!.id)
    flash(
      req,
      done
        ? `Letter ${sequence} is marked returned as undeliverable.`
        : `Letter ${sequence} could not be marked returned: it already was, or it was used.`,
    )
    res.redirect(303, `/mailroom/batches/${batchId}`)
  })

  router.get('/mailroom/returned', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    res.render('mailroom/returned', { title: 'Returned letters', letters: await mailroom.returnedLetters(), notice })
  })

  router.post('/mailroom/returned/:id/resend', async (req, res) => {
    const id = recordId(req.params.id)
    if (id === undefined) throw new NotFoundError()
    flash(
      req,
      (await mailroom.sendNewLetter(id, req.session.user!.id))
        ? 'A new letter will go out in the next batch.'
        : 'That letter was already handled.',
    )
    res.redirect(303, '/mailroom/returned')
  })

  return router
}

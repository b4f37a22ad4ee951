import { Router } from 'express'
import { requireRole } from '../platform/access'

/** The doctor's office area; the message inboxes arrive with the messaging feature. */
export function officeRoutes(): Router {
  const router = Router()
  router.get('/office', ...requireRole('office'), (_req, res) => res.render('office/index', { title: 'Office' }))
  return router
}

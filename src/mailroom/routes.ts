import { Router } from 'express'
import { requireRole } from '../platform/access'

/** The mailroom area; letter batches arrive with registration by mail. */
export function mailroomRoutes(): Router {
  const router = Router()
  router.get('/mailroom', ...requireRole('mailroom'), (_req, res) =>
    res.render('mailroom/index', { title: 'Mailroom' }),
  )
  return router
}

import { Router } from 'express'

export function welcomeRoutes(): Router {
  const router = Router()
  router.get('/', (_req, res) => res.render('welcome/index', { title: 'Start managing your health online' }))
  return router
}

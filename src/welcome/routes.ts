import { Router } from 'express'

export function welcomeRoutes(): Router {
  const router = Router()
  router.get('/', (_req, res) => res.render('welcome/index', { title: 'welcome:title' }))
  return router
}

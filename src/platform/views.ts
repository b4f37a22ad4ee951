import path from 'node:path'
import type { Express, RequestHandler } from 'express'
import { errorFor } from './forms'

export const serviceName = 'Member Portal'

/**
 * EJS views rendered inside views/layout.ejs: each page renders first, then the layout wraps it with the
 * header, footer and a title that starts with "Error:" when the page carries form errors.
 */
export function setUpViews(app: Express): void {
  app.set('views', path.join(__dirname, '..', '..', 'views'))
  app.set('view engine', 'ejs')
  app.locals.serviceName = serviceName
  app.locals.errorFor = errorFor
}

export const withLayout: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res)
  res.render = ((
    view: string,
    options: Record<string, unknown> = {},
    callback?: (err: Error, html: string) => void,
  ) => {
    render(view, options, (error: Error | null, body: string) => {
      if (error) return callback ? callback(error, '') : next(error)
      const errors = (options.errors as unknown[] | undefined) ?? []
      const title = `${errors.length > 0 ? 'Error: ' : ''}${String(options.title ?? serviceName)} – ${serviceName}`
      render('layout', { ...options, body, pageTitle: title, currentUser: req.session?.user }, callback)
    })
  }) as typeof res.render
  res.locals.currentPath = req.path
  next()
}

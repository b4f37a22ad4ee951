import { readFile } from 'node:fs/promises'
import path from 'node:path'
import ejs from 'ejs'
import type { Application, Express, Request, RequestHandler } from 'express'
import type { TFunction } from 'i18next'
import { formatDate, formatDateTime, formatShortDate } from './dates'
import { errorFor, type FormError } from './forms'
import { languageNames, languageOf, type Message, otherLanguage, translateMessage, translatorFor } from './i18n'
import { formatMoney } from './money'
import { StaticFiles } from './static-files'

export const serviceName = 'Member Portal'

export const publicDirectory = path.join(__dirname, '..', '..', 'public')
const viewsDirectory = path.join(__dirname, '..', '..', 'views')

/**
 * EJS views rendered inside views/layout.ejs: each page renders first, then the layout wraps it with the
 * header, footer and a title that starts with "Error:" when the page carries form errors.
 */
export function setUpViews(
  app: Express,
  settings: { helpPhone: string; advicePhone: string },
  staticFiles = new StaticFiles(publicDirectory, { watch: false, plainMaxAge: 0 }),
): void {
  app.set('views', viewsDirectory)
  app.set('view engine', 'ejs')
  // Includes name their file from views/ ("/partials/csrf"): EJS resolves those without asking the file system,
  // where a relative include costs an existsSync on every render. Compiled templates are cached when Express
  // caches views (in production).
  app.engine('ejs', (file, data, callback) =>
    ejs.renderFile(file, data, { root: viewsDirectory, cache: app.enabled('view cache') }, callback),
  )
  app.locals.serviceName = serviceName
  // The hashed address of a static file, for the layout's links (see static-files.ts).
  app.locals.assetPath = staticFiles.assetPath
  // Whose records a member page shows; `setUpViewing` names the member when a proxy views them.
  app.locals.whose = 'Your'
  app.locals.errorFor = errorFor
  app.locals.formatDate = formatDate
  app.locals.formatShortDate = formatShortDate
  app.locals.formatDateTime = formatDateTime
  app.locals.phoneLink = phoneLink
  app.locals.escapeHtml = escapeHtml
  // Member Services' number (HELP_PHONE), as pages and letters print it: "1-800-555-0100 (TTY 711)".
  app.locals.helpPhone = settings.helpPhone
  app.locals.helpPhoneLink = helpPhoneLink(settings.helpPhone)
  // The advice line (ADVICE_PHONE), for urgent medical advice: the messages say "(TTY 711)" after it.
  app.locals.advicePhoneLink = phoneLink(settings.advicePhone)
  app.locals.describeAddress = describeAddress
  app.locals.formatMoney = formatMoney
  app.locals.describeSeconds = describeSeconds
}

/** A duration in words, to the largest whole unit: "45 seconds", "3 minutes", "2 hours", "4 days". */
export function describeSeconds(seconds: number | null, t: TFunction = translatorFor('en')): string {
  if (seconds === null) return t('common:duration.none')
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ]
  for (const [size, name] of units) {
    const count = Math.floor(seconds / size)
    if (count >= 1) return t(`common:duration.${name}`, { count })
  }
  return t('common:duration.lessThanASecond')
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

/** A phone number as a `tel:` link that never breaks across lines (the `phone` class keeps it whole). */
export function phoneLink(number: string): string {
  const dial = number.replace(/[^\d+]/g, '')
  return `<a class="phone" href="tel:${dial}">${escapeHtml(number)}</a>`
}

/** HELP_PHONE as a page shows it: the number dialable, what follows it ("(TTY 711)") as text. */
export function helpPhoneLink(helpPhone: string): string {
  const [, number, rest] = /^([^(]*?)(\s*\(.*)?$/.exec(helpPhone) ?? [helpPhone, helpPhone, '']
  return phoneLink(number) + escapeHtml(rest ?? '')
}

/** A network address in words: the loopback addresses a member sees in development are "this computer". */
export function describeAddress(address: string | null | undefined): string {
  if (!address) return 'an unknown address'
  const plain = address.replace(/^::ffff:/, '')
  if (plain === '::1' || /^127\./.test(plain)) return 'this computer (local)'
  return plain
}

/** Renders a view to a string without the site's layout, for documents such as PDFs. */
export function renderView(app: Application, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? '')))
  })
}

let documentStylesheet: Promise<string> | undefined

/**
 * The site's screen and print styles, for pasting into a printed document: a PDF page is rendered from a
 * string and fetches nothing, and it is never served, so the page's CSP does not apply to it.
 */
export function printedDocumentStylesheet(): Promise<string> {
  documentStylesheet ??= Promise.all(
    ['portal.css', 'print.css'].map((file) => readFile(path.join(publicDirectory, 'css', file), 'utf8')),
  ).then(([screen, print]) => `${screen}\n@media print {\n${print}\n}`)
  return documentStylesheet
}

/**
 * What a page needs to speak its reader's language, decided when it renders (the session may have changed the
 * language after the request came in): `t`, `tm` for the messages routes hand over (title, errors, notice, each
 * a key or a key with values; see i18n.ts), the formatters in the reader's locale, and the switch link.
 */
function readerLocals(req: Request, options: Record<string, unknown>) {
  const lang = languageOf(req.language) ?? 'en'
  const t = req.t ?? translatorFor(lang)
  const tm = (text: Message | undefined | null) => translateMessage(t, text)
  const other = otherLanguage(lang)
  const here = req.method === 'GET' ? req.originalUrl : req.path
  const errors = options.errors as FormError[] | undefined
  return {
    lang,
    t,
    tm,
    title: typeof options.title === 'string' ? tm(options.title) : options.title,
    errors: errors?.map((error) => ({ ...error, text: tm(error.text) })),
    notice: typeof options.notice === 'string' ? tm(options.notice) : options.notice,
    languageSwitch: {
      language: other,
      name: languageNames[other],
      href: `/language?to=${other}&return=${encodeURIComponent(here)}`,
    },
    formatDate: (value: Date | string) => formatDate(value, lang),
    formatShortDate: (value: Date | string) => formatShortDate(value, lang),
    formatDateTime: (value: Date | string) => formatDateTime(value, lang),
    formatMoney: (cents: number) => formatMoney(cents, lang),
    describeSeconds: (seconds: number | null) => describeSeconds(seconds, t),
  }
}

export const withLayout: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res)
  // A mounted application (the ops queue dashboard) renders its own pages with its own views.
  const ownApp = res.app
  res.render = ((
    view: string,
    options: Record<string, unknown> = {},
    callback?: (err: Error, html: string) => void,
  ) => {
    if (res.app !== ownApp) return render(view, options, callback)
    const page = { ...options, ...readerLocals(req, options) }
    render(view, page, (error: Error | null, body: string) => {
      if (error) return callback ? callback(error, '') : next(error)
      const errors = (page.errors as unknown[] | undefined) ?? []
      const name = page.t('common:serviceName')
      const title = `${errors.length > 0 ? page.t('common:errorTitlePrefix') : ''}${String(page.title ?? name)} – ${name}`
      render('layout', { ...page, body, pageTitle: title, currentUser: req.session?.user }, callback)
    })
  }) as typeof res.render
  res.locals.currentPath = req.path
  next()
}

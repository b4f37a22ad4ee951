import { readdirSync } from 'node:fs'
import path from 'node:path'
import i18next, { type i18n, type TFunction } from 'i18next'
import FsBackend from 'i18next-fs-backend'
import { LanguageDetector } from 'i18next-http-middleware'
import type { Request, RequestHandler } from 'express'

/** The languages every page, email, letter and PDF comes in; the first is the fallback. */
export const languages = ['en', 'es'] as const
export type Language = (typeof languages)[number]

/** Each language's name in itself, for the switch link ("Español" on an English page). */
export const languageNames: Record<Language, string> = { en: 'English', es: 'Español' }

export const localesDirectory = path.join(__dirname, '..', '..', 'locales')

/** "es-MX", "ES", "es" → "es"; anything else → undefined. */
export function languageOf(tag: unknown): Language | undefined {
  if (typeof tag !== 'string') return undefined
  const base = tag.trim().toLowerCase().split(/[-_]/)[0]
  return (languages as readonly string[]).includes(base) ? (base as Language) : undefined
}

/** The other language of the pair, which the switch link offers. */
export function otherLanguage(language: Language): Language {
  return language === 'en' ? 'es' : 'en'
}

/** The message files' namespaces: one file per feature in locales/<language>/, the same names in each. */
export function namespaces(): string[] {
  return readdirSync(path.join(localesDirectory, 'en'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort()
}

/** The cookie a signed-out visitor's choice is kept in. */
export const languageCookie = 'lang'

/**
 * i18next with every message file loaded at start (synchronously, so the first request never waits). A
 * request's language comes from the `lang` cookie, else the browser's Accept-Language; once the session is read,
 * a signed-on member's preferred language wins (`followAccountLanguage`). Missing keys fall back to English;
 * tests make sure none is missing.
 */
export function createI18n(): i18n {
  const instance = i18next.createInstance()
  void instance
    .use(FsBackend)
    .use(LanguageDetector)
    .init({
      initAsync: false,
      backend: { loadPath: path.join(localesDirectory, '{{lng}}', '{{ns}}.json') },
      preload: [...languages],
      supportedLngs: [...languages],
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      fallbackLng: 'en',
      ns: namespaces(),
      defaultNS: 'common',
      // EJS escapes what <%= %> prints; escaping here too would show "&amp;".
      interpolation: { escapeValue: false },
      returnNull: false,
      detection: {
        order: ['cookie', 'header'],
        lookupCookie: languageCookie,
        caches: false,
      },
    })
  return instance
}

let shared: i18n | undefined
/** The process's one i18next instance (message files are read once). */
export function sharedI18n(): i18n {
  shared ??= createI18n()
  return shared
}

const translators = new Map<Language, TFunction>()

// Options that change how i18next finds or builds a text (a context, another language…), and a count of 0 (i18next
// looks for a "_zero" form first): such calls go to i18next itself.
const lookupOptions = new Set(['context', 'ns', 'lng', 'lngs', 'defaultValue', 'returnObjects', 'keyPrefix'])
const plainValues = (options: unknown): options is Record<string, unknown> =>
  typeof options === 'object' &&
  options !== null &&
  !Array.isArray(options) &&
  Object.keys(options).every((name) => !lookupOptions.has(name) && !name.startsWith('interpolation'))

/**
 * A translation function fixed to a language, for pages, emails, letters and PDFs. A page makes a hundred calls
 * or more, and i18next finds the key anew each time (16 µs a call, 41 µs with values, measured here: about half
 * a page's CPU in the page bench). A key's text is kept after its first use (the message files do not change
 * while the process runs), a plural's form is chosen by i18next's plural resolver, and values go into the text
 * through i18next's own interpolator (about 3 µs); any other lookup option goes to i18next each time.
 */
export function translatorFor(language: Language | string | null | undefined): TFunction {
  const lang = languageOf(language) ?? 'en'
  const known = translators.get(lang)
  if (known) return known
  const instance = sharedI18n()
  const fixed = instance.getFixedT(lang) as unknown as (...args: unknown[]) => unknown
  const texts = new Map<string, string>()
  const textOf = (key: string): string => {
    let text = texts.get(key)
    if (text === undefined) {
      text = String(fixed(key))
      texts.set(key, text)
    }
    return text
  }
  // A plural: the key with the language's suffix for the count ("_one", "_other"), or the key alone.
  const pluralOf = (key: string, count: number): string => {
    const pluralKey = `${key}${instance.services.pluralResolver.getSuffix(lang, count)}`
    let text = texts.get(pluralKey)
    if (text === undefined) {
      text = instance.exists(pluralKey, { lng: lang }) ? String(fixed(pluralKey)) : textOf(key)
      texts.set(pluralKey, text)
    }
    return text
  }
  const translate = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    if (typeof key !== 'string' || rest.length > 0 || (options !== undefined && !plainValues(options)))
      return fixed(key, options, ...rest)
    if (options === undefined) return textOf(key)
    const { count } = options
    if (count !== undefined && (typeof count !== 'number' || count === 0)) return fixed(key, options)
    const text = count === undefined ? textOf(key) : pluralOf(key, count)
    return text.includes('{{') ? instance.services.interpolator.interpolate(text, options, lang, {}) : text
  }
  translators.set(lang, translate as unknown as TFunction)
  return translate as unknown as TFunction
}

/**
 * What a rule or a route hands a page to be read: a message key ("accounts:signOn.failure"), or a key with
 * values. Values that are keys themselves ("fields:userId") are translated first, so a form's label reads in
 * the page's language inside the message. Zod messages must be strings, so `message()` encodes the pair.
 */
export type Message = string | { key: string; values?: Record<string, unknown> }

const keyPattern = /^[a-z][\w-]*:[\w.-]+$/

/** A key with values, as one string (for zod messages, form errors and anything stored as text). */
export function message(key: string, values?: Record<string, unknown>): string {
  return values ? JSON.stringify({ key, values }) : key
}

/** A message in the reader's language; text that is not a key (a name, a recorded note) is shown as it is. */
export function translateMessage(t: TFunction, text: Message | undefined | null): string {
  if (text === undefined || text === null) return ''
  let parsed: Message = text
  if (typeof text === 'string' && text.startsWith('{"key":')) {
    try {
      parsed = JSON.parse(text) as Message
    } catch {
      return text
    }
  }
  if (typeof parsed === 'string') return keyPattern.test(parsed) ? String(t(parsed)) : parsed
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(parsed.values ?? {})) {
    values[name] =
      (typeof value === 'string' && (keyPattern.test(value) || value.startsWith('{"key":'))) ||
      (typeof value === 'object' && value !== null && 'key' in value)
        ? translateMessage(t, value as Message)
        : value
  }
  return String(t(parsed.key, values))
}

/**
 * Finds each request's language (cookie, then Accept-Language, by i18next-http-middleware's detector) and gives
 * it `req.language` and `req.t`; before the session. The library's own `handle` clones the i18next instance for
 * every request, which the page bench measured at a sixth of a page's CPU; the language is all a request needs.
 */
export function detectLanguage(instance: i18n = sharedI18n()): RequestHandler {
  return (req, _res, next) => {
    const detected: unknown = instance.services.languageDetector?.detect(req, _res)
    useLanguage(req, languageOf(Array.isArray(detected) ? detected[0] : detected) ?? 'en')
    next()
  }
}

function useLanguage(req: Request, language: Language): void {
  req.language = language
  req.t = translatorFor(language)
}

const staffAreas = /^\/(office|ops|mailroom)(\/|$)/i

/**
 * After the session: a signed-on member reads their preferred language; staff, and the office, ops and
 * mailroom areas, read English (those pages are not translated; docs/languages.md).
 */
export const followAccountLanguage: RequestHandler = (req, _res, next) => {
  const user = req.session?.user
  const wanted = (user && user.role !== 'member') || staffAreas.test(req.path) ? 'en' : user?.language
  const language = languageOf(wanted)
  if (language && language !== req.language) useLanguage(req, language)
  next()
}

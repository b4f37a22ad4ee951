import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import express, { Router } from 'express'

export const staticPrefix = '/public'

/**
 * RFC 8246 (HTTP Immutable Responses): "The immutable HTTP response Cache-Control extension allows servers to
 * identify resources that will not be updated during their freshness lifetime. This ensures that a client never
 * needs to revalidate a cached fresh resource". A hashed name's content never changes, so it is fresh for a year.
 */
const immutable = 'public, max-age=31536000, immutable'

interface Version {
  hash: string
  body: Buffer
  modifiedMs: number
}

// A hashed name: the file's name, a dot, ten hex digits of its SHA-256, then its extension.
const hashedName = /^(.+)\.([0-9a-f]{10})(\.[a-z0-9]+)$/i

/**
 * The site's static files (public/) under names that carry a hash of their content, cached for a year as
 * immutable: a member's browser fetches a stylesheet once and never asks again, until a new version's page
 * names a new file. Each hashed name is served from the bytes it was computed from, so a name never shows
 * other content. Old names still work: the plain name (/public/css/portal.css) is served as before, with a
 * short cache, and an earlier version's hashed name is sent on to the current one.
 */
export class StaticFiles {
  private readonly versions = new Map<string, Version>()

  /** `watch`: in development a changed file gets a new hash on the next page, without a restart. */
  constructor(
    private readonly directory: string,
    private readonly options: { watch: boolean; plainMaxAge: string | number },
  ) {
    const files = fs.readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    for (const entry of files) {
      const relative = path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
      this.versions.set(`/${relative}`, this.read(`/${relative}`))
    }
  }

  private read(file: string): Version {
    const absolute = path.join(this.directory, file)
    const body = fs.readFileSync(absolute)
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10)
    return { hash, body, modifiedMs: fs.statSync(absolute).mtimeMs }
  }

  private current(file: string): Version | undefined {
    const version = this.versions.get(file)
    if (!version || !this.options.watch) return version
    const modifiedMs = fs.statSync(path.join(this.directory, file), { throwIfNoEntry: false })?.mtimeMs
    if (modifiedMs === undefined || modifiedMs === version.modifiedMs) return version
    const fresh = this.read(file)
    this.versions.set(file, fresh)
    return fresh
  }

  /** The address a page links to: `/public/css/portal.css` → `/public/css/portal.1a2b3c4d5e.css`. */
  assetPath = (address: string): string => {
    if (!address.startsWith(`${staticPrefix}/`)) throw new Error(`${address} is not under ${staticPrefix}/`)
    const file = address.slice(staticPrefix.length)
    const version = this.current(file)
    if (!version) throw new Error(`No static file ${address}`)
    const extension = path.posix.extname(file)
    return `${staticPrefix}${file.slice(0, file.length - extension.length)}.${version.hash}${extension}`
  }

  /** The router for /public: hashed names first, then the plain names from the folder. */
  routes(): Router {
    const router = Router({ caseSensitive: true, strict: true })
    router.use((req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next()
      // However the address is spelt: percent-encoded, with a trailing slash (the folder matches in any case).
      let requested: string
      try {
        requested = decodeURIComponent(req.path).replace(/(.)\/$/, '$1')
      } catch {
        return next()
      }
      const match = hashedName.exec(requested)
      if (!match) {
        // A plain name with a trailing slash is the same file.
        if (requested !== req.path && this.versions.has(requested)) req.url = requested
        return next()
      }
      const file = `${match[1]}${match[3]}`
      const version = this.current(file)
      if (!version) return next()
      if (version.hash !== match[2].toLowerCase()) {
        // A page from before a deployment asks for an earlier version: the current one is the best answer.
        res.set('Cache-Control', 'no-cache')
        return res.redirect(302, this.assetPath(`${staticPrefix}${file}`))
      }
      res.set('Cache-Control', immutable)
      res.type(path.posix.extname(file))
      res.send(version.body)
    })
    router.use(express.static(this.directory, { maxAge: this.options.plainMaxAge }))
    return router
  }

  /**
   * /favicon.ico, which browsers and tools ask for on their own: its address cannot change with its content,
   * so it is cached for a day rather than for good (pages link to its hashed name).
   */
  favicon(): express.RequestHandler {
    return (_req, res) => {
      const version = this.current('/favicon.ico')!
      res.set('Cache-Control', 'public, max-age=86400')
      res.type('image/x-icon')
      res.send(version.body)
    }
  }
}

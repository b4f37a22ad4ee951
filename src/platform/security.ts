import { randomBytes } from 'node:crypto'
import compression from 'compression'
import type { Request, RequestHandler } from 'express'
import helmet from 'helmet'
import { csrfSync } from 'csrf-sync'

const strictDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
}

function securityHeaders(options: { behindTls: boolean }, directives: Record<string, string[]>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...directives, upgradeInsecureRequests: options.behindTls ? [] : null },
    },
    strictTransportSecurity: options.behindTls,
    referrerPolicy: { policy: 'same-origin' },
  })
}

/**
 * A strict policy: scripts, styles and images only from this site, nothing inline, no framing. One path
 * differs: the ops queue dashboard (bull-board, `relaxedPrefix`) is a script application whose pages set
 * inline styles, so there — and only there — inline styles are allowed and its page may set its own base.
 * Scripts still come only from this site.
 */
export function setUpWebSecurity(options: { behindTls: boolean; relaxedPrefix?: string }): RequestHandler {
  const strict = securityHeaders(options, strictDirectives)
  const relaxed = securityHeaders(options, {
    ...strictDirectives,
    styleSrc: ["'self'", "'unsafe-inline'"],
    baseUri: ["'self'"],
  })
  const prefix = options.relaxedPrefix
  return (req, res, next) => {
    const relax = prefix !== undefined && (req.path === prefix || req.path.startsWith(`${prefix}/`))
    return (relax ? relaxed : strict)(req, res, next)
  }
}

/**
 * The session's token as a page carries it: a fresh random pad, then the token XOR the pad. Every copy differs,
 * so a compressed page gives an attacker who can add text to it (BREACH) no repeated secret to guess at.
 */
export function maskToken(token: string): string {
  const secret = Buffer.from(token, 'hex')
  const pad = randomBytes(secret.length)
  return `${pad.toString('base64url')}.${xor(secret, pad).toString('base64url')}`
}

/** The session's token back from a masked copy; undefined for anything that is not one. */
export function unmaskToken(masked: string): string | undefined {
  const match = /^([\w-]{1,400})\.([\w-]{1,400})$/.exec(masked)
  if (!match) return undefined
  const pad = Buffer.from(match[1], 'base64url')
  const hidden = Buffer.from(match[2], 'base64url')
  if (pad.length === 0 || pad.length !== hidden.length) return undefined
  return xor(hidden, pad).toString('hex')
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, index) => byte ^ b[index]))
}

/**
 * Synchroniser tokens kept in the session, sent back in each form's `_csrf` field, masked afresh in every
 * copy (see `maskToken`). Pages ask for the token only when they draw a form, so a visitor reading public
 * pages gets no session.
 */
export function setUpCsrf(): {
  exposeToken: RequestHandler
  verifyToken: RequestHandler
  submittedToken: (req: Request) => string | null | undefined
  hasLiveToken: (req: Request) => boolean
} {
  const { csrfSynchronisedProtection, generateToken, getTokenFromRequest, getTokenFromState } = csrfSync({
    getTokenFromRequest: (req) => {
      const token = (req.body as Record<string, unknown> | undefined)?._csrf
      return typeof token === 'string' ? unmaskToken(token) : undefined
    },
  })
  const exposeToken: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = () => maskToken(generateToken(req))
    next()
  }
  return {
    exposeToken,
    verifyToken: csrfSynchronisedProtection,
    submittedToken: getTokenFromRequest,
    // Whether this session has drawn a form: a token that does not match it is then wrong, not lapsed.
    hasLiveToken: (req) => typeof getTokenFromState(req) === 'string',
  }
}

/**
 * gzip or brotli for pages, styles and scripts (whichever the browser asks for), for members on slow links.
 * Safe against BREACH because the CSRF token is masked afresh in every copy (see `maskToken`).
 */
export function setUpCompression(): RequestHandler {
  return compression()
}

import type { Request, RequestHandler } from 'express'
import helmet from 'helmet'
import { csrfSync } from 'csrf-sync'

/** A strict policy: scripts, styles and images only from this site, nothing inline, no framing. */
export function setUpWebSecurity(options: { behindTls: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
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
        upgradeInsecureRequests: options.behindTls ? [] : null,
      },
    },
    strictTransportSecurity: options.behindTls,
    referrerPolicy: { policy: 'same-origin' },
  })
}

/**
 * Synchroniser tokens kept in the session, sent back in each form's `_csrf` field. Pages ask for the token
 * only when they draw a form, so a visitor reading public pages gets no session.
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
      return typeof token === 'string' ? token : undefined
    },
  })
  const exposeToken: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = () => generateToken(req)
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

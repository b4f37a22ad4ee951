import type { RequestHandler } from 'express'
import session from 'express-session'
import { RedisStore } from 'connect-redis'
import type { Redis } from 'ioredis'
import type { Config } from '../config'
import type { Clock } from './clock'
import { describeLapsedSession } from './lapsed-forms'

export interface SessionUser {
  id: number
  userId: string
  role: 'member' | 'office' | 'ops' | 'mailroom'
  displayName: string
  memberId: number | null
  // Signed on with a mailed temporary password: nothing but choosing a password and secret questions until done.
  mustSetCredentials?: boolean
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser
    signedOnAt?: number
    lastSeenAt?: number
    notice?: string
    returnTo?: string
  }
}

// Why a signed-on session ended, said on the sign-on page (and kept with a form the member was sending).
export const timedOutReason = 'You were signed out after 15 minutes without activity.'
export const expiredReason = 'You were signed out because you had been signed on for 12 hours.'
export const timedOutNotice = `${timedOutReason} Sign on again to continue.`
export const expiredNotice = `${expiredReason} Sign on again to continue.`

/**
 * Sessions live in Redis so any web process can serve any request. The cookie and the stored session are
 * refreshed on every request (rolling) and last as long as the longest rule, the registration window (the
 * store's TTL follows the cookie's expiry). The signed-on limits are checked by the server with the clock on
 * every request, so a replayed old cookie cannot outlive them; a session that ran past them is replaced by
 * one that remembers why, so the sign-on page can say so and a form it drew can be kept.
 */
export function setUpSession(redis: Redis, config: Config, clock: Clock): RequestHandler[] {
  const idleMs = config.session.idleMinutes * 60_000
  const absoluteMs = config.session.absoluteHours * 3_600_000
  const keptMs = sessionLifetimeMinutes(config) * 60_000
  const store = new RedisStore({ client: redis, prefix: `${config.redisPrefix}:sess:` })

  const sessionMiddleware = session({
    name: 'portal.sid',
    store,
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // No `proxy` option: whether the request came over TLS is Express's req.secure, which believes
    // X-Forwarded-Proto only from the proxies listed in TRUST_PROXY.
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.trustProxy, maxAge: keptMs },
  })

  const enforceTimeouts: RequestHandler = (req, _res, next) => {
    const { user, lastSeenAt, signedOnAt } = req.session
    if (!user) return next()
    const now = clock().getTime()
    const idle = lastSeenAt !== undefined && now - lastSeenAt > idleMs
    const expired = signedOnAt !== undefined && now - signedOnAt > absoluteMs
    if (!idle && !expired) {
      req.session.lastSeenAt = now
      return next()
    }
    const lapsed = describeLapsedSession(req.session, idle ? timedOutReason : expiredReason)
    req.session.regenerate((error) => {
      if (error) return next(error)
      req.session.notice = idle ? timedOutNotice : expiredNotice
      req.session.lapsedSession = lapsed
      next()
    })
  }

  return [sessionMiddleware, enforceTimeouts]
}

/** How long a session is kept after its last request: the longest of the rules it has to serve. */
function sessionLifetimeMinutes(config: Config): number {
  return Math.max(config.session.idleMinutes, config.session.registrationMinutes)
}

/**
 * Which sessions each account has open, so a password change or recovery can end all the others. Sessions
 * are Redis keys of the session store; ending one deletes its key.
 */
export class SessionRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly absoluteHours: number,
  ) {}

  private setKey(userId: number) {
    return `${this.prefix}:user-sessions:${userId}`
  }

  async add(userId: number, sessionId: string): Promise<void> {
    await this.redis
      .multi()
      .sadd(this.setKey(userId), sessionId)
      .expire(this.setKey(userId), this.absoluteHours * 3600)
      .exec()
  }

  async remove(userId: number, sessionId: string): Promise<void> {
    await this.redis.srem(this.setKey(userId), sessionId)
  }

  /** Ends every session of the account except `keep` (the one making the change, if any). */
  async endOthers(userId: number, keep?: string): Promise<number> {
    const sessionIds = await this.redis.smembers(this.setKey(userId))
    const others = sessionIds.filter((id) => id !== keep)
    if (others.length === 0) return 0
    await this.redis
      .multi()
      .del(...others.map((id) => `${this.prefix}:sess:${id}`))
      .srem(this.setKey(userId), ...others)
      .exec()
    return others.length
  }
}

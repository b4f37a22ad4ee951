import type { RequestHandler } from 'express'
import session, { SessionData } from 'express-session'
import { RedisStore } from 'connect-redis'
import type { Redis } from 'ioredis'
import type { Config } from '../config'
import type { Clock } from './clock'
import type { Language } from './i18n'
import { describeLapsedSession } from './lapsed-forms'

export interface SessionUser {
  id: number
  userId: string
  role: 'member' | 'office' | 'ops' | 'mailroom'
  displayName: string
  memberId: number | null
  /** The member's preferred language, read at sign-on and changed by the language switch or settings. */
  language?: Language
  // Signed on with a mailed temporary password: nothing but choosing a password and secret questions until done.
  mustSetCredentials?: boolean
  // Signed on with a mailed temporary password where 2-step verification is required: held until it is set up again.
  mustSetUpTwoStep?: boolean
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
 * one that remembers why, so the sign-on page can say so and a form it drew can be kept. The time of each
 * request is kept by the store beside the session (see `SessionStore`), so a request that changes nothing in
 * the session does not write it back.
 */
export function setUpSession(redis: Redis, config: Config, clock: Clock): RequestHandler[] {
  const idleMs = config.session.idleMinutes * 60_000
  const absoluteMs = config.session.absoluteHours * 3_600_000
  const keptMs = sessionLifetimeMinutes(config) * 60_000
  const store = new SessionStore(redis, config.redisPrefix, clock, keptMs)

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
    // This request's time is already recorded by the store: the session itself is not written for it.
    if (!idle && !expired) return next()
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

/** The key holding the time of a session's latest request, beside the session's own key. */
export function lastSeenKey(redisPrefix: string, sessionId: string): string {
  return `${redisPrefix}:seen:${sessionId}`
}

// Reads a session and records the time of the request that reads it, in one round trip: the time the session
// was last seen before this request comes back with it, and both keys live on for the session's lifetime.
const readAndMarkSeen = `
local session = redis.call('GET', KEYS[1])
if not session then return {false, false} end
local seen = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {session, seen}
`

type MarkingRedis = Redis & {
  readSessionAndMarkSeen(sessionKey: string, seenKey: string, now: number, lifetimeMs: number): Promise<unknown>
}

/**
 * connect-redis, with the time of every request kept in a key of its own beside the session rather than in
 * the session. Without it the session would change, and be written back whole, on every signed-on request
 * just to move its last-seen time; with it the idle limit still compares the clock with the exact time of
 * the latest request (`lastSeenAt` is that time, or the one saved at sign-on if later), and a request that
 * changes nothing costs one Redis round trip. The read also renews both keys' lifetime, so touching is off.
 */
export class SessionStore extends RedisStore {
  private readonly marking: MarkingRedis

  constructor(
    redis: Redis,
    private readonly redisPrefix: string,
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
  ) {
    super({ client: redis, prefix: `${redisPrefix}:sess:`, disableTouch: true })
    redis.defineCommand('readSessionAndMarkSeen', { numberOfKeys: 2, lua: readAndMarkSeen })
    this.marking = redis as MarkingRedis
  }

  override async get(
    sid: string,
    callback?: (error: unknown, session?: SessionData | null) => void,
  ): Promise<SessionData | null | void> {
    try {
      const [stored, seen] = (await this.marking.readSessionAndMarkSeen(
        this.prefix + sid,
        lastSeenKey(this.redisPrefix, sid),
        this.clock().getTime(),
        this.lifetimeMs,
      )) as [string | null, string | null]
      const session = stored === null ? null : (JSON.parse(stored) as SessionData)
      if (session?.user && seen !== null) session.lastSeenAt = Math.max(session.lastSeenAt ?? 0, Number(seen))
      return callback ? callback(null, session) : session
    } catch (error) {
      if (callback) return callback(error, null)
      throw error
    }
  }

  override async destroy(sid: string, callback?: (error?: unknown) => unknown): Promise<unknown> {
    try {
      await this.marking.del(this.prefix + sid, lastSeenKey(this.redisPrefix, sid))
      return callback?.(null)
    } catch (error) {
      if (callback) return callback(error)
      throw error
    }
  }
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
      .del(...others.flatMap((id) => [`${this.prefix}:sess:${id}`, lastSeenKey(this.prefix, id)]))
      .srem(this.setKey(userId), ...others)
      .exec()
    return others.length
  }
}

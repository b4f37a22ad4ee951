import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'

/** The pharmacy's webhook headers: the time it signed (Unix seconds) and `sha256=<hex HMAC>`. */
export const timestampHeader = 'x-pharmacy-timestamp'
export const signatureHeader = 'x-pharmacy-signature'

/** A signed call older or newer than this (by our clock) is refused, so a captured one cannot be replayed later. */
export const webhookToleranceSeconds = 5 * 60

/**
 * HMAC-SHA256 over `${timestamp}.` and then the body's exact bytes, with the shared secret. The body is never
 * decoded first: two different byte strings can decode to the same text (every invalid UTF-8 byte becomes
 * U+FFFD), and a signature over one must not pass for the other.
 */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`
}

export type WebhookCheck = { ok: true } | { ok: false; problem: 'missing' | 'stale' | 'bad-signature' }

/** Checks a webhook's signature over the raw body in constant time, and its age against `now`. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: Buffer,
  now: Date,
): WebhookCheck {
  const { timestamp, signature } = headers
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, problem: 'missing' }
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, problem: 'bad-signature' }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > webhookToleranceSeconds)
    return { ok: false, problem: 'stale' }
  return { ok: true }
}

/**
 * The signatures of the webhooks taken in the last window, in Redis, so a captured call sent again while its
 * timestamp is still fresh is refused. A signature covers the timestamp, so it is kept for twice the tolerance
 * (a timestamp is accepted from 5 minutes before it to 5 minutes after): past that its call is stale anyway.
 */
export class SeenWebhooks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(signature: string): string {
    return `${this.prefix}:pharmacy-webhook:${createHash('sha256').update(signature).digest('hex')}`
  }

  /** True the first time a signature is offered within the window; false for a replay. */
  async firstSighting(signature: string): Promise<boolean> {
    const set = await this.redis.set(this.key(signature), '1', 'EX', 2 * webhookToleranceSeconds, 'NX')
    return set === 'OK'
  }

  /** Forgets a signature whose call could not be applied (the database was down), so the pharmacy's retry works. */
  async forget(signature: string): Promise<void> {
    await this.redis.del(this.key(signature))
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto'

/** The pharmacy's webhook headers: the time it signed (Unix seconds) and `sha256=<hex HMAC>`. */
export const timestampHeader = 'x-pharmacy-timestamp'
export const signatureHeader = 'x-pharmacy-signature'

/** A signed call older or newer than this (by our clock) is refused, so a captured one cannot be replayed later. */
export const webhookToleranceSeconds = 5 * 60

/** HMAC-SHA256 over `${timestamp}.${body}` with the shared secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export type WebhookCheck = { ok: true } | { ok: false; problem: 'missing' | 'stale' | 'bad-signature' }

/** Checks a webhook's signature in constant time and its age against `now`. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
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

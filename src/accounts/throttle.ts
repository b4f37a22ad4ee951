import type { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'

export const accountFailureLimit = 10
export const lockMinutes = 15
// Failures after this many earn a growing delay before the answer.
export const freeFailures = 5
const ipFailureLimit = 100

/**
 * Counts failed sign-ons per user ID (known or not, so the answers cannot tell them apart) and per IP, in
 * Redis so every web process sees the same counts.
 */
export class SignOnThrottle {
  private readonly accounts: RateLimiterRedis
  private readonly addresses: RateLimiterRedis

  constructor(redis: Redis, prefix: string) {
    this.accounts = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:signon-account`,
      points: accountFailureLimit,
      duration: 60 * 60,
    })
    this.addresses = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:signon-ip`,
      points: ipFailureLimit,
      duration: 60 * 60,
      blockDuration: lockMinutes * 60,
    })
  }

  async isAccountLocked(key: string): Promise<boolean> {
    const state = await this.accounts.get(key)
    return state !== null && state.consumedPoints >= accountFailureLimit
  }

  async isAddressBlocked(ip: string): Promise<boolean> {
    const state = await this.addresses.get(ip)
    return state !== null && state.consumedPoints > ipFailureLimit
  }

  /** Records a failure and returns how many this user ID has now; the tenth locks it for 15 minutes. */
  async recordFailure(key: string, ip: string): Promise<number> {
    // consume (not penalty) so passing the limit starts the block.
    await this.addresses.consume(ip).catch(() => undefined)
    const state = await this.accounts.penalty(key, 1)
    if (state.consumedPoints >= accountFailureLimit) await this.accounts.block(key, lockMinutes * 60)
    return state.consumedPoints
  }

  async clearAccount(key: string): Promise<void> {
    await this.accounts.delete(key)
  }
}

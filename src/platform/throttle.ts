import type { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'

/**
 * Counts failures per key in Redis (shared by every web process) and blocks the key for a while once it
 * reaches the limit within the window.
 */
export class FailureThrottle {
  private readonly limiter: RateLimiterRedis

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly limit: number,
    windowSeconds: number,
    private readonly blockSeconds: number,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: limit, duration: windowSeconds })
  }

  async isBlocked(key: string): Promise<boolean> {
    const state = await this.limiter.get(key)
    return state !== null && state.consumedPoints >= this.limit
  }

  /** Returns the number of failures so far; reaching the limit starts the block. */
  async recordFailure(key: string): Promise<number> {
    const state = await this.limiter.penalty(key, 1)
    if (state.consumedPoints >= this.limit) await this.limiter.block(key, this.blockSeconds)
    return state.consumedPoints
  }

  async clear(key: string): Promise<void> {
    await this.limiter.delete(key)
  }
}

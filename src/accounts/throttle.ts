import type { Redis } from 'ioredis'
import { FailureThrottle } from '../platform/throttle'

export const accountFailureLimit = 10
export const lockMinutes = 15
// Failures after this many earn a growing delay before the answer.
export const freeFailures = 5
const ipFailureLimit = 100

/**
 * Failed sign-ons per user ID (known or not, so the answers cannot tell them apart) and per IP: the tenth
 * failure for a user ID locks it for 15 minutes; a hundred from one address in an hour block the address.
 */
export class SignOnThrottle {
  private readonly accounts: FailureThrottle
  private readonly addresses: FailureThrottle

  constructor(redis: Redis, prefix: string) {
    this.accounts = new FailureThrottle(redis, `${prefix}:signon-account`, accountFailureLimit, 3600, lockMinutes * 60)
    this.addresses = new FailureThrottle(redis, `${prefix}:signon-ip`, ipFailureLimit, 3600, lockMinutes * 60)
  }

  isAccountLocked(key: string): Promise<boolean> {
    return this.accounts.isBlocked(key)
  }

  isAddressBlocked(ip: string): Promise<boolean> {
    return this.addresses.isBlocked(ip)
  }

  async recordFailure(key: string, ip: string): Promise<number> {
    await this.addresses.recordFailure(ip)
    return this.accounts.recordFailure(key)
  }

  clearAccount(key: string): Promise<void> {
    return this.accounts.clear(key)
  }
}

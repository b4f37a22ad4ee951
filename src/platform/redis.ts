import { Redis } from 'ioredis'

/**
 * BullMQ needs maxRetriesPerRequest null on its connections; the same settings suit sessions and throttles,
 * which wait for Redis to come back rather than fail a request half-way.
 */
export function createRedis(redisUrl: string, options: { failFast?: boolean } = {}): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    connectTimeout: 2000,
  })
}

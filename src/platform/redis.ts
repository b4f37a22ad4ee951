import { Redis } from 'ioredis'
import type { Logger } from 'pino'

/**
 * Workers (BullMQ needs maxRetriesPerRequest null on their connections) wait for Redis to come back rather
 * than fail a job half-way. The web process fails fast instead (`failFast`): no offline queue, one retry and a
 * command timeout, so while Redis is down a page answers "service unavailable" at once rather than hanging.
 */
export function createRedis(redisUrl: string, options: { failFast?: boolean } = {}): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    commandTimeout: options.failFast ? 2_000 : undefined,
    connectTimeout: 2000,
  })
}

/**
 * BullMQ keeps jobs as ordinary keys: a Redis that evicts keys under memory pressure silently loses jobs. A
 * managed Redis may refuse CONFIG, so the check only says what it could not learn.
 */
export async function warnUnlessNoEviction(redis: Redis, logger: Logger): Promise<string | undefined> {
  try {
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve))
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[]
    const policy = reply[1]
    if (policy !== 'noeviction') {
      logger.warn(
        { maxmemoryPolicy: policy },
        'Redis maxmemory-policy is not noeviction: under memory pressure Redis may delete queued jobs',
      )
    }
    return policy
  } catch (error) {
    logger.info({ err: error }, 'could not read Redis maxmemory-policy; make sure it is noeviction')
    return undefined
  }
}

import type { Redis } from 'ioredis'
import { SignOnService } from './accounts/service'
import { UserRepository } from './accounts/repository'
import { SignOnThrottle } from './accounts/throttle'
import type { Config } from './config'
import { MemberRepository } from './members/repository'
import { OpsService } from './ops/service'
import { AuditLog } from './platform/audit'
import { Clock, systemClock } from './platform/clock'
import { createDb, Db } from './platform/db'
import { createLogger, Logger } from './platform/logger'
import { createQueues, Queues } from './platform/queues'
import { createRedis } from './platform/redis'

export interface Infrastructure {
  config: Config
  logger: Logger
  db: Db
  redis: Redis
  queues: Queues
  clock: Clock
}

/** The one place that builds the infrastructure from config; tests pass their own pieces instead. */
export function createInfrastructure(config: Config, overrides: Partial<Infrastructure> = {}): Infrastructure {
  const redis = overrides.redis ?? createRedis(config.redisUrl)
  const logger = overrides.logger ?? createLogger(config.logLevel)
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error'))
  return {
    config,
    logger,
    db: overrides.db ?? createDb(config.databaseUrl, logger),
    redis,
    queues:
      overrides.queues ??
      createQueues(redis, `${config.redisPrefix}-bull`, (error) =>
        logger.warn({ err: error }, 'queue connection error'),
      ),
    clock: overrides.clock ?? systemClock,
  }
}

/** Repositories and services, each given what it needs. */
export function createServices(infrastructure: Infrastructure) {
  const { config, db, redis, queues, clock } = infrastructure
  const users = new UserRepository(db)
  const throttle = new SignOnThrottle(redis, config.redisPrefix)
  return {
    ...infrastructure,
    audit: new AuditLog(db, clock),
    users,
    throttle,
    signOn: new SignOnService(users, throttle, clock, config.signOnDelayMs),
    members: new MemberRepository(db),
    ops: new OpsService(db, queues),
  }
}

export type Services = ReturnType<typeof createServices>

export async function closeInfrastructure(infrastructure: Infrastructure): Promise<void> {
  await infrastructure.queues.close()
  await infrastructure.db.destroy()
  infrastructure.redis.disconnect()
}

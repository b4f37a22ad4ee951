import type { Redis } from 'ioredis'
import { SignOnService } from './accounts/service'
import { UserRepository } from './accounts/repository'
import { SignOnThrottle } from './accounts/throttle'
import type { Config } from './config'
import { CoverageRepository } from './coverage/repository'
import { CoverageService } from './coverage/service'
import { LabResultRepository } from './labs/repository'
import { LabResultsService } from './labs/service'
import { MemberRepository } from './members/repository'
import { OpsService } from './ops/service'
import { AuditLog } from './platform/audit'
import { Clock, systemClock } from './platform/clock'
import { createDb, Db } from './platform/db'
import { createLogger, Logger } from './platform/logger'
import { PdfRenderer } from './platform/pdf'
import { createQueues, Queues } from './platform/queues'
import { RecordAccess } from './platform/record-access'
import { createRedis } from './platform/redis'
import { ImmunizationRepository } from './vaccinations/repository'
import { VaccinationService } from './vaccinations/service'

export interface Infrastructure {
  config: Config
  logger: Logger
  db: Db
  redis: Redis
  queues: Queues
  clock: Clock
  pdf: PdfRenderer
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
    // Chromium starts on the first PDF, not here.
    pdf: overrides.pdf ?? new PdfRenderer(config.chromiumPath, logger),
  }
}

/** Repositories and services, each given what it needs. */
export function createServices(infrastructure: Infrastructure) {
  const { config, db, redis, queues, clock } = infrastructure
  const users = new UserRepository(db)
  const throttle = new SignOnThrottle(redis, config.redisPrefix)
  const audit = new AuditLog(db, clock)
  const members = new MemberRepository(db)
  const recordAccess = new RecordAccess(audit)
  return {
    ...infrastructure,
    audit,
    users,
    throttle,
    signOn: new SignOnService(users, throttle, clock, config.signOnDelayMs),
    members,
    ops: new OpsService(db, queues),
    labs: new LabResultsService(new LabResultRepository(db), recordAccess, clock),
    vaccinations: new VaccinationService(new ImmunizationRepository(db), members, recordAccess, clock),
    coverage: new CoverageService(new CoverageRepository(db), recordAccess, clock),
  }
}

export type Services = ReturnType<typeof createServices>

export async function closeInfrastructure(infrastructure: Infrastructure): Promise<void> {
  await infrastructure.pdf.close()
  await infrastructure.queues.close()
  await infrastructure.db.destroy()
  infrastructure.redis.disconnect()
}

import { testEnv } from '../env.cjs'

// Before any module reads the environment: the test database, Redis db and prefix.
Object.assign(process.env, testEnv)

import { loadConfig } from '../../src/config'
import { createDb, migrateToLatest, migrationConfig } from '../../src/platform/db'
import { createRedis } from '../../src/platform/redis'

/** Once per run: a schema rebuilt from the migrations (so `down` is exercised too) and an empty Redis db. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000)
    const config = loadConfig()
    const db = createDb(config.databaseUrl)
    const redis = createRedis(config.redisUrl)
    try {
      await db.migrate.rollback(migrationConfig, true)
      await migrateToLatest(db)
      await redis.flushdb()
    } finally {
      await db.destroy()
      redis.disconnect()
    }
  },
}

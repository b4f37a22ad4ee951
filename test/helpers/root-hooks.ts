import { testEnv } from '../env.cjs'

// Before any module reads the environment: the test database, Redis db and prefix.
Object.assign(process.env, testEnv)

import { loadConfig } from '../../src/config'
import { createDb, migrateToLatest, migrationConfig } from '../../src/platform/db'
import { createRedis } from '../../src/platform/redis'
import { collectedPages, describeHtmlErrors, htmlErrors } from './html-checker'

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
  /**
   * Once per run, after the last test: the W3C HTML checker over every page the browser tests were sent (one
   * run of the checker for them all). Invalid markup fails the run, each error listed with its page.
   */
  afterAll: async function everyPageTheBrowserTestsVisitedIsValidHtml(this: Mocha.Context) {
    this.timeout(300_000)
    const pages = await collectedPages()
    if (pages.length === 0) return
    const started = performance.now()
    const errors = await htmlErrors(pages)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`  The W3C HTML checker read the ${pages.length} pages the browser tests were sent (${seconds} s)`)
    if (errors.length > 0) throw new Error(`The W3C HTML checker found errors:\n${describeHtmlErrors(errors)}`)
  },
}

import { loadConfig } from '../src/config'
import { demoPlanLoaded, seedDemoPlan } from '../src/demo/seed'
import { configuredClock } from '../src/platform/clock'
import { createDb, migrateToLatest } from '../src/platform/db'

/**
 * `npm run seed`: loads the demo plan into an empty database. `--reset` first empties every table (never
 * in production: the seed refuses to run there at all).
 */
async function main(): Promise<void> {
  const config = loadConfig()
  if (config.production) throw new Error('Refusing to load demo data: NODE_ENV is production.')
  const db = createDb(config.databaseUrl)
  try {
    await migrateToLatest(db)
    if (process.argv.includes('--reset')) await emptyAllTables(db)
    else if (await demoPlanLoaded(db)) {
      console.log(
        'The demo plan is already loaded. Run `npm run seed -- --reset` to empty the database and load it again.',
      )
      return
    }
    await seedDemoPlan(db, configuredClock(config.clockAt), config.environment, { twoStepKey: config.twoStep.key })
    console.log('Loaded the demo plan.')
  } finally {
    await db.destroy()
  }
}

async function emptyAllTables(db: ReturnType<typeof createDb>): Promise<void> {
  const [rows] = (await db.raw(
    "select table_name as name from information_schema.tables where table_schema = database() and table_name not like 'knex_migrations%'",
  )) as [{ name: string }[]]
  await db.raw('SET FOREIGN_KEY_CHECKS = 0')
  for (const { name } of rows) await db.raw('TRUNCATE TABLE ??', [name])
  await db.raw('SET FOREIGN_KEY_CHECKS = 1')
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})

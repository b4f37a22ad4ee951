import { loadConfig } from '../src/config'
import { createDb, migrateToLatest } from '../src/platform/db'

/** `npm run migrate`: brings the database named by DATABASE_URL to the latest schema. */
async function main(): Promise<void> {
  const db = createDb(loadConfig().databaseUrl)
  try {
    const applied = await migrateToLatest(db)
    console.log(applied.length > 0 ? `Applied ${applied.join(', ')}` : 'The database schema is up to date.')
  } finally {
    await db.destroy()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})

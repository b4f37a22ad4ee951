import mysql from 'mysql2/promise'
import { databaseName, Db } from '../src/platform/db'

/** Creates the benchmark's database if missing; refuses one not named for benchmarks, since it is emptied. */
export async function createBenchDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl)
  // The bench empties every table: a database not named for it is someone's data.
  if (!name.includes('bench')) throw new Error(`BENCH_DATABASE_URL must name a bench database (got "${name}")`)
  const server = new URL(databaseUrl)
  server.pathname = '/'
  const connection = await mysql.createConnection({ uri: server.toString() })
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } finally {
    await connection.end()
  }
}

export async function emptyAllTables(db: Db): Promise<void> {
  const [rows] = (await db.raw(
    "select table_name as name from information_schema.tables where table_schema = database() and table_name not like 'knex_migrations%'",
  )) as [{ name: string }[]]
  // One transaction, so the foreign key checks stay off on the connection that deletes.
  await db.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0')
    for (const { name } of rows) await trx.raw('DELETE FROM ??', [name])
    await trx.raw('SET FOREIGN_KEY_CHECKS = 1')
  })
}

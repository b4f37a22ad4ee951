import path from 'node:path'
import knex, { Knex } from 'knex'
import type { Logger } from 'pino'

export type Db = Knex

/**
 * One knex pool per process; dates come back as strings for DATE columns so a birth date never shifts by time
 * zone. `acquireTimeoutMs` bounds how long a query waits for a connection (the web process keeps it short, so
 * a page answers "service unavailable" rather than hanging while MySQL is unreachable).
 */
export function createDb(
  databaseUrl: string,
  logger?: Logger,
  pool = { min: 0, max: 10 },
  acquireTimeoutMs = 60_000,
): Db {
  const log = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ detail: String(message) }, 'knex')
  return knex({
    // knex writes to the console by default; its messages belong in the JSON log.
    log: { warn: log('warn'), error: log('error'), deprecate: log('warn'), debug: log('debug') },
    client: 'mysql2',
    acquireConnectionTimeout: acquireTimeoutMs,
    connection: {
      uri: databaseUrl,
      timezone: 'Z',
      dateStrings: ['DATE'],
      supportBigNumbers: true,
      charset: 'utf8mb4',
      connectTimeout: Math.min(acquireTimeoutMs, 10_000),
    } as unknown as Knex.MySql2ConnectionConfig,
    pool: {
      ...pool,
      // TIMESTAMP columns convert through the session time zone; UTC on both sides keeps instants exact.
      afterCreate: (
        connection: { query: (sql: string, done: (error: Error | null) => void) => void },
        done: (error: Error | null, connection: unknown) => void,
      ) => {
        connection.query("SET time_zone = '+00:00'", (error) => done(error, connection))
      },
    },
  })
}

export const migrationConfig: Knex.MigratorConfig = {
  directory: path.join(__dirname, '..', '..', 'migrations'),
  loadExtensions: ['.ts'],
  tableName: 'knex_migrations',
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]]
  return applied
}

/** InnoDB chose this transaction as a deadlock victim and rolled it back: running it again is safe. */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: string })?.code === 'ER_LOCK_DEADLOCK'
}

/** A unique key refused the row (a second booking of a slot, a batch number another run took). */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string })?.code === 'ER_DUP_ENTRY'
}

/** The database name in a mysql:// URL, for the setup steps that create it. */
export function databaseName(databaseUrl: string): string {
  const name = new URL(databaseUrl).pathname.replace(/^\//, '')
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`DATABASE_URL must name a database of letters, digits and _ (got "${name}")`)
  return name
}

/**
 * A query whose SQL is compiled once and then run with new values: knex otherwise compiles the builder on
 * every run, and for a statement that every signed-on page sends (the union of whom a member may act for)
 * that compiling cost more CPU than the statement's round trip. `build` gets one placeholder a parameter
 * and uses it as it would a value; each run puts the arguments where the placeholders were.
 */
export function preparedQuery<P extends unknown[]>(
  db: Db,
  arity: P['length'],
  build: (...placeholders: string[]) => Knex.QueryBuilder,
): (...params: P) => Promise<Record<string, unknown>[]> {
  // Strings no caller could pass: a NUL byte never reaches a binding from a form or an id.
  const placeholders = Array.from({ length: arity }, (_, n) => `\u0000param${n}\u0000`)
  let compiled: { sql: string; slots: (number | { value: unknown })[] } | undefined
  return async (...params) => {
    if (!compiled) {
      const native = build(...placeholders)
        .toSQL()
        .toNative()
      compiled = {
        sql: native.sql,
        slots: native.bindings.map((value) => {
          const n = placeholders.indexOf(value as string)
          return n >= 0 ? n : { value }
        }),
      }
    }
    const bindings = compiled.slots.map((slot) => (typeof slot === 'number' ? params[slot] : slot.value))
    const [rows] = (await db.raw(compiled.sql, bindings as Knex.RawBinding[])) as unknown as [Record<string, unknown>[]]
    return rows
  }
}

import path from 'node:path'
import knex, { Knex } from 'knex'
import type { Logger } from 'pino'

export type Db = Knex

interface RawConnection {
  query: (...args: unknown[]) => unknown
  destroy: () => void
}

/**
 * Gives every statement on a raw mysql2 connection a time limit (mysql2's per-query `timeout`; knex has no
 * default of its own). A connection whose statement ran out of time is destroyed, so the pool never hands it
 * out again: a MySQL that froze with the connection open would otherwise hold the next statement too.
 */
function limitQueries(connection: RawConnection, timeoutMs: number): void {
  const query = connection.query.bind(connection)
  connection.query = (options: unknown, ...rest: unknown[]) => {
    if (!options || typeof options !== 'object' || (options as { timeout?: number }).timeout !== undefined)
      return query(options, ...rest)
    const last = rest.length - 1
    const callback = rest[last]
    if (typeof callback === 'function')
      rest[last] = (error: { code?: string } | null, ...results: unknown[]) => {
        if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy()
        return (callback as (...args: unknown[]) => unknown)(error, ...results)
      }
    return query({ ...options, timeout: timeoutMs }, ...rest)
  }
}

/**
 * One knex pool per process; dates come back as strings for DATE columns so a birth date never shifts by time
 * zone. `acquireTimeoutMs` bounds how long a query waits for a connection and `queryTimeoutMs` how long a
 * statement (or opening a connection) may take: the web process keeps both short, so a page answers "service
 * unavailable" within seconds rather than hanging while MySQL is unreachable or frozen.
 */
export function createDb(
  databaseUrl: string,
  logger?: Logger,
  pool = { min: 0, max: 10 },
  acquireTimeoutMs = 60_000,
  queryTimeoutMs = 60_000,
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
      connectTimeout: Math.min(acquireTimeoutMs, queryTimeoutMs, 10_000),
    } as unknown as Knex.MySql2ConnectionConfig,
    pool: {
      ...pool,
      // TIMESTAMP columns convert through the session time zone; UTC on both sides keeps instants exact.
      afterCreate: (connection: RawConnection, done: (error: Error | null, connection: unknown) => void) => {
        limitQueries(connection, queryTimeoutMs)
        connection.query({ sql: "SET time_zone = '+00:00'" }, (error: Error | null) => done(error, connection))
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

/** Text for a LIKE pattern, its wildcards taken literally. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`)

/**
 * Narrows a query on a directory table (doctors, clinics, pharmacies) to rows whose name, or whose address (line,
 * city, state and ZIP), holds the text, ignoring case; the API's searches narrow the rest.
 */
export function whereNameOrAddressHolds(
  query: Knex.QueryBuilder,
  filter: { nameContains?: string; addressContains?: string },
): void {
  if (filter.nameContains) query.whereRaw('lower(name) like ?', [`%${likeEscaped(filter.nameContains)}%`])
  if (filter.addressContains)
    query.whereRaw("lower(concat_ws(' ', address_line1, city, state, zip)) like ?", [
      `%${likeEscaped(filter.addressContains)}%`,
    ])
}

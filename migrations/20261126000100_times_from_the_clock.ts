import type { Knex } from 'knex'

// Every time the portal stores comes from its clock (which tests and spawned processes share), never from the
// database server's NOW(): these two columns lose the default that let an insert fall back on it.
const tables = ['members', 'users']

export async function up(knex: Knex): Promise<void> {
  for (const table of tables) await knex.raw('ALTER TABLE ?? ALTER COLUMN created_at DROP DEFAULT', [table])
}

export async function down(knex: Knex): Promise<void> {
  for (const table of tables)
    await knex.raw('ALTER TABLE ?? ALTER COLUMN created_at SET DEFAULT CURRENT_TIMESTAMP', [table])
}

import type { Knex } from 'knex'

/**
 * An outbox row is finished when its job has completed (or failed for good), not when it was enqueued, so a
 * Redis that loses its data can be refilled from the rows. Each row gets a random token that is part of its
 * job id, so ids stay unique after the database is restored from a backup and its row ids start again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.string('token', 16).notNullable().defaultTo('')
    table.timestamp('completed_at', { precision: 3 }).nullable()
    table.timestamp('failed_at', { precision: 3 }).nullable()
    // How often the relay put the row's job back after finding it gone from Redis.
    table.integer('requeued').unsigned().notNullable().defaultTo(0)
    table.index(['completed_at', 'failed_at', 'enqueued_at'], 'outbox_unfinished')
  })
  await knex.raw("UPDATE outbox SET token = SUBSTRING(SHA2(CONCAT(id, '-', RAND()), 256), 1, 16)")
  // Rows enqueued before this change counted as done once queued; what became of their jobs is unknown.
  await knex('outbox')
    .whereNotNull('enqueued_at')
    .update({ completed_at: knex.ref('enqueued_at') })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.dropIndex(['completed_at', 'failed_at', 'enqueued_at'], 'outbox_unfinished')
    table.dropColumn('token')
    table.dropColumn('completed_at')
    table.dropColumn('failed_at')
    table.dropColumn('requeued')
  })
}

import type { Knex } from 'knex'

/**
 * Keys that leave the database must stay unique after it is restored from a backup, when row ids start
 * again: a refill request's idempotency key at the pharmacy becomes a random UUID stored on the row.
 * Requests made before keep the key they were (or may have been) sent with, so a retry finds their order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refill_requests', (table) => {
    table.string('idempotency_key', 64).nullable()
  })
  await knex('refill_requests').update({ idempotency_key: knex.raw("CONCAT('refill-request-', id)") })
  await knex.schema.alterTable('refill_requests', (table) => {
    table.string('idempotency_key', 64).notNullable().alter()
    table.unique(['idempotency_key'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refill_requests', (table) => {
    table.dropUnique(['idempotency_key'])
    table.dropColumn('idempotency_key')
  })
}

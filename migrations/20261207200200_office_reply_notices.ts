import type { Knex } from 'knex'

/**
 * The office-reply notices and follow-ups become outbox rows, so a Redis that loses its data loses none of
 * them, and their job ids carry the row's token, so a restore from backup never reuses one. Each is recorded
 * once per reply (the unique key), and an outbox row may carry its job's delay and retries.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('office_reply_notices', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    // The reply the notice is for; for a follow-up, the reply that opened the window.
    table.integer('message_id').unsigned().notNullable()
    table.enum('kind', ['notice', 'follow-up']).notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.unique(['message_id', 'kind'])
  })
  await knex.schema.alterTable('outbox', (table) => {
    // { delay, attempts, backoff } for the job, numbers only; null for the queue's defaults.
    table.json('job_options').nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.dropColumn('job_options')
  })
  await knex.schema.dropTableIfExists('office_reply_notices')
}

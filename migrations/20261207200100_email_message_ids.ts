import type { Knex } from 'knex'

/**
 * An email's Message-ID is recorded before it is handed to SMTP, and `accepted_at` once the server took it:
 * a row without `accepted_at` is an email whose handover a crash or an outage interrupted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sent_emails', (table) => {
    table.string('message_id', 255).nullable().unique()
    table.timestamp('accepted_at', { precision: 3 }).nullable()
  })
  await knex('sent_emails').update({ accepted_at: knex.ref('sent_at') })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sent_emails', (table) => {
    table.dropUnique(['message_id'])
    table.dropColumn('message_id')
    table.dropColumn('accepted_at')
  })
}

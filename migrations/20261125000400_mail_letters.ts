import type { Knex } from 'knex'

/** Registration by mail: temporary-password requests, the nightly letter batches, and first sign-on. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    // Set for an account made by mail until its owner picks a password and secret questions.
    table.boolean('credentials_pending').notNullable().defaultTo(false)
  })

  await knex.schema.createTable('letter_batches', (table) => {
    // Dated and sequential: 20261125-01, 20261125-02, …
    table.string('id', 20).primary()
    table.date('batch_date').notNullable()
    table.date('mail_date').notNullable()
    table.enum('status', ['building', 'ready', 'printed', 'mailed', 'abandoned']).notNullable()
    table.integer('piece_count').unsigned().notNullable().defaultTo(0)
    table.integer('page_count').unsigned().notNullable().defaultTo(0)
    table.string('letters_sha256', 64).nullable()
    table.string('manifest_sha256', 64).nullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    // A building batch whose heartbeat stops was abandoned by a crashed worker; the next run takes its letters back.
    table.timestamp('heartbeat_at', { precision: 3 }).notNullable()
    table.timestamp('ready_at', { precision: 3 }).nullable()
    table.timestamp('printed_at', { precision: 3 }).nullable()
    table.timestamp('mailed_at', { precision: 3 }).nullable()
    table.date('mailed_on').nullable()
    table.timestamp('files_deleted_at', { precision: 3 }).nullable()
    table.index(['status', 'batch_date'])
  })

  await knex.schema.createTable('temp_password_requests', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.enum('reason', ['registration', 'recovery', 'returned']).notNullable()
    table
      .enum('status', ['pending', 'claimed', 'issued', 'mailed', 'returned', 'superseded', 'used'])
      .notNullable()
      .defaultTo('pending')
    table.timestamp('requested_at', { precision: 3 }).notNullable()
    table.string('batch_id', 20).nullable().references('letter_batches.id')
    table.integer('sequence').unsigned().nullable()
    table.integer('page').unsigned().nullable()
    // argon2id of the temporary password; the password itself exists only in the batch's letters.pdf.
    table.string('password_hash', 255).nullable()
    table.timestamp('issued_at', { precision: 3 }).nullable()
    table.timestamp('expires_at', { precision: 3 }).nullable()
    table.date('mailed_on').nullable()
    table.timestamp('returned_at', { precision: 3 }).nullable()
    table.timestamp('used_at', { precision: 3 }).nullable()
    table.index(['status', 'id'])
    table.index(['user_id', 'status'])
    table.unique(['batch_id', 'sequence'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('temp_password_requests')
  await knex.schema.dropTableIfExists('letter_batches')
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('credentials_pending')
  })
}

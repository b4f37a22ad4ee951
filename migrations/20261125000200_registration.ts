import type { Knex } from 'knex'

/** Online registration and recovery: accepted terms, secret answers, email verification, password resets, sent emails. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.string('terms_version', 20).nullable()
    table.timestamp('terms_accepted_at').nullable()
  })

  await knex.schema.createTable('secret_answers', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.tinyint('position').unsigned().notNullable()
    table.string('question_key', 40).notNullable()
    // argon2id of the normalised answer; the answer itself is never stored.
    table.string('answer_hash', 255).notNullable()
    table.unique(['user_id', 'position'])
    table.unique(['user_id', 'question_key'])
  })

  await knex.schema.createTable('email_verifications', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    // Empty while registration is still under way; set when the account is created.
    table.integer('user_id').unsigned().nullable().references('users.id').onDelete('CASCADE')
    table.string('email', 254).notNullable()
    table.enum('purpose', ['registration', 'change']).notNullable()
    // SHA-256 of the link's token, written by the worker that sends the email.
    table.string('token_hash', 64).nullable().unique()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('expires_at', { precision: 3 }).nullable()
    table.timestamp('sent_at', { precision: 3 }).nullable()
    table.timestamp('verified_at', { precision: 3 }).nullable()
    table.index(['member_id', 'email'])
  })

  await knex.schema.createTable('password_resets', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.string('token_hash', 64).nullable().unique()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('expires_at', { precision: 3 }).notNullable()
    table.timestamp('sent_at', { precision: 3 }).nullable()
    table.timestamp('link_opened_at', { precision: 3 }).nullable()
    table.timestamp('answers_passed_at', { precision: 3 }).nullable()
    table.tinyint('failed_answers').unsigned().notNullable().defaultTo(0)
    table.timestamp('used_at', { precision: 3 }).nullable()
    table.index(['user_id', 'created_at'])
  })

  // One row per email job that went out, so a retried job does not send it again.
  await knex.schema.createTable('sent_emails', (table) => {
    table.bigIncrements('id')
    table.string('job_key', 100).notNullable().unique()
    table.string('kind', 40).notNullable()
    table.integer('user_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
    table.timestamp('sent_at', { precision: 3 }).notNullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sent_emails')
  await knex.schema.dropTableIfExists('password_resets')
  await knex.schema.dropTableIfExists('email_verifications')
  await knex.schema.dropTableIfExists('secret_answers')
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('terms_version')
    table.dropColumn('terms_accepted_at')
  })
}

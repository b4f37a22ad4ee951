import type { Knex } from 'knex'

const oldOutcomes = ['signed-on', 'failed', 'refused-locked', 'signed-out', 'timed-out']
const newOutcomes = [...oldOutcomes, 'failed-second-step']

/**
 * 2-step verification at sign-on: each account's methods (an authenticator app's encrypted key, email codes,
 * passkeys), its recovery codes and emailed codes (hashed), the browsers it asked to remember, and the method
 * each sign-on used.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('two_step_methods', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.enum('kind', ['app', 'email', 'passkey']).notNullable()
    table.string('label', 100).notNullable()
    // The authenticator app's shared key, AES-256-GCM under TWO_STEP_KEY; never in clear.
    table.string('secret_encrypted', 255).nullable()
    // The last 30-second step whose code was accepted: a code is good once (RFC 6238 section 5.2).
    table.bigInteger('last_step').nullable()
    // A passkey: its credential id (base64url), public key (COSE, base64url) and signature counter.
    table.string('credential_id', 512).nullable().unique()
    table.text('public_key').nullable()
    table.bigInteger('sign_count').unsigned().nullable()
    table.string('transports', 100).nullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('last_used_at', { precision: 3 }).nullable()
    table.index(['user_id', 'kind'])
  })

  await knex.schema.createTable('recovery_codes', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.string('code_hash', 64).notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('used_at', { precision: 3 }).nullable()
    table.index(['user_id', 'code_hash'])
  })

  await knex.schema.createTable('email_codes', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.string('code_hash', 64).notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('expires_at', { precision: 3 }).notNullable()
    table.timestamp('used_at', { precision: 3 }).nullable()
    table.index(['user_id', 'created_at'])
  })

  await knex.schema.createTable('remembered_browsers', (table) => {
    table.increments('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.string('token_hash', 64).notNullable()
    // "Chrome on Windows": what the settings page lists, from the user agent.
    table.string('label', 100).notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('last_used_at', { precision: 3 }).notNullable()
    table.timestamp('expires_at', { precision: 3 }).notNullable()
    table.timestamp('revoked_at', { precision: 3 }).nullable()
    table.index(['user_id'])
  })

  await knex.schema.alterTable('users', (table) => {
    // When a member last answered "not now" to setting up 2-step verification: asked again 30 days later.
    table.timestamp('two_step_prompted_at', { precision: 3 }).nullable()
  })

  await knex.schema.alterTable('sign_on_events', (table) => {
    // How the sign-on was completed: password, password+app, password+email, password+recovery-code, …
    table.string('method', 40).nullable()
  })
  await knex.raw(
    `ALTER TABLE sign_on_events MODIFY outcome ENUM(${newOutcomes.map(() => '?').join(',')}) NOT NULL`,
    newOutcomes,
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex('sign_on_events').where({ outcome: 'failed-second-step' }).update({ outcome: 'failed' })
  await knex.raw(
    `ALTER TABLE sign_on_events MODIFY outcome ENUM(${oldOutcomes.map(() => '?').join(',')}) NOT NULL`,
    oldOutcomes,
  )
  await knex.schema.alterTable('sign_on_events', (table) => {
    table.dropColumn('method')
  })
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('two_step_prompted_at')
  })
  await knex.schema.dropTableIfExists('remembered_browsers')
  await knex.schema.dropTableIfExists('email_codes')
  await knex.schema.dropTableIfExists('recovery_codes')
  await knex.schema.dropTableIfExists('two_step_methods')
}

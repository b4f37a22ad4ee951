import type { Knex } from 'knex'

/** The plan's roster (clinics, providers, members), accounts, the audit trail and the job outbox. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clinics', (table) => {
    table.increments('id')
    table.string('name', 120).notNullable()
    table.string('address_line1', 100).notNullable()
    table.string('city', 60).notNullable()
    table.string('state', 2).notNullable()
    table.string('zip', 10).notNullable()
    table.string('phone', 20).notNullable()
  })

  await knex.schema.createTable('providers', (table) => {
    table.increments('id')
    table.string('name', 120).notNullable()
    table.string('specialty', 80).notNullable()
    table.integer('clinic_id').unsigned().notNullable().references('clinics.id')
  })

  await knex.schema.createTable('members', (table) => {
    table.increments('id')
    table.string('mrn', 12).notNullable().unique()
    table.string('first_name', 60).notNullable()
    table.string('last_name', 60).notNullable()
    table.date('birth_date').notNullable()
    table.string('address_line1', 100).notNullable()
    table.string('address_line2', 100).nullable()
    table.string('city', 60).notNullable()
    table.string('state', 2).notNullable()
    table.string('zip', 10).notNullable()
    table.string('phone', 20).notNullable()
    table.string('email', 254).nullable()
    table.integer('clinic_id').unsigned().notNullable().references('clinics.id')
    table.integer('pcp_provider_id').unsigned().notNullable().references('providers.id')
    table.timestamp('created_at').notNullable().defaultTo(knex.fn.now())
  })

  await knex.schema.createTable('users', (table) => {
    table.increments('id')
    // Shown as the member typed it; the lower-cased copy makes user IDs unique whatever the case.
    table.string('user_id', 32).notNullable()
    table.string('user_id_key', 32).notNullable().unique()
    table.string('password_hash', 255).notNullable()
    table.enum('role', ['member', 'office', 'ops', 'mailroom']).notNullable()
    table.string('display_name', 120).notNullable()
    // A roster member has at most one account.
    table.integer('member_id').unsigned().nullable().unique().references('members.id')
    table.string('email', 254).nullable()
    table.timestamp('email_verified_at').nullable()
    table.timestamp('created_at').notNullable().defaultTo(knex.fn.now())
    table.timestamp('password_changed_at').nullable()
  })

  await knex.schema.createTable('sign_on_events', (table) => {
    table.bigIncrements('id')
    table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
    table.timestamp('at', { precision: 3 }).notNullable()
    table.enum('outcome', ['signed-on', 'failed', 'refused-locked', 'signed-out', 'timed-out']).notNullable()
    table.string('ip', 45).nullable()
    table.string('user_agent', 255).nullable()
    table.index(['user_id', 'at'])
  })

  await knex.schema.createTable('audit_log', (table) => {
    table.bigIncrements('id')
    table.timestamp('at', { precision: 3 }).notNullable()
    table.integer('actor_user_id').unsigned().nullable().references('users.id')
    // The member whose information was seen or changed, when it differs from nobody (proxy access makes it differ from the actor).
    table.integer('subject_member_id').unsigned().nullable().references('members.id')
    table.string('action', 60).notNullable()
    table.string('target_type', 40).nullable()
    table.string('target_id', 64).nullable()
    table.json('detail').nullable()
    table.string('request_id', 64).nullable()
    table.string('ip', 45).nullable()
    table.index(['subject_member_id', 'at'])
    table.index(['actor_user_id', 'at'])
  })

  await knex.schema.createTable('outbox', (table) => {
    table.bigIncrements('id')
    table.string('queue', 60).notNullable()
    table.string('job_name', 60).notNullable()
    // Ids only, never health information: workers reload what they need.
    table.json('payload').notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
    table.timestamp('enqueued_at', { precision: 3 }).nullable()
    table.integer('relay_attempts').unsigned().notNullable().defaultTo(0)
    table.string('last_error', 255).nullable()
    table.index(['enqueued_at', 'id'])
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['outbox', 'audit_log', 'sign_on_events', 'users', 'members', 'providers', 'clinics']) {
    await knex.schema.dropTableIfExists(table)
  }
}

import type { Knex } from 'knex'

/** Prescriptions and refills: the plan's pharmacies, members' medications, refill and renewal requests. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pharmacies', (table) => {
    table.increments('id')
    // The pharmacy system's own store code, sent with each order.
    table.string('code', 20).notNullable().unique()
    table.string('name', 120).notNullable()
    table.enum('kind', ['retail', 'mail']).notNullable()
    table.string('address_line1', 120).notNullable()
    table.string('city', 60).notNullable()
    table.string('state', 2).notNullable()
    table.string('zip', 10).notNullable()
    table.string('phone', 30).notNullable()
    table.string('hours', 120).nullable()
  })

  await knex.schema.createTable('member_pharmacies', (table) => {
    table.integer('member_id').unsigned().primary().references('members.id')
    table.integer('pharmacy_id').unsigned().notNullable().references('pharmacies.id')
  })

  await knex.schema.createTable('medications', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.string('rx_number', 20).notNullable().unique()
    table.string('name', 120).notNullable()
    table.integer('prescriber_provider_id').unsigned().notNullable().references('providers.id')
    // The directions ("sig") as printed on the label.
    table.string('sig', 255).notNullable()
    table.integer('quantity').unsigned().notNullable()
    table.string('quantity_unit', 30).notNullable()
    table.integer('days_supply').unsigned().notNullable()
    table.integer('refills_left').unsigned().notNullable()
    table.date('last_filled_on').nullable()
    table.date('expires_on').notNullable()
    // DEA schedule of a controlled substance; null for everything else.
    table.enum('schedule', ['II', 'III', 'IV', 'V']).nullable()
    table.enum('status', ['active', 'inactive']).notNullable().defaultTo('active')
    table.date('ended_on').nullable()
    table.index(['member_id', 'status'])
  })

  await knex.schema.createTable('refill_requests', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.integer('requested_by_user_id').unsigned().notNullable().references('users.id')
    // The hidden token of the form that made it: a double click, reload or resubmit finds this row again.
    table.string('form_token', 64).notNullable()
    table.enum('delivery', ['pickup', 'mail']).notNullable()
    table.integer('pharmacy_id').unsigned().notNullable().references('pharmacies.id')
    // The address on file when the request was made (mail delivery only).
    table.string('mail_address', 255).nullable()
    table.enum('status', ['requested', 'sent', 'ready', 'shipped', 'denied', 'failed']).notNullable()
    table.string('pharmacy_order_id', 64).nullable()
    table.string('tracking_number', 64).nullable()
    // The pharmacy's reason for a denial, or ours for a failure.
    table.string('outcome_reason', 255).nullable()
    table.timestamp('created_at').notNullable()
    table.timestamp('status_changed_at').notNullable()
    table.unique(['member_id', 'form_token'])
    table.index(['member_id', 'created_at'])
    table.index(['status', 'status_changed_at'])
    table.index(['pharmacy_order_id'])
  })

  await knex.schema.createTable('refill_request_items', (table) => {
    table.increments('id')
    table.integer('refill_request_id').unsigned().notNullable().references('refill_requests.id')
    table.integer('medication_id').unsigned().notNullable().references('medications.id')
    table.unique(['refill_request_id', 'medication_id'])
    table.index(['medication_id'])
  })

  // Each status a request has been in, for its history and for the notice emails (one per event).
  await knex.schema.createTable('refill_request_events', (table) => {
    table.increments('id')
    table.integer('refill_request_id').unsigned().notNullable().references('refill_requests.id')
    table.enum('status', ['requested', 'sent', 'ready', 'shipped', 'denied', 'failed']).notNullable()
    table.timestamp('at').notNullable()
    table.index(['refill_request_id', 'id'])
  })

  // "Ask your doctor for a renewal": kept for the office until the messages feature shows them in its inbox.
  await knex.schema.createTable('renewal_requests', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.integer('medication_id').unsigned().notNullable().references('medications.id')
    table.integer('requested_by_user_id').unsigned().notNullable().references('users.id')
    table.enum('status', ['open', 'closed']).notNullable().defaultTo('open')
    table.timestamp('created_at').notNullable()
    table.index(['medication_id', 'status'])
    table.index(['status', 'created_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const name of [
    'renewal_requests',
    'refill_request_events',
    'refill_request_items',
    'refill_requests',
    'medications',
    'member_pharmacies',
    'pharmacies',
  ]) {
    await knex.schema.dropTableIfExists(name)
  }
}

import type { Knex } from 'knex'

/**
 * Appointments: the routine visit types, which providers offer them, their weekly schedules, the open slots
 * made from those schedules, the bookings, and the reminders sent for them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('visit_types', (table) => {
    table.increments('id')
    table.string('code', 30).notNullable().unique()
    table.string('name', 80).notNullable()
    table.integer('duration_minutes').unsigned().notNullable()
    table.string('what_to_bring', 300).notNullable()
    table.integer('sort_order').unsigned().notNullable().defaultTo(0)
  })

  await knex.schema.createTable('provider_visit_types', (table) => {
    table.integer('provider_id').unsigned().notNullable().references('providers.id')
    table.integer('visit_type_id').unsigned().notNullable().references('visit_types.id')
    table.primary(['provider_id', 'visit_type_id'])
  })

  // The weekly template a provider's slots are made from, in the clinic's local time.
  await knex.schema.createTable('provider_schedules', (table) => {
    table.increments('id')
    table.integer('provider_id').unsigned().notNullable().references('providers.id')
    // ISO weekday: 1 = Monday … 7 = Sunday.
    table.tinyint('weekday').unsigned().notNullable()
    table.string('starts', 5).notNullable()
    table.string('ends', 5).notNullable()
    table.integer('slot_minutes').unsigned().notNullable()
  })

  await knex.schema.createTable('appointment_slots', (table) => {
    table.increments('id')
    table.integer('provider_id').unsigned().notNullable().references('providers.id')
    table.timestamp('starts_at').notNullable()
    // A visit fits a slot when its duration is no longer than the slot.
    table.integer('length_minutes').unsigned().notNullable()
    table.unique(['provider_id', 'starts_at'])
  })

  await knex.schema.createTable('appointments', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.integer('slot_id').unsigned().notNullable().references('appointment_slots.id')
    table.integer('provider_id').unsigned().notNullable().references('providers.id')
    table.integer('visit_type_id').unsigned().notNullable().references('visit_types.id')
    table.timestamp('starts_at').notNullable()
    table.timestamp('ends_at').notNullable()
    table.string('reason', 500).notNullable()
    table.enum('status', ['booked', 'cancelled']).notNullable()
    // When the current time was chosen (booking or the last reschedule); reminders due before it are not sent.
    table.timestamp('scheduled_at').notNullable()
    // Counts reschedules, for the calendar file's SEQUENCE.
    table.integer('sequence').unsigned().notNullable().defaultTo(0)
    table.timestamp('cancelled_at').nullable()
    table.timestamp('created_at').notNullable()
    table.index(['member_id', 'starts_at'])
    table.index(['status', 'starts_at'])
  })
  // No double booking, enforced by the database: the slot id while booked, NULL once cancelled (MariaDB has no
  // partial unique index), and a unique key on it. Two bookings of one slot cannot both commit.
  await knex.raw(
    "ALTER TABLE appointments ADD COLUMN active_slot_id INT UNSIGNED AS (IF(status = 'booked', slot_id, NULL)) PERSISTENT, ADD UNIQUE KEY appointments_active_slot_unique (active_slot_id)",
  )

  await knex.schema.createTable('appointment_reminders', (table) => {
    table.increments('id')
    table.integer('appointment_id').unsigned().notNullable().references('appointments.id')
    table.integer('lead_minutes').unsigned().notNullable()
    // The start time the reminder is for: a moved appointment's new time is a new reminder.
    table.timestamp('starts_at').notNullable()
    // Which sweep recorded it, so that sweep (and no other) queues its email.
    table.string('sweep_token', 36).notNullable()
    table.timestamp('created_at').notNullable()
    table.timestamp('sent_at').nullable()
    table.enum('outcome', ['sent', 'skipped']).nullable()
    table.unique(['appointment_id', 'lead_minutes', 'starts_at'], { indexName: 'appointment_reminders_once' })
    table.index(['sweep_token'])
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'appointment_reminders',
    'appointments',
    'appointment_slots',
    'provider_schedules',
    'provider_visit_types',
    'visit_types',
  ]) {
    await knex.schema.dropTableIfExists(table)
  }
}

import type { Knex } from 'knex'

/**
 * Messages with the doctor's office. A department is one specialty at one clinic (Family Medicine at San
 * Leandro): each doctor belongs to one, each office staff account works in one, and each thread goes to one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('departments', (table) => {
    table.increments('id')
    table.integer('clinic_id').unsigned().notNullable().references('clinics.id')
    table.string('name', 80).notNullable()
    table.unique(['clinic_id', 'name'])
  })
  await knex.schema.alterTable('providers', (table) => {
    table.integer('department_id').unsigned().nullable().references('departments.id')
  })
  // A database loaded before departments existed gets one per specialty and clinic of its doctors.
  await knex.raw('INSERT INTO departments (clinic_id, name) SELECT DISTINCT clinic_id, specialty FROM providers')
  await knex.raw(
    'UPDATE providers p JOIN departments d ON d.clinic_id = p.clinic_id AND d.name = p.specialty SET p.department_id = d.id',
  )
  await knex.schema.alterTable('users', (table) => {
    // Office staff only: the department whose messages they answer.
    table.integer('department_id').unsigned().nullable().references('departments.id')
    // Members choose whether an office reply is emailed to them (on by default).
    table.boolean('office_reply_emails').notNullable().defaultTo(true)
  })

  await knex.schema.createTable('message_threads', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.integer('department_id').unsigned().notNullable().references('departments.id')
    table
      .enum('topic', ['doctor-question', 'medication-question', 'test-result-question', 'renewal-request', 'other'])
      .notNullable()
    table.string('subject', 100).notNullable()
    // A renewal request made from the prescriptions tool: the medicine, and the request it came from.
    table.integer('medication_id').unsigned().nullable().references('medications.id')
    table.integer('renewal_request_id').unsigned().nullable().unique().references('renewal_requests.id')
    table.enum('status', ['waiting', 'answered', 'handled']).notNullable()
    // The first member message the office has not answered yet; the office inbox sorts on it.
    table.timestamp('waiting_since').nullable()
    table.timestamp('last_message_at').notNullable()
    table.timestamp('handled_at').nullable()
    table.integer('handled_by_user_id').unsigned().nullable().references('users.id')
    table.timestamp('created_at').notNullable()
    table.index(['member_id', 'last_message_at'])
    table.index(['department_id', 'status', 'waiting_since'])
  })

  await knex.schema.createTable('messages', (table) => {
    table.increments('id')
    table.integer('thread_id').unsigned().notNullable().references('message_threads.id')
    table.enum('author', ['member', 'office']).notNullable()
    // Who wrote it: the member, someone acting for them, or the office staff member.
    table.integer('author_user_id').unsigned().notNullable().references('users.id')
    table.text('body').notNullable()
    table.timestamp('created_at').notNullable()
    // When the other side first read it (for office replies: when the member opened the thread).
    table.timestamp('read_at').nullable()
    table.index(['thread_id', 'id'])
    table.index(['author', 'read_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('messages')
  await knex.schema.dropTableIfExists('message_threads')
  await knex.schema.alterTable('users', (table) => {
    table.dropForeign(['department_id'])
    table.dropColumn('department_id')
    table.dropColumn('office_reply_emails')
  })
  await knex.schema.alterTable('providers', (table) => {
    table.dropForeign(['department_id'])
    table.dropColumn('department_id')
  })
  await knex.schema.dropTableIfExists('departments')
}

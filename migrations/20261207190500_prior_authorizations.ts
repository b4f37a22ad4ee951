import type { Knex } from 'knex'

/**
 * Prior authorizations (CMS-0057-F's Patient Access API carries them from 1 January 2027), and the roster and
 * directory facts the US Core profiles ask for: a member's administrative gender and preferred language, a
 * provider's and a clinic's NPI, a prescription's written date and RxNorm code.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (table) => {
    // FHIR's administrative gender as the plan's enrolment file gives it; "unknown" where it gives none.
    table.enum('administrative_gender', ['male', 'female', 'other', 'unknown']).notNullable().defaultTo('unknown')
    // A BCP 47 language tag ("en", "es", "zh-Hant"): the language the member asked the plan to use.
    table.string('preferred_language', 12).notNullable().defaultTo('en')
  })
  for (const directory of ['providers', 'clinics']) {
    await knex.schema.alterTable(directory, (table) => {
      table.string('npi', 10).nullable()
      // True for the demo plan's made-up NPIs (they pass the check digit but name no one): the API labels them.
      table.boolean('npi_is_demo').notNullable().defaultTo(false)
      // The directory entry's last change: the API's meta.lastUpdated for Practitioner and Organization.
      table.timestamp('updated_at').notNullable().defaultTo(knex.fn.now())
    })
  }
  await knex.schema.alterTable('medications', (table) => {
    table.date('written_on').nullable()
    table.string('rxnorm_code', 12).nullable()
  })

  await knex.schema.createTable('prior_authorizations', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    // The plan's authorization number, as on the decision letter.
    table.string('auth_number', 24).notNullable().unique()
    // The service as a CPT or HCPCS code and in plain words.
    table.string('service_code', 10).notNullable()
    table.string('service_description', 160).notNullable()
    table.integer('ordering_provider_id').unsigned().notNullable().references('providers.id')
    table.integer('servicing_clinic_id').unsigned().notNullable().references('clinics.id')
    // Expedited requests are decided within 72 hours, standard ones within 7 calendar days (CMS-0057-F).
    table.enum('urgency', ['standard', 'expedited']).notNullable()
    table.enum('status', ['pending', 'approved', 'partly-approved', 'denied', 'cancelled', 'expired']).notNullable()
    table.timestamp('requested_at', { precision: 3 }).notNullable()
    table.timestamp('decided_at', { precision: 3 }).nullable()
    table.integer('units_requested').unsigned().notNullable()
    table.integer('units_approved').unsigned().nullable()
    table.integer('units_used').unsigned().notNullable().defaultTo(0)
    // The days the approval is good for, in the plan's time zone.
    table.date('valid_from').nullable()
    table.date('valid_to').nullable()
    // A denial's reason in plain words and as an X12 claim adjustment reason code.
    table.string('denial_reason', 400).nullable()
    table.string('denial_code', 10).nullable()
    // Every change moves this: the API's meta.lastUpdated and its _lastUpdated search read it.
    table.timestamp('status_changed_at', { precision: 3 }).notNullable()
    table.index(['member_id', 'requested_at'])
    table.index(['member_id', 'status_changed_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('prior_authorizations')
  await knex.schema.alterTable('medications', (table) => {
    table.dropColumn('written_on')
    table.dropColumn('rxnorm_code')
  })
  for (const directory of ['clinics', 'providers']) {
    await knex.schema.alterTable(directory, (table) => {
      table.dropColumn('updated_at')
      table.dropColumn('npi_is_demo')
      table.dropColumn('npi')
    })
  }
  await knex.schema.alterTable('members', (table) => {
    table.dropColumn('administrative_gender')
    table.dropColumn('preferred_language')
  })
}

import type { Knex } from 'knex'

/** The member's own records the first tools read: lab results, immunizations, plans, coverage and claims. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('lab_results', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    // Results of the same test share a code; the trend follows it.
    table.string('test_code', 30).notNullable()
    table.string('test_name', 120).notNullable()
    table.string('panel_name', 120).nullable()
    // Decides when the member may see the value online (see src/labs/release.ts).
    table.enum('release_category', ['routine', 'standard', 'sensitive', 'never-online']).notNullable()
    // The value as reported (a number, a word, or a report's text); numeric_value is set when it is a number.
    table.text('value').notNullable()
    table.decimal('numeric_value', 12, 4).nullable()
    table.string('unit', 30).nullable()
    table.string('reference_range', 60).nullable()
    table.decimal('reference_low', 12, 4).nullable()
    table.decimal('reference_high', 12, 4).nullable()
    table.enum('flag', ['normal', 'high', 'low', 'abnormal']).nullable()
    table.timestamp('collected_at').notNullable()
    table.timestamp('resulted_at').notNullable()
    table.integer('ordering_provider_id').unsigned().notNullable().references('providers.id')
    table.index(['member_id', 'collected_at'])
    table.index(['member_id', 'test_code', 'collected_at'])
  })

  await knex.schema.createTable('immunizations', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.string('vaccine_name', 120).notNullable()
    // CDC's CVX code, which school and camp forms ask for.
    table.string('cvx_code', 4).notNullable()
    table.string('dose', 40).notNullable()
    table.date('administered_on').notNullable()
    // Free text: vaccines given by pharmacies or other plans are recorded where they were given.
    table.string('given_at', 120).notNullable()
    table.index(['member_id', 'administered_on'])
  })

  await knex.schema.createTable('plans', (table) => {
    table.increments('id')
    table.string('name', 120).notNullable()
    table.string('plan_type', 40).notNullable()
    table.date('plan_year_start').notNullable()
    table.date('plan_year_end').notNullable()
    // Money is kept in whole cents everywhere.
    table.integer('deductible_cents').unsigned().notNullable()
    table.integer('out_of_pocket_max_cents').unsigned().notNullable()
  })

  await knex.schema.createTable('plan_benefits', (table) => {
    table.increments('id')
    table.integer('plan_id').unsigned().notNullable().references('plans.id')
    table.string('service_code', 40).notNullable()
    table.string('service_name', 120).notNullable()
    table.enum('cost_share', ['copay', 'coinsurance']).notNullable()
    table.integer('copay_cents').unsigned().nullable()
    table.integer('coinsurance_percent').unsigned().nullable()
    // What the plan typically allows for the service; the estimate starts from it.
    table.integer('typical_allowed_cents').unsigned().notNullable()
    table.string('note', 200).nullable()
    table.integer('sort_order').unsigned().notNullable().defaultTo(0)
    table.unique(['plan_id', 'service_code'])
  })

  await knex.schema.createTable('coverages', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.integer('plan_id').unsigned().notNullable().references('plans.id')
    table.string('member_number', 20).notNullable()
    table.string('group_number', 20).notNullable()
    table.string('subscriber_name', 120).notNullable()
    table.date('effective_from').notNullable()
    table.date('effective_to').nullable()
    // The plan year's accumulators as the claims system last reported them.
    table.integer('deductible_met_cents').unsigned().notNullable().defaultTo(0)
    table.integer('out_of_pocket_met_cents').unsigned().notNullable().defaultTo(0)
    table.date('accumulators_as_of').notNullable()
    table.index(['member_id', 'effective_from'])
  })

  await knex.schema.createTable('claims', (table) => {
    table.increments('id')
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.string('claim_number', 24).notNullable().unique()
    table.date('service_date').notNullable()
    table.string('provider_name', 120).notNullable()
    table.string('service_description', 160).notNullable()
    table.enum('status', ['pending', 'processed']).notNullable()
    table.date('processed_on').nullable()
    table.integer('billed_cents').unsigned().notNullable()
    // Null while the claim is pending: nothing is decided yet.
    table.integer('allowed_cents').unsigned().nullable()
    table.integer('plan_paid_cents').unsigned().nullable()
    table.integer('deductible_cents').unsigned().nullable()
    table.integer('copay_cents').unsigned().nullable()
    table.integer('coinsurance_cents').unsigned().nullable()
    table.integer('member_owes_cents').unsigned().nullable()
    table.index(['member_id', 'service_date'])
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['claims', 'coverages', 'plan_benefits', 'plans', 'immunizations', 'lab_results']) {
    await knex.schema.dropTableIfExists(table)
  }
}

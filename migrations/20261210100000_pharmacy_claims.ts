import type { Knex } from 'knex'

/**
 * What CARIN Blue Button's pharmacy claim (C4BB-ExplanationOfBenefit-Pharmacy 2.0.0) needs from a claim: the fill
 * it paid for (the drug's NDC, the quantity and days' supply, the refill number and refills authorized, the NCPDP
 * dispense-as-written, brand/generic, compound and prescription origin codes), the prescriber where known, and
 * the pharmacy that dispensed it — an Organization, so pharmacies get an NPI as clinics did.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pharmacies', (table) => {
    table.string('npi', 10).nullable()
    // True for the demo plan's made-up NPIs (they pass the check digit but name no one): the API labels them.
    table.boolean('npi_is_demo').notNullable().defaultTo(false)
    // The entry's last change: the API's meta.lastUpdated for the pharmacy's Organization.
    table.timestamp('updated_at').notNullable().defaultTo(knex.fn.now())
  })
  await knex.schema.createTable('claim_fills', (table) => {
    table.increments('id')
    // A pharmacy claim pays for one fill.
    table.integer('claim_id').unsigned().notNullable().unique().references('claims.id').onDelete('CASCADE')
    // The package NDC in its 11-digit 5-4-2 form with hyphens ("00093-5057-98"), as the plan's claims carry it.
    table.string('ndc', 13).notNullable()
    table.string('drug_description', 200).notNullable()
    // What was dispensed, in the NCPDP unit of measure (EA each, ML millilitres, GM grams).
    table.decimal('quantity', 10, 3).unsigned().notNullable()
    table.enum('quantity_unit', ['EA', 'ML', 'GM']).notNullable()
    table.integer('days_supply').unsigned().notNullable()
    // NCPDP codes: dispense as written (0–9), brand/generic (1 brand, 2 generic), compound (0–2), and how the
    // prescription reached the pharmacy (1 written, 2 telephone, 3 electronic, 4 facsimile, 5 pharmacy).
    table.string('daw_code', 1).notNullable()
    table.string('brand_generic_code', 1).nullable()
    table.string('compound_code', 1).notNullable()
    table.string('rx_origin_code', 1).nullable()
    // 0 for the first fill.
    table.integer('refill_number').unsigned().notNullable()
    table.integer('refills_authorized').unsigned().notNullable()
    // The prescriber, where the plan's directory has them.
    table.integer('prescriber_provider_id').unsigned().nullable().references('providers.id')
    table.integer('pharmacy_id').unsigned().notNullable().references('pharmacies.id')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('claim_fills')
  await knex.schema.alterTable('pharmacies', (table) => {
    table.dropColumn('updated_at')
    table.dropColumn('npi_is_demo')
    table.dropColumn('npi')
  })
}

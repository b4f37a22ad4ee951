import type { Knex } from 'knex'

/**
 * What CARIN Blue Button's professional claim (C4BB-ExplanationOfBenefit-Professional-NonClinician 2.0.0) needs
 * from a claim: its kind, who billed it and who gave the care, where (a CMS place-of-service code), when the plan
 * received and paid it, how it was paid and whether the provider was in network; its diagnoses (ICD-10-CM) and its
 * service lines (a CPT or HCPCS code each, with that line's share of the amounts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('claims', (table) => {
    // Professional (CMS-1500), pharmacy (NCPDP) or institutional (UB-04): each has its own CARIN BB profile.
    table.enum('claim_type', ['professional', 'pharmacy', 'institutional']).notNullable().defaultTo('professional')
    table.integer('billing_clinic_id').unsigned().nullable().references('clinics.id')
    table.integer('rendering_provider_id').unsigned().nullable().references('providers.id')
    // CMS place-of-service code: 11 office, 20 urgent care, 22 outpatient hospital, 23 emergency room …
    table.string('place_of_service', 2).nullable()
    table.date('received_on').nullable()
    // Null while the claim is pending.
    table.date('paid_on').nullable()
    table.enum('payment_status', ['paid', 'partially-paid', 'denied']).nullable()
    table.enum('network_status', ['in-network', 'out-of-network']).notNullable().defaultTo('in-network')
  })
  await knex.schema.createTable('claim_diagnoses', (table) => {
    table.increments('id')
    table.integer('claim_id').unsigned().notNullable().references('claims.id').onDelete('CASCADE')
    table.integer('sequence').unsigned().notNullable()
    table.string('icd10_code', 8).notNullable()
    table.string('display', 200).notNullable()
    table.enum('kind', ['principal', 'secondary']).notNullable()
    table.unique(['claim_id', 'sequence'])
  })
  await knex.schema.createTable('claim_lines', (table) => {
    table.increments('id')
    table.integer('claim_id').unsigned().notNullable().references('claims.id').onDelete('CASCADE')
    table.integer('sequence').unsigned().notNullable()
    table.string('procedure_code', 5).notNullable()
    table.enum('code_system', ['cpt', 'hcpcs']).notNullable()
    table.string('modifier', 2).nullable()
    table.string('description', 160).notNullable()
    table.integer('units').unsigned().notNullable().defaultTo(1)
    table.integer('billed_cents').unsigned().notNullable()
    // Null while the claim is pending, as on the claim.
    table.integer('allowed_cents').unsigned().nullable()
    table.integer('plan_paid_cents').unsigned().nullable()
    table.integer('deductible_cents').unsigned().nullable()
    table.integer('copay_cents').unsigned().nullable()
    table.integer('coinsurance_cents').unsigned().nullable()
    table.integer('member_owes_cents').unsigned().nullable()
    table.unique(['claim_id', 'sequence'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('claim_lines')
  await knex.schema.dropTableIfExists('claim_diagnoses')
  await knex.schema.alterTable('claims', (table) => {
    table.dropForeign(['billing_clinic_id'])
    table.dropForeign(['rendering_provider_id'])
  })
  await knex.schema.alterTable('claims', (table) => {
    for (const column of [
      'claim_type',
      'billing_clinic_id',
      'rendering_provider_id',
      'place_of_service',
      'received_on',
      'paid_on',
      'payment_status',
      'network_status',
    ])
      table.dropColumn(column)
  })
}

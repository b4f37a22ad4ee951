import type { Knex } from 'knex'

/**
 * What CARIN Blue Button's inpatient institutional claim (C4BB-ExplanationOfBenefit-Inpatient-Institutional 2.0.0)
 * needs from a hospital stay: the UB-04's type of bill, the admission and discharge days, NUBC's point of origin,
 * admission type and discharge status, and the MS-DRG; and for each line its NUBC revenue code, which an
 * institutional line has where a professional one has a CPT code (so that code becomes optional).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('claim_stays', (table) => {
    table.increments('id')
    table.integer('claim_id').unsigned().notNullable().unique().references('claims.id').onDelete('CASCADE')
    // NUBC type of bill, with its leading zero ("0111": hospital inpatient, admit through discharge claim).
    table.string('type_of_bill', 4).notNullable()
    table.date('admitted_on').notNullable()
    table.date('discharged_on').notNullable()
    // NUBC codes: point of origin ("1" non-health care facility), priority of admission ("1" emergency) and
    // patient discharge status ("01" discharged to home or self care).
    table.string('point_of_origin', 1).notNullable()
    table.string('admission_type', 1).notNullable()
    table.string('discharge_status', 2).notNullable()
    // The MS-DRG the stay was paid under, where the plan pays by DRG.
    table.string('drg', 3).nullable()
  })
  await knex.schema.alterTable('claim_lines', (table) => {
    table.string('revenue_code', 4).nullable()
    table.string('procedure_code', 5).nullable().alter()
    table.enum('code_system', ['cpt', 'hcpcs']).nullable().alter()
  })
}

export async function down(knex: Knex): Promise<void> {
  // Institutional lines without a CPT or HCPCS code cannot stay in the professional table.
  await knex('claim_lines').whereNull('procedure_code').delete()
  await knex.schema.alterTable('claim_lines', (table) => {
    table.enum('code_system', ['cpt', 'hcpcs']).notNullable().alter()
    table.string('procedure_code', 5).notNullable().alter()
    table.dropColumn('revenue_code')
  })
  await knex.schema.dropTableIfExists('claim_stays')
}

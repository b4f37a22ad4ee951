import type { Knex } from 'knex'

/**
 * Lab results released the way the information-blocking rule allows (see src/labs/release.ts): no more blanket
 * holds by category. Each result records when it was final, whether it is a sensitive kind (pathology, genetics,
 * imaging) and its kind under state law, its review and note, any clinician's hold, an early view the member
 * chose, when it was released and when its new-result email went.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('lab_results', (table) => {
    table.timestamp('final_at').nullable()
    // Pathology, genetics and imaging reports: what "wait for my doctor's review of sensitive results" covers.
    table.boolean('sensitive').notNullable().defaultTo(false)
    // The kind of test in the plan's state-law table (config/state-law/), when state law has one for it.
    table.string('state_law_kind', 30).nullable()
    table.timestamp('reviewed_at').nullable()
    table.integer('reviewed_by_user_id').unsigned().nullable().references('users.id')
    // The doctor's note to the member, shown with the released result.
    table.string('review_note', 500).nullable()
    // For a result under a state-law hold: the clinician recorded having talked with the member about it.
    table.timestamp('discussed_at').nullable()
    // The member (or their parent) chose to see it before the review they had asked to wait for.
    table.timestamp('shown_early_at').nullable()
    table.integer('shown_early_by_user_id').unsigned().nullable().references('users.id')
    // Set once, by the release sweep, an office review or an early view: each release makes one notice.
    table.timestamp('released_at').nullable()
    // When the new-result email covering this result was sent (or that none was due).
    table.timestamp('notice_at').nullable()
    table.index(['released_at', 'final_at'])
  })
  await knex('lab_results').update({ final_at: knex.ref('resulted_at') })
  await knex('lab_results').where('release_category', 'sensitive').update({ sensitive: true })
  // The old never-online category becomes a state-law kind only where the test is one the law names.
  await knex('lab_results')
    .where('release_category', 'never-online')
    .andWhere('test_name', 'like', '%HIV%')
    .update({ state_law_kind: 'hiv-antibody' })
  // Results already shown under the old rule stay shown and are not announced again.
  await knex('lab_results')
    .whereIn('release_category', ['routine', 'standard', 'sensitive'])
    .update({ released_at: knex.ref('resulted_at'), notice_at: knex.ref('resulted_at') })
  await knex.schema.alterTable('lab_results', (table) => {
    table.dropColumn('release_category')
  })
  await knex.raw('ALTER TABLE lab_results MODIFY final_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP')

  await knex.schema.alterTable('members', (table) => {
    // The member's own choice (45 CFR 171.202(e)); null until they choose, which counts as "at once".
    table.enum('lab_release_choice', ['at-once', 'sensitive-after-review', 'all-after-review']).nullable()
  })
  await knex.schema.alterTable('users', (table) => {
    // Members choose whether a released result is emailed to them (on by default).
    table.boolean('new_result_emails').notNullable().defaultTo(true)
  })

  await knex.schema.createTable('lab_result_holds', (table) => {
    table.increments('id')
    table.integer('lab_result_id').unsigned().notNullable().references('lab_results.id')
    // A clinician's hold on one result for one member (45 CFR 171.201(c)(1)); the only kind stored.
    table.enum('kind', ['clinician']).notNullable()
    // Shown to the department's staff only: never to the member, never in an email or the audit detail.
    table.string('reason', 500).notNullable()
    table.integer('set_by_user_id').unsigned().notNullable().references('users.id')
    table.timestamp('set_at').notNullable()
    // At most 14 days after it was set: the result appears then even if nobody acts.
    table.timestamp('ends_at').notNullable()
    // Set when the office reviews the result before the end.
    table.timestamp('lifted_at').nullable()
    table.index(['lab_result_id', 'ends_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('lab_result_holds')
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('new_result_emails')
  })
  await knex.schema.alterTable('members', (table) => {
    table.dropColumn('lab_release_choice')
  })
  await knex.schema.alterTable('lab_results', (table) => {
    table
      .enum('release_category', ['routine', 'standard', 'sensitive', 'never-online'])
      .notNullable()
      .defaultTo('routine')
  })
  await knex('lab_results').where({ sensitive: true }).update({ release_category: 'sensitive' })
  await knex('lab_results').whereNotNull('state_law_kind').update({ release_category: 'never-online' })
  await knex.schema.alterTable('lab_results', (table) => {
    table.dropIndex(['released_at', 'final_at'])
    table.dropForeign(['reviewed_by_user_id'])
    table.dropForeign(['shown_early_by_user_id'])
  })
  await knex.schema.alterTable('lab_results', (table) => {
    for (const column of [
      'final_at',
      'sensitive',
      'state_law_kind',
      'reviewed_at',
      'reviewed_by_user_id',
      'review_note',
      'discussed_at',
      'shown_early_at',
      'shown_early_by_user_id',
      'released_at',
      'notice_at',
    ])
      table.dropColumn(column)
  })
}

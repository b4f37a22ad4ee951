import type { Knex } from 'knex'

/**
 * Proxy access: who is a child's parent or guardian (from the plan's enrolment records), the access an adult
 * grants another member from their own account, and who booked an appointment when it was not the member.
 */
export async function up(knex: Knex): Promise<void> {
  // Whether the child is under 12 or a teen is worked out from the birth date on every request, never stored.
  await knex.schema.createTable('guardianships', (table) => {
    table.increments('id')
    table.integer('guardian_member_id').unsigned().notNullable().references('members.id')
    table.integer('child_member_id').unsigned().notNullable().references('members.id')
    table.enum('relationship', ['parent', 'guardian']).notNullable()
    table.timestamp('created_at').notNullable()
    table.unique(['guardian_member_id', 'child_member_id'])
    table.index(['child_member_id'])
  })

  await knex.schema.createTable('proxy_grants', (table) => {
    table.increments('id')
    table.integer('grantor_member_id').unsigned().notNullable().references('members.id')
    table.integer('grantee_member_id').unsigned().notNullable().references('members.id')
    // The last day the access works, in the plan's time zone; none means until revoked.
    table.date('ends_on').nullable()
    table.timestamp('created_at').notNullable()
    table.timestamp('updated_at').notNullable()
    table.timestamp('revoked_at').nullable()
    table.index(['grantee_member_id', 'revoked_at'])
    table.index(['grantor_member_id', 'revoked_at'])
  })
  // One live grant per pair (a change updates it): the pair while not revoked, NULL once revoked, made unique.
  await knex.raw(
    "ALTER TABLE proxy_grants ADD COLUMN live_pair VARCHAR(24) AS (IF(revoked_at IS NULL, CONCAT(grantor_member_id, '-', grantee_member_id), NULL)) PERSISTENT, ADD UNIQUE KEY proxy_grants_live_pair_unique (live_pair)",
  )

  await knex.schema.createTable('proxy_grant_tools', (table) => {
    table.integer('grant_id').unsigned().notNullable().references('proxy_grants.id').onDelete('CASCADE')
    table.string('tool', 30).notNullable()
    table.primary(['grant_id', 'tool'])
  })

  await knex.schema.alterTable('appointments', (table) => {
    // Who booked it, when a parent or another proxy did it for the member; null for bookings made before this.
    table.integer('booked_by_user_id').unsigned().nullable().references('users.id')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('appointments', (table) => {
    table.dropForeign(['booked_by_user_id'])
    table.dropColumn('booked_by_user_id')
  })
  for (const table of ['proxy_grant_tools', 'proxy_grants', 'guardianships']) {
    await knex.schema.dropTableIfExists(table)
  }
}

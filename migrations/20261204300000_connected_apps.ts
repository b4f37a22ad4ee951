import type { Knex } from 'knex'

/**
 * The mobile app's side: the authorization server's signing keys (shared by every web process), the apps a
 * member has let read their records (what "Apps with access" lists and revokes), and which app made a read in
 * the audit trail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth_signing_keys', (table) => {
    table.string('kid', 64).primary()
    // A private JWK. Every web process signs ID tokens with the same key, so any of them can serve any step.
    table.text('private_jwk').notNullable()
    table.timestamp('created_at', { precision: 3 }).notNullable()
  })

  await knex.schema.createTable('app_access', (table) => {
    table.increments('id')
    // oidc-provider's grant id: every code, access and refresh token of this consent carries it.
    table.string('grant_id', 64).notNullable().unique()
    table.integer('user_id').unsigned().notNullable().references('users.id')
    // The patient the app reads: the member themselves, or someone they act for.
    table.integer('member_id').unsigned().notNullable().references('members.id')
    table.string('client_id', 100).notNullable()
    table.string('scope', 1000).notNullable()
    table.timestamp('granted_at', { precision: 3 }).notNullable()
    table.timestamp('revoked_at', { precision: 3 }).nullable()
    table.index(['user_id', 'revoked_at'])
  })

  await knex.schema.alterTable('audit_log', (table) => {
    // Set when a record was read through the API by an app (its client id), unset for the portal's own pages.
    table.string('app_client_id', 100).nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (table) => {
    table.dropColumn('app_client_id')
  })
  await knex.schema.dropTableIfExists('app_access')
  await knex.schema.dropTableIfExists('oauth_signing_keys')
}

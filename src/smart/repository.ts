import type { Knex } from 'knex'
import type { Db } from '../platform/db'

export interface AppAccessRecord {
  id: number
  grantId: string
  userId: number
  memberId: number
  clientId: string
  scope: string
  grantedAt: Date
  revokedAt: Date | null
}

function toAccess(row: Record<string, unknown>): AppAccessRecord {
  return {
    id: Number(row.id),
    grantId: row.grant_id as string,
    userId: Number(row.user_id),
    memberId: Number(row.member_id),
    clientId: row.client_id as string,
    scope: row.scope as string,
    grantedAt: row.granted_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  }
}

/** The apps members let read their records, and the authorization server's signing keys. */
export class SmartRepository {
  constructor(private readonly db: Db) {}

  async signingKeys(trx: Knex.Transaction | Db = this.db): Promise<{ kid: string; privateJwk: string }[]> {
    const rows = await trx('oauth_signing_keys').orderBy('created_at', 'desc').select('kid', 'private_jwk')
    return rows.map((row) => ({ kid: row.kid, privateJwk: row.private_jwk }))
  }

  /** Two processes starting together may both make a key: the first one stored wins, the other is ignored. */
  async addSigningKey(key: { kid: string; privateJwk: string; at: Date }, trx: Knex.Transaction | Db = this.db) {
    await trx('oauth_signing_keys')
      .insert({ kid: key.kid, private_jwk: key.privateJwk, created_at: key.at })
      .onConflict('kid')
      .ignore()
  }

  async recordAccess(
    access: Omit<AppAccessRecord, 'id' | 'revokedAt'>,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('app_access')
      .insert({
        grant_id: access.grantId,
        user_id: access.userId,
        member_id: access.memberId,
        client_id: access.clientId,
        scope: access.scope,
        granted_at: access.grantedAt,
      })
      .onConflict('grant_id')
      .merge(['member_id', 'scope', 'granted_at'])
  }

  async findByGrant(grantId: string, trx: Knex.Transaction | Db = this.db): Promise<AppAccessRecord | undefined> {
    const row = await trx('app_access').where({ grant_id: grantId }).first()
    return row ? toAccess(row) : undefined
  }

  async activeForUser(userId: number, trx: Knex.Transaction | Db = this.db): Promise<AppAccessRecord[]> {
    const rows = await trx('app_access')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .orderBy('granted_at', 'desc')
      .orderBy('id', 'desc')
    return rows.map(toAccess)
  }

  async findActiveForUser(
    userId: number,
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<AppAccessRecord | undefined> {
    const row = await trx('app_access').where({ user_id: userId, id }).whereNull('revoked_at').first()
    return row ? toAccess(row) : undefined
  }

  async markRevoked(grantId: string, at: Date, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('app_access').where({ grant_id: grantId }).whereNull('revoked_at').update({ revoked_at: at })
  }
}

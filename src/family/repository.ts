import type { Knex } from 'knex'
import type { Db } from '../platform/db'

type Query = Knex.Transaction | Db

export interface ChildRow {
  memberId: number
  firstName: string
  lastName: string
  birthDate: string
  relationship: 'parent' | 'guardian'
}

export interface GrantRow {
  id: number
  grantorMemberId: number
  granteeMemberId: number
  /** The other member's name and birth date: the grantor's for a grant received, the grantee's for one given. */
  firstName: string
  lastName: string
  birthDate: string
  endsOn: string | null
  createdAt: Date
  revokedAt: Date | null
  tools: string[]
}

export interface AccessHistoryRow {
  at: Date
  action: string
  actorUserId: number | null
  actorName: string | null
  actorMemberId: number | null
  actorRole: string | null
}

const grantColumns = [
  'g.id',
  'g.grantor_member_id',
  'g.grantee_member_id',
  'g.ends_on',
  'g.created_at',
  'g.revoked_at',
  'm.first_name',
  'm.last_name',
  'm.birth_date',
]

function toGrant(row: Record<string, unknown>, tools: Map<number, string[]>): GrantRow {
  const id = Number(row.id)
  return {
    id,
    grantorMemberId: Number(row.grantor_member_id),
    granteeMemberId: Number(row.grantee_member_id),
    firstName: String(row.first_name),
    lastName: String(row.last_name),
    birthDate: String(row.birth_date),
    endsOn: row.ends_on === null ? null : String(row.ends_on),
    createdAt: row.created_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
    tools: tools.get(id) ?? [],
  }
}

/** Guardianships, grants and the access history: all of the family feature's SQL. */
export class FamilyRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work)
  }

  /** Parents and guardians of a member, for the member's own list of who can see their records. */
  async guardiansOf(childMemberId: number): Promise<ChildRow[]> {
    const rows = await this.db('guardianships as g')
      .join('members as m', 'm.id', 'g.guardian_member_id')
      .where('g.child_member_id', childMemberId)
      .orderBy('m.first_name')
      .select('m.id', 'm.first_name', 'm.last_name', 'm.birth_date', 'g.relationship')
    return rows.map((row) => ({
      memberId: Number(row.id),
      firstName: row.first_name,
      lastName: row.last_name,
      birthDate: String(row.birth_date),
      relationship: row.relationship,
    }))
  }

  private async toolsOf(grantIds: number[], trx: Query): Promise<Map<number, string[]>> {
    const tools = new Map<number, string[]>()
    if (grantIds.length === 0) return tools
    const rows = await trx('proxy_grant_tools').whereIn('grant_id', grantIds).select('grant_id', 'tool')
    for (const row of rows) {
      const id = Number(row.grant_id)
      tools.set(id, [...(tools.get(id) ?? []), String(row.tool)])
    }
    return tools
  }

  /** Grants the member has given, live ones first, with the grantee's name. */
  async grantsGiven(grantorMemberId: number, limit = 50): Promise<GrantRow[]> {
    const rows = await this.db('proxy_grants as g')
      .join('members as m', 'm.id', 'g.grantee_member_id')
      .where('g.grantor_member_id', grantorMemberId)
      .orderByRaw('g.revoked_at IS NULL DESC')
      .orderBy('g.updated_at', 'desc')
      .orderBy('g.id', 'desc')
      .limit(limit)
      .select(grantColumns)
    const tools = await this.toolsOf(
      rows.map((row) => Number(row.id)),
      this.db,
    )
    return rows.map((row) => toGrant(row, tools))
  }

  async findGrant(id: number, trx: Query = this.db): Promise<GrantRow | undefined> {
    const row = await trx('proxy_grants as g')
      .join('members as m', 'm.id', 'g.grantee_member_id')
      .where('g.id', id)
      .first(grantColumns)
    if (!row) return undefined
    return toGrant(row, await this.toolsOf([id], trx))
  }

  /**
   * Gives access, or changes the live grant between the two members: one live grant per pair, locked while it
   * changes so two forms sent at once leave one grant.
   */
  async saveGrant(
    grant: { grantorMemberId: number; granteeMemberId: number; tools: string[]; endsOn: string | null; now: Date },
    trx: Knex.Transaction,
  ): Promise<{ id: number; created: boolean }> {
    const live = await trx('proxy_grants')
      .where({ grantor_member_id: grant.grantorMemberId, grantee_member_id: grant.granteeMemberId })
      .whereNull('revoked_at')
      .forUpdate()
      .first('id')
    let id: number
    if (live) {
      id = Number(live.id)
      await trx('proxy_grants').where({ id }).update({ ends_on: grant.endsOn, updated_at: grant.now })
      await trx('proxy_grant_tools').where({ grant_id: id }).delete()
    } else {
      const [inserted] = await trx('proxy_grants').insert({
        grantor_member_id: grant.grantorMemberId,
        grantee_member_id: grant.granteeMemberId,
        ends_on: grant.endsOn,
        created_at: grant.now,
        updated_at: grant.now,
      })
      id = Number(inserted)
    }
    await trx('proxy_grant_tools').insert(grant.tools.map((tool) => ({ grant_id: id, tool })))
    return { id, created: !live }
  }

  /** Revokes one of the grantor's live grants; false when there is no such grant (someone else's, or revoked). */
  async revokeGrant(grantorMemberId: number, id: number, now: Date, trx: Query = this.db): Promise<boolean> {
    const changed = await trx('proxy_grants')
      .where({ id, grantor_member_id: grantorMemberId })
      .whereNull('revoked_at')
      .update({ revoked_at: now, updated_at: now })
    return changed > 0
  }

  /** What the worker needs to tell the grantee: their account's address, the grantor's name, whether still live. */
  async grantNotice(id: number) {
    return this.db('proxy_grants as g')
      .join('members as grantor', 'grantor.id', 'g.grantor_member_id')
      .join('users as u', 'u.member_id', 'g.grantee_member_id')
      .join('members as grantee', 'grantee.id', 'g.grantee_member_id')
      .where('g.id', id)
      .first<
        | {
            user_id: number
            email: string | null
            first_name: string
            last_name: string
            revoked_at: Date | null
            language: string
          }
        | undefined
      >(
        'u.id as user_id',
        'u.email',
        'grantor.first_name',
        'grantor.last_name',
        'g.revoked_at',
        'grantee.preferred_language as language',
      )
  }

  /** The member with an account, as the grant form names them. */
  async accountOf(memberId: number): Promise<{ userId: number } | undefined> {
    const row = await this.db('users').where({ member_id: memberId, role: 'member' }).first('id')
    return row ? { userId: Number(row.id) } : undefined
  }

  async birthDateOf(memberId: number): Promise<string | undefined> {
    const row = await this.db('members').where({ id: memberId }).first('birth_date')
    return row ? String(row.birth_date) : undefined
  }

  async countAccessHistory(memberId: number): Promise<number> {
    const [row] = await this.db('audit_log').where('subject_member_id', memberId).count<{ n: number }[]>({ n: '*' })
    return Number(row?.n ?? 0)
  }

  /** Who did what with the member's records, newest first (on the audit log's member-and-time index). */
  async accessHistory(memberId: number, offset: number, limit: number): Promise<AccessHistoryRow[]> {
    const rows = await this.db('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_user_id')
      .where('a.subject_member_id', memberId)
      .orderBy('a.at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .offset(offset)
      .select('a.at', 'a.action', 'a.actor_user_id', 'u.display_name', 'u.member_id', 'u.role')
    return rows.map((row) => ({
      at: row.at,
      action: row.action,
      actorUserId: row.actor_user_id === null ? null : Number(row.actor_user_id),
      actorName: row.display_name ?? null,
      actorMemberId: row.member_id === null ? null : Number(row.member_id),
      actorRole: row.role ?? null,
    }))
  }
}

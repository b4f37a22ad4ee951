import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { SessionUser } from '../platform/session'

export interface UserRecord {
  id: number
  user_id: string
  user_id_key: string
  password_hash: string
  role: SessionUser['role']
  display_name: string
  member_id: number | null
  email: string | null
}

export type SignOnOutcome = 'signed-on' | 'failed' | 'refused-locked' | 'signed-out' | 'timed-out'

/** User IDs are unique whatever their case; lookups go through this key. */
export function userIdKey(userId: string): string {
  return userId.trim().toLowerCase()
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async findByUserId(userId: string, trx: Knex.Transaction | Db = this.db): Promise<UserRecord | undefined> {
    return trx<UserRecord>('users')
      .where({ user_id_key: userIdKey(userId) })
      .first()
  }

  async findById(id: number, trx: Knex.Transaction | Db = this.db): Promise<UserRecord | undefined> {
    return trx<UserRecord>('users').where({ id }).first()
  }

  async create(
    user: {
      userId: string
      passwordHash: string
      role: SessionUser['role']
      displayName: string
      memberId?: number
      email?: string
    },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<number> {
    const [id] = await trx('users').insert({
      user_id: user.userId,
      user_id_key: userIdKey(user.userId),
      password_hash: user.passwordHash,
      role: user.role,
      display_name: user.displayName,
      member_id: user.memberId ?? null,
      email: user.email ?? null,
    })
    return Number(id)
  }

  async recordSignOnEvent(
    event: { userId: number; at: Date; outcome: SignOnOutcome; ip?: string; userAgent?: string },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('sign_on_events').insert({
      user_id: event.userId,
      at: event.at,
      outcome: event.outcome,
      ip: event.ip?.slice(0, 45) ?? null,
      user_agent: event.userAgent?.slice(0, 255) ?? null,
    })
  }

  async recentSignOnEvents(userId: number, limit = 20, trx: Knex.Transaction | Db = this.db) {
    return trx('sign_on_events')
      .where({ user_id: userId })
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .select<{ at: Date; outcome: SignOnOutcome; ip: string | null; user_agent: string | null }[]>(
        'at',
        'outcome',
        'ip',
        'user_agent',
      )
  }
}

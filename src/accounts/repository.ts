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

export interface NewMemberAccount {
  userId: string
  passwordHash: string
  displayName: string
  memberId: number
  email: string
  emailVerifiedAt: Date | null
  termsVersion: string
  termsAcceptedAt: Date
  at: Date
  credentialsPending?: boolean
}

export type SignOnOutcome =
  'signed-on' | 'failed' | 'failed-second-step' | 'refused-locked' | 'signed-out' | 'timed-out'

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

  async hasAccount(memberId: number): Promise<boolean> {
    return Boolean(await this.db('users').where({ member_id: memberId }).first('id'))
  }

  async create(
    user: {
      userId: string
      passwordHash: string
      role: SessionUser['role']
      displayName: string
      memberId?: number
      email?: string
      /** Office staff: the department whose messages they answer. */
      departmentId?: number
      at: Date
    },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<number> {
    const [id] = await trx('users').insert({
      created_at: user.at,
      user_id: user.userId,
      user_id_key: userIdKey(user.userId),
      password_hash: user.passwordHash,
      role: user.role,
      display_name: user.displayName,
      member_id: user.memberId ?? null,
      email: user.email ?? null,
      department_id: user.departmentId ?? null,
    })
    return Number(id)
  }

  async insertMemberAccount(account: NewMemberAccount, trx: Knex.Transaction): Promise<number> {
    const [id] = await trx('users').insert({
      user_id: account.userId,
      user_id_key: userIdKey(account.userId),
      password_hash: account.passwordHash,
      role: 'member',
      display_name: account.displayName,
      member_id: account.memberId,
      email: account.email,
      email_verified_at: account.emailVerifiedAt,
      terms_version: account.termsVersion,
      terms_accepted_at: account.termsAcceptedAt,
      password_changed_at: account.credentialsPending ? null : account.at,
      credentials_pending: account.credentialsPending ?? false,
      created_at: account.at,
    })
    return Number(id)
  }

  async setCredentialsPending(userId: number, pending: boolean, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('users').where({ id: userId }).update({ credentials_pending: pending })
  }

  async updatePassword(
    userId: number,
    passwordHash: string,
    at: Date,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('users').where({ id: userId }).update({ password_hash: passwordHash, password_changed_at: at })
  }

  async replaceSecretAnswers(
    userId: number,
    answers: { questionKey: string; answerHash: string }[],
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('secret_answers').where({ user_id: userId }).delete()
    await trx('secret_answers').insert(
      answers.map((answer, index) => ({
        user_id: userId,
        position: index + 1,
        question_key: answer.questionKey,
        answer_hash: answer.answerHash,
      })),
    )
  }

  async secretAnswers(userId: number, trx: Knex.Transaction | Db = this.db) {
    return trx('secret_answers')
      .where({ user_id: userId })
      .orderBy('position')
      .select<{ question_key: string; answer_hash: string }[]>('question_key', 'answer_hash')
  }

  async updateEmail(userId: number, email: string, verifiedAt: Date | null, trx: Knex.Transaction | Db = this.db) {
    await trx('users').where({ id: userId }).update({ email, email_verified_at: verifiedAt })
  }

  async recordSignOnEvent(
    event: { userId: number; at: Date; outcome: SignOnOutcome; ip?: string; userAgent?: string; method?: string },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<void> {
    await trx('sign_on_events').insert({
      user_id: event.userId,
      at: event.at,
      outcome: event.outcome,
      ip: event.ip?.slice(0, 45) ?? null,
      user_agent: event.userAgent?.slice(0, 255) ?? null,
      method: event.method ?? null,
    })
  }

  async recentSignOnEvents(userId: number, limit = 20, trx: Knex.Transaction | Db = this.db) {
    return trx('sign_on_events')
      .where({ user_id: userId })
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .select<
        { at: Date; outcome: SignOnOutcome; ip: string | null; user_agent: string | null; method: string | null }[]
      >('at', 'outcome', 'ip', 'user_agent', 'method')
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import { type Language, languageOf } from '../platform/i18n'
import type { SessionUser } from '../platform/session'
import { storedIp } from '../platform/ip'
import { type UserLookup, type UserRecord, userIdKey } from './users'

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

export class UserRepository implements UserLookup {
  constructor(private readonly db: Db) {}

  /** The language the account's member asked for (staff accounts have none: English). */
  async preferredLanguageOf(userId: number): Promise<Language> {
    const row = await this.db('users as u')
      .join('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<{ preferred_language: string } | undefined>('m.preferred_language')
    return languageOf(row?.preferred_language) ?? 'en'
  }

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
      ip: storedIp(event.ip),
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

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work)
  }

  /** What the member's account page shows of the account and its member. */
  async accountOverview(userId: number, trx: Knex.Transaction | Db = this.db) {
    return trx('users as u').leftJoin('members as m', 'm.id', 'u.member_id').where('u.id', userId).first<{
      user_id: string
      email: string | null
      email_verified_at: Date | null
      password_changed_at: Date | null
      office_reply_emails: number | boolean
      member_id: number | null
      first_name: string | null
      last_name: string | null
    }>('u.user_id', 'u.email', 'u.email_verified_at', 'u.password_changed_at', 'u.office_reply_emails', 'u.member_id', 'm.first_name', 'm.last_name')
  }

  /** The newest address change asked for since `since` and not yet confirmed. */
  async pendingEmailChange(userId: number, since: Date, trx: Knex.Transaction | Db = this.db) {
    const row = await trx('email_verifications')
      .where({ user_id: userId, purpose: 'change' })
      .whereNull('verified_at')
      .where('created_at', '>', since)
      .orderBy('id', 'desc')
      .first<{ email: string } | undefined>('email')
    return row?.email
  }

  async setOfficeReplyEmails(userId: number, on: boolean, trx: Knex.Transaction | Db = this.db): Promise<void> {
    await trx('users').where({ id: userId, role: 'member' }).update({ office_reply_emails: on })
  }

  /** A new address to confirm; its link's token is made when the email is sent. */
  async addEmailChange(
    change: { userId: number; memberId: number; email: string; at: Date },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<number> {
    const [id] = await trx('email_verifications').insert({
      member_id: change.memberId,
      user_id: change.userId,
      email: change.email,
      purpose: 'change',
      created_at: change.at,
    })
    return Number(id)
  }

  /** The verification a link names, locked until the transaction ends so a link works once. */
  async verificationForUpdate(tokenHash: string, trx: Knex.Transaction) {
    return trx('email_verifications').where({ token_hash: tokenHash }).forUpdate().first<
      | {
          id: number
          user_id: number | null
          email: string
          purpose: string
          expires_at: Date | null
          verified_at: Date | null
        }
      | undefined
    >()
  }

  /**
   * Confirms a verification: a change of address takes effect now; a registration address is confirmed only
   * if the account still uses it.
   */
  async confirmVerification(
    verification: { id: number; user_id: number | null; email: string; purpose: string },
    now: Date,
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('email_verifications').where({ id: verification.id }).update({ verified_at: now })
    if (verification.user_id === null) return
    const user = trx('users').where({ id: verification.user_id })
    if (verification.purpose === 'change') await user.update({ email: verification.email, email_verified_at: now })
    else await user.andWhere({ email: verification.email }).update({ email_verified_at: now })
  }

  /** The account of a roster member, if there is one; `withEmail` asks only for one with an address. */
  async accountOfMember(memberId: number, options: { withEmail?: boolean; role?: 'member' } = {}) {
    const query = this.db('users').where({ member_id: memberId })
    if (options.role) query.where({ role: options.role })
    if (options.withEmail) query.whereNotNull('email')
    const row = await query.first<{ id: number } | undefined>('id')
    return row ? Number(row.id) : undefined
  }

  /** A member account with an email address, by its user ID's key. */
  async memberWithEmailByKey(key: string): Promise<number | undefined> {
    const row = await this.db('users')
      .where({ user_id_key: key, role: 'member' })
      .whereNotNull('email')
      .first<{ id: number } | undefined>('id')
    return row ? Number(row.id) : undefined
  }

  async userIdKeyOf(userId: number): Promise<string | undefined> {
    const row = await this.db('users').where({ id: userId }).first<{ user_id_key: string } | undefined>('user_id_key')
    return row?.user_id_key
  }

  /** Who a reset link is for, as its pages name them. */
  async resetAccountContext(userId: number) {
    return this.db('users as u')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<{ user_id: string; first_name: string | null; last_name: string | null }>(
        'u.user_id',
        'm.first_name',
        'm.last_name',
      )
  }

  /** A new reset for the account; its earlier links stop working. */
  async startPasswordReset(userId: number, now: Date, expiresAt: Date, trx: Knex.Transaction): Promise<number> {
    await trx('password_resets').where({ user_id: userId }).whereNull('used_at').update({ used_at: now })
    const [id] = await trx('password_resets').insert({ user_id: userId, created_at: now, expires_at: expiresAt })
    return Number(id)
  }

  /** A reset by its link's token hash or its id (whether it is still live is the service's rule). */
  async findPasswordReset(by: { tokenHash: string } | { id: number }) {
    const query = this.db('password_resets')
    if ('id' in by) query.where({ id: by.id })
    else query.where({ token_hash: by.tokenHash })
    return query.first<
      { id: number; user_id: number; expires_at: Date; used_at: Date | null; failed_answers: number } | undefined
    >()
  }

  async updatePasswordReset(
    id: number,
    changes: { link_opened_at?: Date; answers_passed_at?: Date; failed_answers?: number; used_at?: Date },
  ): Promise<void> {
    await this.db('password_resets').where({ id }).update(changes)
  }

  /** Uses up a reset whose answers passed and which has not expired; false when it was not such a reset. */
  async claimPasswordReset(id: number, now: Date): Promise<boolean> {
    const claimed = await this.db('password_resets')
      .where({ id })
      .whereNull('used_at')
      .whereNotNull('answers_passed_at')
      .where('expires_at', '>', now)
      .update({ used_at: now })
    return claimed === 1
  }
}

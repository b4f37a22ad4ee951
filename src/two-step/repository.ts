import type { Knex } from 'knex'
import type { Db } from '../platform/db'

export type MethodKind = 'app' | 'email' | 'passkey'

export interface MethodRow {
  id: number
  user_id: number
  kind: MethodKind
  label: string
  secret_encrypted: string | null
  last_step: number | string | null
  credential_id: string | null
  public_key: string | null
  sign_count: number | string | null
  transports: string | null
  created_at: Date
  last_used_at: Date | null
}

export interface RememberedBrowserRow {
  id: number
  user_id: number
  token_hash: string
  label: string
  created_at: Date
  last_used_at: Date
  expires_at: Date
  revoked_at: Date | null
}

type Runner = Knex.Transaction | Db

/** Every table of 2-step verification: methods, recovery and emailed codes, remembered browsers. */
export class TwoStepRepository {
  constructor(private readonly db: Db) {}

  methods(userId: number, trx: Runner = this.db): Promise<MethodRow[]> {
    return trx<MethodRow>('two_step_methods').where({ user_id: userId }).orderBy('id')
  }

  method(userId: number, id: number, trx: Runner = this.db): Promise<MethodRow | undefined> {
    return trx<MethodRow>('two_step_methods').where({ user_id: userId, id }).first()
  }

  async addMethod(
    method: {
      userId: number
      kind: MethodKind
      label: string
      at: Date
      secretEncrypted?: string
      lastStep?: number
      credentialId?: string
      publicKey?: string
      signCount?: number
      transports?: string
    },
    trx: Runner = this.db,
  ): Promise<number> {
    const [id] = await trx('two_step_methods').insert({
      user_id: method.userId,
      kind: method.kind,
      label: method.label.slice(0, 100),
      secret_encrypted: method.secretEncrypted ?? null,
      last_step: method.lastStep ?? null,
      credential_id: method.credentialId ?? null,
      public_key: method.publicKey ?? null,
      sign_count: method.signCount ?? null,
      transports: method.transports?.slice(0, 100) ?? null,
      created_at: method.at,
    })
    return Number(id)
  }

  /** Moves the app's last accepted step forward; false when this step (or a later one) was already used. */
  async claimAppStep(methodId: number, step: number, at: Date): Promise<boolean> {
    const changed = await this.db('two_step_methods')
      .where({ id: methodId })
      .andWhere((query) => query.whereNull('last_step').orWhere('last_step', '<', step))
      .update({ last_step: step, last_used_at: at })
    return changed === 1
  }

  async markMethodUsed(methodId: number, at: Date, signCount?: number): Promise<void> {
    await this.db('two_step_methods')
      .where({ id: methodId })
      .update({ last_used_at: at, ...(signCount === undefined ? {} : { sign_count: signCount }) })
  }

  async removeMethod(userId: number, id: number, trx: Runner = this.db): Promise<boolean> {
    return (await trx('two_step_methods').where({ user_id: userId, id }).delete()) === 1
  }

  passkeyByCredentialId(credentialId: string): Promise<MethodRow | undefined> {
    return this.db<MethodRow>('two_step_methods').where({ credential_id: credentialId, kind: 'passkey' }).first()
  }

  async replaceRecoveryCodes(userId: number, hashes: string[], at: Date, trx: Runner = this.db): Promise<void> {
    await trx('recovery_codes').where({ user_id: userId }).delete()
    await trx('recovery_codes').insert(hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: at })))
  }

  recoveryCode(userId: number, hash: string) {
    return this.db('recovery_codes')
      .where({ user_id: userId, code_hash: hash })
      .first<{ id: number; used_at: Date | null } | undefined>('id', 'used_at')
  }

  async useRecoveryCode(id: number, at: Date): Promise<boolean> {
    return (await this.db('recovery_codes').where({ id }).whereNull('used_at').update({ used_at: at })) === 1
  }

  async recoveryCodesLeft(userId: number, trx: Runner = this.db): Promise<{ left: number; issued: number }> {
    const row = await trx('recovery_codes')
      .where({ user_id: userId })
      .first<{ issued: number | string; left: number | string | null }>(
        trx.raw('count(*) as issued'),
        trx.raw('sum(case when used_at is null then 1 else 0 end) as `left`'),
      )
    return { issued: Number(row?.issued ?? 0), left: Number(row?.left ?? 0) }
  }

  async addEmailCode(userId: number, hash: string, at: Date, expiresAt: Date): Promise<void> {
    await this.db.transaction(async (trx) => {
      // Only the newest code works: asking again makes the one before expire now.
      await trx('email_codes')
        .where({ user_id: userId })
        .whereNull('used_at')
        .where('expires_at', '>', at)
        .update({ expires_at: at })
      await trx('email_codes').insert({ user_id: userId, code_hash: hash, created_at: at, expires_at: expiresAt })
    })
  }

  emailCode(userId: number, hash: string) {
    return this.db('email_codes')
      .where({ user_id: userId, code_hash: hash })
      .orderBy('id', 'desc')
      .first<{ id: number; used_at: Date | null; expires_at: Date } | undefined>('id', 'used_at', 'expires_at')
  }

  async useEmailCode(id: number, at: Date): Promise<boolean> {
    return (
      (await this.db('email_codes')
        .where({ id })
        .whereNull('used_at')
        .where('expires_at', '>', at)
        .update({ used_at: at })) === 1
    )
  }

  async addBrowser(
    browser: { userId: number; tokenHash: string; label: string; at: Date; expiresAt: Date },
    trx: Runner = this.db,
  ): Promise<number> {
    const [id] = await trx('remembered_browsers').insert({
      user_id: browser.userId,
      token_hash: browser.tokenHash,
      label: browser.label.slice(0, 100),
      created_at: browser.at,
      last_used_at: browser.at,
      expires_at: browser.expiresAt,
    })
    return Number(id)
  }

  browser(id: number): Promise<RememberedBrowserRow | undefined> {
    return this.db<RememberedBrowserRow>('remembered_browsers').where({ id }).first()
  }

  async touchBrowser(id: number, at: Date): Promise<void> {
    await this.db('remembered_browsers').where({ id }).update({ last_used_at: at })
  }

  liveBrowsers(userId: number, at: Date): Promise<RememberedBrowserRow[]> {
    return this.db<RememberedBrowserRow>('remembered_browsers')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .where('expires_at', '>', at)
      .orderBy('last_used_at', 'desc')
  }

  async revokeBrowsers(userId: number, at: Date, id?: number, trx: Runner = this.db): Promise<number> {
    const query = trx('remembered_browsers').where({ user_id: userId }).whereNull('revoked_at')
    if (id !== undefined) query.andWhere({ id })
    return query.update({ revoked_at: at })
  }

  /** A mailed temporary password starts 2-step verification over: every method, code and remembered browser goes. */
  async removeEverything(userId: number, at: Date, trx: Runner = this.db): Promise<void> {
    await trx('two_step_methods').where({ user_id: userId }).delete()
    await trx('recovery_codes').where({ user_id: userId }).delete()
    await trx('email_codes').where({ user_id: userId }).whereNull('used_at').update({ used_at: at })
    await this.revokeBrowsers(userId, at, undefined, trx)
  }

  async setPromptedAt(userId: number, at: Date): Promise<void> {
    await this.db('users').where({ id: userId }).update({ two_step_prompted_at: at })
  }

  /** Whether the account has any method, and when it last said "not now": one query, for every home page. */
  async offerState(userId: number): Promise<{ methods: number; promptedAt: Date | null }> {
    const row = await this.db('users as u')
      .leftJoin('two_step_methods as m', 'm.user_id', 'u.id')
      .where('u.id', userId)
      .groupBy('u.id', 'u.two_step_prompted_at')
      .first<{ methods: number | string; prompted_at: Date | null } | undefined>(
        this.db.raw('count(m.id) as methods'),
        'u.two_step_prompted_at as prompted_at',
      )
    return { methods: Number(row?.methods ?? 0), promptedAt: row?.prompted_at ?? null }
  }

  /** The account's address, and its member's preferred language for the emailed code (staff: none, English). */
  contact(userId: number) {
    return this.db('users as u')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('u.id', userId)
      .first<
        { user_id: string; email: string | null; email_verified_at: Date | null; language: string | null } | undefined
      >('u.user_id', 'u.email', 'u.email_verified_at', 'm.preferred_language as language')
  }
}

import type { Knex } from 'knex'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { verifySecret } from '../accounts/passwords'
import type { CredentialService, NewMemberAccount } from '../accounts/credentials'
import { LettersRepository } from './repository'

/**
 * Temporary passwords by mail: requesting a letter (which always goes to the roster's mailing address) and
 * signing on with the password it carries.
 */
export class TemporaryPasswordService {
  constructor(
    private readonly db: Db,
    private readonly repository: LettersRepository,
    private readonly credentials: CredentialService,
    private readonly clock: Clock,
  ) {}

  /**
   * Finishes a registration by mail: the account exists from now (its user ID reserved, no usable password)
   * and a letter request waits for tonight's batch.
   */
  async createAccountForMail(
    account: Omit<NewMemberAccount, 'passwordHash' | 'credentialsPending'>,
    trx: Knex.Transaction,
  ): Promise<number> {
    const userId = await this.credentials.createAccountAwaitingLetter(account, trx)
    await this.repository.addRequest(
      { userId, memberId: account.memberId, reason: 'registration', at: this.clock() },
      trx,
    )
    return userId
  }

  /** A new letter for an existing account; any letter already issued stops working. */
  async requestLetter(userId: number, memberId: number, reason: 'recovery' | 'returned'): Promise<void> {
    await this.db.transaction((trx) => this.repository.addRequest({ userId, memberId, reason, at: this.clock() }, trx))
  }

  /**
   * True when the password is a live temporary password of the account; it is used up at once and the
   * member is emailed that it was used.
   */
  async signOnWithTemporaryPassword(userId: number, typed: string): Promise<boolean> {
    const compact = typed.replace(/\s+/g, '')
    if (compact.length < 10 || compact.length > 40) return false
    for (const candidate of await this.repository.liveTemporaryPasswords(userId, this.clock())) {
      if (!(await verifySecret(candidate.password_hash, compact))) continue
      if (!(await this.repository.useTemporaryPassword(candidate.id, this.clock()))) return false
      await this.db.transaction((trx) => this.credentials.requireNewCredentials(userId, trx))
      return true
    }
    return false
  }
}

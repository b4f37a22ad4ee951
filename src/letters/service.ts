import type { Knex } from 'knex'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { hashSecret, verifySecret } from '../accounts/passwords'
import { addToOutbox } from '../platform/outbox'
import { randomBytes } from 'node:crypto'
import { LettersRepository } from './repository'
import { NewMemberAccount, UserRepository } from '../accounts/repository'

/**
 * Temporary passwords by mail: requesting a letter (which always goes to the roster's mailing address) and
 * signing on with the password it carries.
 */
export class TemporaryPasswordService {
  constructor(
    private readonly db: Db,
    private readonly repository: LettersRepository,
    private readonly users: UserRepository,
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
    const unusable = await hashSecret(randomBytes(32).toString('base64url'))
    const userId = await this.users.insertMemberAccount(
      { ...account, passwordHash: unusable, credentialsPending: true },
      trx,
    )
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
      await this.db.transaction(async (trx) => {
        await this.users.setCredentialsPending(userId, true, trx)
        await addToOutbox(trx, this.clock, {
          queue: 'office-message-notifications',
          jobName: 'security-notice',
          payload: { userId, event: 'temporary-password-used' },
        })
      })
      return true
    }
    return false
  }
}

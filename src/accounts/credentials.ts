import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { addToOutbox } from '../platform/outbox'
import type { SessionRegistry } from '../platform/session'
import type { SecurityEvent } from '../notifications/account-emails'
import { hashSecret, verifySecret } from './passwords'
import type { NewMemberAccount, UserRepository } from './repository'
import { normaliseAnswer, SecretQuestionKey } from './secret-questions'

export interface HashedCredentials {
  passwordHash: string
  answers: { questionKey: string; answerHash: string }[]
}

export type { NewMemberAccount }

export interface SecretAnswerInput {
  questionKey: SecretQuestionKey
  answer: string
}

/**
 * Passwords, secret answers and the consequences of changing them (a notice email, other sessions ended):
 * what registration, recovery and account settings all need, in one place.
 */
export class CredentialService {
  constructor(
    private readonly db: Db,
    private readonly users: UserRepository,
    private readonly sessions: SessionRegistry,
    private readonly clock: Clock,
  ) {}

  async hashAnswers(answers: SecretAnswerInput[]) {
    return Promise.all(
      answers.map(async (answer) => ({
        questionKey: answer.questionKey,
        answerHash: await hashSecret(normaliseAnswer(answer.answer)),
      })),
    )
  }

  /** Hashes a new account's password and secret answers: slow on purpose, so done before any transaction opens. */
  async hashNewCredentials(password: string, answers: SecretAnswerInput[]): Promise<HashedCredentials> {
    const [passwordHash, hashedAnswers] = await Promise.all([hashSecret(password), this.hashAnswers(answers)])
    return { passwordHash, answers: hashedAnswers }
  }

  /** Creates a member's account with its secret answers; the caller's transaction covers the rest of registration. */
  async createMemberAccount(
    account: Omit<NewMemberAccount, 'passwordHash'> & { credentials: HashedCredentials },
    trx: Knex.Transaction,
  ): Promise<number> {
    const id = await this.users.insertMemberAccount({ ...account, passwordHash: account.credentials.passwordHash }, trx)
    await this.users.replaceSecretAnswers(id, account.credentials.answers, trx)
    return id
  }

  /**
   * A member's account that waits for a mailed temporary password: its user ID reserved, a random password
   * nobody knows, and new credentials demanded at first sign-on.
   */
  async createAccountAwaitingLetter(
    account: Omit<NewMemberAccount, 'passwordHash' | 'credentialsPending'>,
    trx: Knex.Transaction,
  ): Promise<number> {
    const unusable = await hashSecret(randomBytes(32).toString('base64url'))
    return this.users.insertMemberAccount({ ...account, passwordHash: unusable, credentialsPending: true }, trx)
  }

  /** User IDs are unique whatever their case. */
  async userIdTaken(userId: string): Promise<boolean> {
    return Boolean(await this.users.findByUserId(userId))
  }

  /** After a mailed temporary password is used: new credentials are demanded and the member is told. */
  async requireNewCredentials(userId: number, trx: Knex.Transaction): Promise<void> {
    await this.users.setCredentialsPending(userId, true, trx)
    await this.notify(userId, 'temporary-password-used', trx)
  }

  async checkPassword(userId: number, password: string): Promise<boolean> {
    const user = await this.users.findById(userId)
    return user ? verifySecret(user.password_hash, password) : false
  }

  /** True when the answer matches the one stored for that question. */
  async checkSecretAnswer(userId: number, questionKey: string, answer: string): Promise<boolean> {
    const stored = (await this.users.secretAnswers(userId)).find((row) => row.question_key === questionKey)
    return stored ? verifySecret(stored.answer_hash, normaliseAnswer(answer)) : false
  }

  async secretQuestionKeys(userId: number): Promise<string[]> {
    return (await this.users.secretAnswers(userId)).map((row) => row.question_key)
  }

  /** Sets a new password, ends every other session and tells the member by email. */
  async changePassword(userId: number, password: string, event: SecurityEvent, keepSession?: string): Promise<void> {
    const passwordHash = await hashSecret(password)
    await this.db.transaction(async (trx) => {
      await this.users.updatePassword(userId, passwordHash, this.clock(), trx)
      await this.notify(userId, event, trx)
    })
    await this.sessions.endOthers(userId, keepSession)
  }

  /** First sign-on after a mailed temporary password: both a password and secret answers, together. */
  async completeFirstSignOn(
    userId: number,
    password: string,
    answers: SecretAnswerInput[],
    keepSession?: string,
  ): Promise<void> {
    const [passwordHash, hashed] = await Promise.all([hashSecret(password), this.hashAnswers(answers)])
    await this.db.transaction(async (trx) => {
      await this.users.updatePassword(userId, passwordHash, this.clock(), trx)
      await this.users.replaceSecretAnswers(userId, hashed, trx)
      await this.users.setCredentialsPending(userId, false, trx)
    })
    await this.sessions.endOthers(userId, keepSession)
  }

  async changeSecretAnswers(userId: number, answers: SecretAnswerInput[], keepSession?: string): Promise<void> {
    const hashed = await this.hashAnswers(answers)
    await this.db.transaction(async (trx) => {
      await this.users.replaceSecretAnswers(userId, hashed, trx)
      await this.notify(userId, 'secret-questions-changed', trx)
    })
    await this.sessions.endOthers(userId, keepSession)
  }

  async notify(userId: number, event: SecurityEvent, trx: Knex.Transaction): Promise<void> {
    await addToOutbox(trx, this.clock, {
      queue: 'office-message-notifications',
      jobName: 'security-notice',
      payload: { userId, event },
    })
  }
}

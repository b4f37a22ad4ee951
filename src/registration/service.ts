import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { addToOutbox } from '../platform/outbox'
import type { AuditLog } from '../platform/audit'
import { FailureThrottle } from '../platform/throttle'
import type { CredentialService, SecretAnswerInput } from '../accounts/credentials'
import type { Knex } from 'knex'
import { NewMemberAccount, userIdKey } from '../accounts/repository'
import { identityQuestions, IdentityQuestion } from './identity-questions'
import { RegistrationRepository, RosterMember } from './repository'
import type { TemporaryPasswordService } from '../letters/service'

export const termsVersion = '2026-11'
export const identityAttemptsAllowed = 3

export interface MembershipDetails {
  firstName: string
  lastName: string
  birthDate: string
  mrn: string
}

export type MembershipMatch =
  { outcome: 'matched'; member: RosterMember; hasAccount: boolean } | { outcome: 'no-match' } | { outcome: 'throttled' }

/** Names match whatever their case, accents or surrounding and doubled spaces ("  maría  garcía" = "Maria Garcia"). */
export function sameName(typed: string, onFile: string): boolean {
  const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()
  return fold(typed) === fold(onFile)
}

export interface NewRegistration {
  memberId: number
  userId: string
  email: string
  termsAcceptedAt: Date
  ip: string
}

/** Thrown when the membership got an account while this registration was under way. */
export class AlreadyRegisteredError extends Error {}
/** Thrown when someone else took the user ID while this registration was under way. */
export class UserIdTakenError extends Error {}

export class RegistrationService {
  private readonly ipThrottle: FailureThrottle
  private readonly mrnThrottle: FailureThrottle

  constructor(
    private readonly db: Db,
    private readonly repository: RegistrationRepository,
    private readonly credentials: CredentialService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    throttles: { redis: import('ioredis').Redis; prefix: string },
    private readonly temporaryPasswords: TemporaryPasswordService,
  ) {
    // Guessing memberships: 20 misses an hour from one address, or 5 against one MRN, block for an hour.
    this.ipThrottle = new FailureThrottle(throttles.redis, `${throttles.prefix}:membership-ip`, 20, 3600, 3600)
    this.mrnThrottle = new FailureThrottle(throttles.redis, `${throttles.prefix}:membership-mrn`, 5, 3600, 3600)
  }

  /**
   * Matches typed membership details against the roster. A miss says nothing about which detail was wrong or
   * whether the MRN exists, and counts against both the address and the MRN.
   */
  async matchMembership(details: MembershipDetails, ip: string): Promise<MembershipMatch> {
    const [ipBlocked, mrnBlocked] = await Promise.all([
      this.ipThrottle.isBlocked(ip),
      this.mrnThrottle.isBlocked(details.mrn),
    ])
    if (ipBlocked || mrnBlocked) return { outcome: 'throttled' }
    const member = await this.repository.findByMrn(details.mrn)
    const matches =
      member !== undefined &&
      member.birth_date === details.birthDate &&
      sameName(details.firstName, member.first_name) &&
      sameName(details.lastName, member.last_name)
    if (!matches) {
      await Promise.all([this.ipThrottle.recordFailure(ip), this.mrnThrottle.recordFailure(details.mrn)])
      return { outcome: 'no-match' }
    }
    await this.mrnThrottle.clear(details.mrn)
    return { outcome: 'matched', member, hasAccount: await this.repository.hasAccount(member.id) }
  }

  userIdTaken(userId: string): Promise<boolean> {
    return this.repository.userIdTaken(userIdKey(userId))
  }

  /** Records the email to verify and asks the notification worker to send the link, in one transaction. */
  async requestEmailVerification(memberId: number, email: string): Promise<number> {
    return this.db.transaction(async (trx) => {
      const id = await this.repository.createEmailVerification(
        { memberId, email, purpose: 'registration', at: this.clock() },
        trx,
      )
      await addToOutbox(trx, this.clock, {
        queue: 'office-message-notifications',
        jobName: 'verify-email',
        payload: { verificationId: id },
      })
      return id
    })
  }

  async identityQuestionsFor(memberId: number): Promise<IdentityQuestion[]> {
    const member = await this.rosterMember(memberId)
    return identityQuestions(member, await this.repository.decoyPool(memberId))
  }

  /**
   * Finishes by mail after step 3: the account is made without a usable password and a letter is queued
   * for tonight's batch, to the roster's mailing address and no other.
   */
  finishByMail(registration: NewRegistration): Promise<number> {
    return this.createAccountRecord(registration, 'account.registered-by-mail', (account, trx) =>
      this.temporaryPasswords.createAccountForMail({ ...account, emailVerifiedAt: null }, trx),
    )
  }

  /** The mailing address on file, partly hidden: enough for the member to recognise, not enough to learn. */
  /**
   * The address on file with most letters hidden, as shown ("88 A•••• S•••••") and as read aloud ("88, A then 4
   * hidden letters, S then 5 hidden letters"): a screen reader would otherwise read out every bullet.
   */
  async maskedAddress(
    memberId: number,
  ): Promise<{ line: string; city: string; spokenLine: string; spokenCity: string } | undefined> {
    const member = await this.repository.findById(memberId)
    if (!member) return undefined
    const words = member.address_line1.split(/\s+/).map((word) => {
      if (/^\d+$/.test(word)) return { shown: word, spoken: word }
      const hidden = Math.max(word.length - 1, 2)
      return { shown: word[0] + '•'.repeat(hidden), spoken: `${word[0]} then ${hidden} hidden letters` }
    })
    const zipStart = member.zip.slice(0, 3)
    return {
      line: words.map((word) => word.shown).join(' '),
      city: `${member.city}, ${member.state} ${zipStart}••`,
      spokenLine: words.map((word) => word.spoken).join(', '),
      spokenCity: `${member.city}, ${member.state}, ZIP code starting ${zipStart}`,
    }
  }

  private duplicateError(error: unknown): unknown {
    const message = String((error as { sqlMessage?: string }).sqlMessage ?? '')
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
      if (message.includes('member_id')) return new AlreadyRegisteredError()
      if (message.includes('user_id_key')) return new UserIdTakenError()
    }
    return error
  }

  /** Creates the account at the end of step 4: user, secret answers and the verification link, all or nothing. */
  async createAccount(
    registration: NewRegistration & { verificationId: number; password: string; answers: SecretAnswerInput[] },
  ): Promise<number> {
    const credentials = await this.credentials.hashNewCredentials(registration.password, registration.answers)
    return this.createAccountRecord(registration, 'account.registered', async (account, trx) => {
      const verification = await this.repository.findVerification(registration.verificationId, trx)
      const verified = verification?.email === registration.email ? verification.verified_at : null
      const id = await this.credentials.createMemberAccount({ ...account, emailVerifiedAt: verified, credentials }, trx)
      if (verification) await this.repository.attachVerification(verification.id, id, trx)
      return id
    })
  }

  /**
   * The frame both ways of registering share: the roster member, one transaction with an audit entry, and
   * a race lost to another registration turned into the error the wizard answers.
   */
  private async createAccountRecord(
    registration: NewRegistration,
    action: string,
    insert: (
      account: Omit<NewMemberAccount, 'passwordHash' | 'emailVerifiedAt'>,
      trx: Knex.Transaction,
    ) => Promise<number>,
  ): Promise<number> {
    const member = await this.rosterMember(registration.memberId)
    try {
      return await this.db.transaction(async (trx) => {
        const id = await insert(
          {
            userId: registration.userId,
            displayName: `${member.first_name} ${member.last_name}`,
            memberId: member.id,
            email: registration.email,
            termsVersion,
            termsAcceptedAt: registration.termsAcceptedAt,
            at: this.clock(),
          },
          trx,
        )
        await this.audit.record(
          { actorUserId: id, subjectMemberId: member.id, action, detail: { termsVersion }, ip: registration.ip },
          trx,
        )
        return id
      })
    } catch (error) {
      throw this.duplicateError(error)
    }
  }

  private async rosterMember(memberId: number): Promise<RosterMember> {
    const member = await this.repository.findById(memberId)
    if (!member) throw new Error('The roster member of a registration has gone')
    return member
  }
}

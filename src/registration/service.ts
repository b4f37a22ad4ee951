import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { message, type Language } from '../platform/i18n'
import { addToOutbox } from '../platform/outbox'
import type { AuditLog } from '../platform/audit'
import type { CredentialService, NewMemberAccount, SecretAnswerInput } from '../accounts/credentials'
import type { Knex } from 'knex'
import { DecoyCandidates, decoyCandidates, identityQuestions, IdentityQuestion } from './identity-questions'
import { RegistrationRepository, RosterMember } from './repository'
import type { TemporaryPasswordService } from '../letters/service'

export const termsVersion = '2026-11'
export const identityAttemptsAllowed = 3

export interface NewRegistration {
  memberId: number
  userId: string
  email: string
  termsAcceptedAt: Date
  ip: string
  // The language the member chose at step 3 (the page's language when they did not choose).
  preferredLanguage: Language
}

/** Thrown when the membership got an account while this registration was under way. */
export class AlreadyRegisteredError extends Error {}
/** Thrown when someone else took the user ID while this registration was under way. */
export class UserIdTakenError extends Error {}

export class RegistrationService {
  constructor(
    private readonly db: Db,
    private readonly repository: RegistrationRepository,
    private readonly credentials: CredentialService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly temporaryPasswords: TemporaryPasswordService,
  ) {}

  userIdTaken(userId: string): Promise<boolean> {
    return this.credentials.userIdTaken(userId)
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

  /** Made-up decoys of the same form as the member's answers, minus any that turn out to be someone's data. */
  async identityQuestionsFor(memberId: number): Promise<IdentityQuestion[]> {
    const member = await this.rosterMember(memberId)
    const pool: DecoyCandidates = { addresses: [], phones: [], doctors: [] }
    const enough = () => Object.values(pool).every((decoys) => new Set(decoys).size > 3)
    // A crowded roster can claim a round's candidates: draw again rather than fail the page.
    for (let round = 0; round < 5 && !enough(); round++) {
      const candidates = decoyCandidates(member)
      const onFile = await this.repository.decoysOnFile(candidates)
      const free = (value: string, key = value.toLowerCase()) => !onFile.has(key)
      pool.addresses.push(...candidates.addresses.filter((address) => free(address)))
      pool.phones.push(...candidates.phones.filter((phone) => free(phone, phone.replace(/\D/g, ''))))
      pool.doctors.push(
        ...candidates.doctors.filter(
          (doctor) => free(doctor) && free(doctor, doctor.replace(/^Dr\.?\s+/i, '').toLowerCase()),
        ),
      )
    }
    return identityQuestions(member, pool)
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

  /**
   * The address on file with most letters hidden, as shown ("88 A•••• S•••••") and as read aloud ("88, A then 4
   * hidden letters, S then 5 hidden letters"): a screen reader would otherwise read out every bullet. What is
   * read aloud is a list of messages (see platform/i18n.ts), so it is said in the page's language.
   */
  async maskedAddress(
    memberId: number,
  ): Promise<{ line: string; city: string; spokenLine: string[]; spokenCity: string } | undefined> {
    const member = await this.repository.findById(memberId)
    if (!member) return undefined
    const words = member.address_line1.split(/\s+/).map((word) => {
      if (/^\d+$/.test(word)) return { shown: word, spoken: word }
      const hidden = Math.max(word.length - 1, 2)
      return {
        shown: word[0] + '•'.repeat(hidden),
        spoken: message('registration:byMail.hiddenLetters', { letter: word[0], count: hidden }),
      }
    })
    const zipStart = member.zip.slice(0, 3)
    return {
      line: words.map((word) => word.shown).join(' '),
      city: `${member.city}, ${member.state} ${zipStart}••`,
      spokenLine: words.map((word) => word.spoken),
      spokenCity: message('registration:byMail.spokenCity', { city: member.city, state: member.state, zip: zipStart }),
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
        // First, so a second registration of the same membership waits on the roster row here, then finds the
        // account made (a lock taken after the account's insert would deadlock with its foreign-key check).
        await this.repository.setPreferredLanguage(member.id, registration.preferredLanguage, trx)
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

import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import type { Viewing } from '../viewing/middleware'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import type { Db } from '../platform/db'
import { NotFoundError, type Problem, RuleBrokenError } from '../platform/errors'
import { addToOutbox } from '../platform/outbox'
import { recordId } from '../platform/record-id'
import { RecordAccess } from '../viewing/record-access'
import { type Language, message } from '../platform/i18n'
import { eligibilityMessage, refillEligibility, RefillEligibility, renewalOffered } from './eligibility'
import type { PharmacyRecord, PrescriptionRepository } from './repository'
import type { MedicationRecord } from './types'

/**
 * Where a renewal request goes to the doctor's office: the messages feature, as a thread of its own topic
 * (a small interface, wired in services.ts, so prescriptions does not reach into messages).
 */
/** Thrown when a refill cannot be asked for as chosen: no medicine or too many, one not due, no pharmacy. */
export class RefillRefusedError extends RuleBrokenError {}

/** Thrown when a medicine cannot be renewed online (it has refills left, or it was stopped). */
export class RenewalRefusedError extends RuleBrokenError {}

export interface RenewalInbox {
  openRenewalThread(renewal: RenewalThreadRequest, trx: Knex.Transaction): Promise<number>
}

/** What the office is told of a renewal request: ids and the medicine's name, shown only inside the portal. */
export interface RenewalThreadRequest {
  memberId: number
  actorUserId: number
  medicationId: number
  medicationName: string
  renewalRequestId: number
  at: Date
  /** The language the member asked in: the request to the office is written in it. */
  language: Language
}

export interface MedicationView extends MedicationRecord {
  eligibility: RefillEligibility
  /** Why it can or cannot be refilled, a message key (eligibility.ts). */
  message: string
  canRenew: boolean
}

/** What the member chose on the refill form, checked against the rules. */
export interface RefillChoice {
  medicationIds: number[]
  delivery: 'pickup' | 'mail'
  pharmacyId: number
}

export interface RefillOptions {
  eligible: MedicationView[]
  /** Pickup pharmacies, the member's preferred one first. */
  pickup: (PharmacyRecord & { preferred: boolean })[]
  mail: PharmacyRecord | undefined
  mailAddress: string | undefined
}

const maxMedicines = 20

/** Why a medicine cannot be refilled or renewed, naming it ("Lisinopril 10 mg tablet: No refills left…"). */
const ineligible = (medication: MedicationView) =>
  message('prescriptions:errors.ineligible', { name: medication.name, reason: medication.message })

/** A fresh token for the refill form; the request it makes is stored under it, so the form makes one request. */
export function newRequestToken(): string {
  return randomBytes(18).toString('base64url')
}

export function isRequestToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{24}$/.test(value)
}

/** The delivery field's value for a choice: `pharmacy-<id>` for pickup, `mail` for mail delivery. */
export function deliveryValue(choice: Pick<RefillChoice, 'delivery' | 'pharmacyId'>): string {
  return choice.delivery === 'mail' ? 'mail' : `pharmacy-${choice.pharmacyId}`
}

/** The member's medications, their refill and renewal requests, with the rules applied on the server. */
export class PrescriptionService {
  constructor(
    private readonly db: Db,
    private readonly repository: PrescriptionRepository,
    private readonly recordAccess: RecordAccess,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly renewals: RenewalInbox,
  ) {}

  private view(medication: MedicationRecord, today: string): MedicationView {
    const eligibility = refillEligibility(medication, today)
    return {
      ...medication,
      eligibility,
      message: eligibilityMessage(eligibility),
      canRenew: renewalOffered(eligibility),
    }
  }

  async overview(viewing: Viewing) {
    return this.recordAccess.viewRecords(viewing, { type: 'medication' }, async (memberId) => {
      const today = planDate(this.clock())
      const medications = (await this.repository.listMedications(memberId)).map((medication) =>
        this.view(medication, today),
      )
      return {
        active: medications.filter((medication) => medication.status === 'active'),
        past: medications.filter((medication) => medication.status !== 'active'),
        requests: await this.repository.listRequests(memberId),
      }
    })
  }

  async refillOptions(viewing: Viewing): Promise<RefillOptions> {
    return this.recordAccess.viewRecords(
      viewing,
      { type: 'medication', action: 'medication.refill-form' },
      async (memberId) => {
        const today = planDate(this.clock())
        const [medications, pharmacies, preferredId, mailAddress] = await Promise.all([
          this.repository.listMedications(memberId),
          this.repository.pharmacies(),
          this.repository.preferredPharmacyId(memberId),
          this.repository.mailingAddress(memberId),
        ])
        const pickup = pharmacies
          .filter((pharmacy) => pharmacy.kind === 'retail')
          .map((pharmacy) => ({ ...pharmacy, preferred: pharmacy.id === preferredId }))
          .sort((a, b) => Number(b.preferred) - Number(a.preferred))
        return {
          eligible: medications
            .map((medication) => this.view(medication, today))
            .filter((medication) => medication.eligibility.status === 'eligible'),
          pickup,
          mail: pharmacies.find((pharmacy) => pharmacy.kind === 'mail'),
          mailAddress,
        }
      },
    )
  }

  /**
   * Checks a posted choice against the rules, whatever the form offered: a tampered POST gets the same
   * messages as the list shows (a `RefillRefusedError`). An id that is not one of the member's medicines is a
   * 404, audited.
   */
  async checkChoice(viewing: Viewing, body: Record<string, unknown>): Promise<RefillChoice> {
    const raw = body.medications
    const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).slice(0, maxMedicines + 1)
    const problems: Problem[] = []
    const today = planDate(this.clock())
    const ids = given.map(recordId).filter((id): id is number => id !== undefined)
    const medications = ids.length > 0 ? await this.repository.listMedications(viewing.memberId, ids) : []
    const chosen: MedicationView[] = []
    for (const value of given) {
      const id = recordId(value)
      const medication = medications.find((candidate) => candidate.id === id)
      if (!medication) {
        await this.recordAccess.viewRecord(viewing, { type: 'medication', id: value }, async () => undefined)
        throw new NotFoundError()
      }
      if (!chosen.some((already) => already.id === medication.id)) chosen.push(this.view(medication, today))
    }
    if (chosen.length === 0) problems.push({ field: 'medications', text: 'prescriptions:errors.noMedicine' })
    if (chosen.length > maxMedicines)
      problems.push({ field: 'medications', text: message('prescriptions:errors.tooMany', { max: maxMedicines }) })
    for (const medication of chosen) {
      if (medication.eligibility.status !== 'eligible') {
        problems.push({ field: 'medications', text: ineligible(medication) })
      }
    }
    const delivery = await this.checkDelivery(body.delivery)
    if (!delivery) problems.push({ field: 'delivery', text: 'prescriptions:errors.delivery' })
    if (problems.length > 0 || !delivery) throw new RefillRefusedError(problems)
    return { medicationIds: chosen.map((medication) => medication.id), ...delivery }
  }

  private async checkDelivery(value: unknown): Promise<Pick<RefillChoice, 'delivery' | 'pharmacyId'> | undefined> {
    if (typeof value !== 'string') return undefined
    const pharmacies = await this.repository.pharmacies()
    if (value === 'mail') {
      const mail = pharmacies.find((pharmacy) => pharmacy.kind === 'mail')
      return mail && { delivery: 'mail', pharmacyId: mail.id }
    }
    const id = recordId(value.replace(/^pharmacy-/, ''))
    const pharmacy = value.startsWith('pharmacy-') ? pharmacies.find((candidate) => candidate.id === id) : undefined
    return pharmacy?.kind === 'retail' ? { delivery: 'pickup', pharmacyId: pharmacy.id } : undefined
  }

  /** The medicines and pharmacy of a checked choice, for the check page. */
  async describeChoice(viewing: Viewing, choice: RefillChoice) {
    const [medications, pharmacies, mailAddress] = await Promise.all([
      this.repository.listMedications(viewing.memberId, choice.medicationIds),
      this.repository.pharmacies(),
      this.repository.mailingAddress(viewing.memberId),
    ])
    return {
      medications: medications.filter((medication) => choice.medicationIds.includes(medication.id)),
      pharmacy: pharmacies.find((pharmacy) => pharmacy.id === choice.pharmacyId)!,
      mailAddress,
    }
  }

  /**
   * Saves the request and its outbox row in one transaction, once per form token: a double click, a reload
   * or a resubmitted form finds the request already made. The rules are checked again under a lock on the
   * member's medicines, so two requests made at once cannot both use the last refill.
   */
  async createRequest(viewing: Viewing, choice: RefillChoice, token: string): Promise<{ requestId: number }> {
    const now = this.clock()
    const today = planDate(now)
    const outcome = await this.db.transaction(async (trx) => {
      await this.repository.lockMedications(viewing.memberId, trx)
      const existing = await this.repository.findRequestIdByToken(viewing.memberId, token, trx)
      if (existing) return { requestId: existing }
      const medications = await this.repository.listMedications(viewing.memberId, choice.medicationIds, trx)
      const problems: Problem[] = []
      for (const id of choice.medicationIds) {
        const medication = medications.find((candidate) => candidate.id === id)
        if (!medication) throw new NotFoundError()
        const view = this.view(medication, today)
        if (view.eligibility.status !== 'eligible') problems.push({ field: 'medications', text: ineligible(view) })
      }
      if (problems.length > 0) throw new RefillRefusedError(problems)
      const mailAddress =
        choice.delivery === 'mail' ? await this.repository.mailingAddress(viewing.memberId, trx) : null
      const requestId = await this.repository.insertRequest(
        {
          memberId: viewing.memberId,
          userId: viewing.actorUserId,
          token,
          delivery: choice.delivery,
          pharmacyId: choice.pharmacyId,
          mailAddress: mailAddress ?? null,
          medicationIds: choice.medicationIds,
          at: now,
        },
        trx,
      )
      await addToOutbox(trx, this.clock, {
        queue: 'refill-submission',
        jobName: 'submit',
        payload: { refillRequestId: requestId },
      })
      await this.audit.record(
        {
          actorUserId: viewing.actorUserId,
          subjectMemberId: viewing.memberId,
          action: 'refill-request.create',
          targetType: 'refill-request',
          targetId: requestId,
          requestId: viewing.requestId,
          ip: viewing.ip,
        },
        trx,
      )
      return { requestId }
    })
    return outcome
  }

  /** The request a refill form's token already made, if any. */
  /** One of the member's medicines (the API's MedicationRequest read); anyone else's id is a 404, audited. */
  async medication(viewing: Viewing, rawId: unknown): Promise<MedicationRecord> {
    return this.recordAccess.viewRecord(viewing, { type: 'medication', id: rawId }, (memberId, id) =>
      this.repository.findMedication(memberId, id),
    )
  }

  async requestForToken(viewing: Viewing, token: string): Promise<number | undefined> {
    return this.repository.findRequestIdByToken(viewing.memberId, token)
  }

  async showRequest(viewing: Viewing, id: unknown) {
    return this.recordAccess.viewRecord(viewing, { type: 'refill-request', id }, (memberId, requestId) =>
      this.repository.findRequest(memberId, requestId),
    )
  }

  /** "Ask your doctor for a renewal": stored for the office, once while one is open. */
  async requestRenewal(viewing: Viewing, medicationId: unknown, language: Language = 'en'): Promise<void> {
    const medication = await this.recordAccess.viewRecord(
      viewing,
      { type: 'medication', id: medicationId },
      (memberId, id) => this.repository.findMedication(memberId, id),
    )
    const view = this.view(medication, planDate(this.clock()))
    if (!view.canRenew)
      throw new RenewalRefusedError([{ field: `medication-${medication.id}`, text: ineligible(view) }])
    if (view.renewalRequestedAt) return
    await this.db.transaction(async (trx) => {
      await this.repository.lockMedications(viewing.memberId, trx)
      const again = await this.repository.findMedication(viewing.memberId, medication.id, trx)
      if (again?.renewalRequestedAt) return
      const at = this.clock()
      const renewalRequestId = await this.repository.insertRenewal(
        {
          memberId: viewing.memberId,
          medicationId: medication.id,
          userId: viewing.actorUserId,
          at,
        },
        trx,
      )
      await this.renewals.openRenewalThread(
        {
          memberId: viewing.memberId,
          actorUserId: viewing.actorUserId,
          medicationId: medication.id,
          medicationName: medication.name,
          renewalRequestId,
          at,
          language,
        },
        trx,
      )
    })
  }

  /** The office's list: renewal requests to answer and refill requests that could not reach the pharmacy. */
  async officeQueue(actorUserId: number, requestId?: string) {
    const queue = await this.repository.officeQueue()
    await this.audit.record({ actorUserId, action: 'refill-office-queue.view', requestId })
    return queue
  }
}

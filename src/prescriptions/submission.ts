import { UnrecoverableError } from 'bullmq'
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import type { Db } from '../platform/db'
import type { SentEmails } from '../platform/sent-emails'
import { addToOutbox } from '../platform/outbox'
import { refillUpdateMessage } from './emails'
import {
  noReasonGiven,
  OrderSubmission,
  PharmacyClient,
  PharmacyOrder,
  PharmacyRejectedError,
  PharmacyUnavailableError,
} from './pharmacy-client'
import { movesUseARefill, statusesBefore } from './refill-status'
import type { PrescriptionRepository } from './repository'
import type { RefillStatus } from './types'

export const unreachableReason = 'We could not reach the pharmacy'

const statusOfOrder: Record<PharmacyOrder['status'], RefillStatus> = {
  received: 'sent',
  ready: 'ready',
  shipped: 'shipped',
  denied: 'denied',
}

/**
 * The refill-submission worker's work: send a saved request to the pharmacy once, record what becomes of
 * it (from the answer, the pharmacy's webhooks, or reading the order back), and tell the member.
 */
export class RefillSubmissionService {
  constructor(
    private readonly db: Db,
    private readonly repository: PrescriptionRepository,
    private readonly pharmacy: PharmacyClient,
    private readonly sentEmails: SentEmails,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly publicUrl: string,
    /** Member Services' number (HELP_PHONE), which every email gives. */
    private readonly helpPhone: string,
  ) {}

  /**
   * Submits the request under its idempotency key (stored on the row): one request, one order, however often
   * it is sent. A refusal (4xx) denies it for good; an outage
   * is thrown for BullMQ to retry with backoff, until the last attempt, which marks it failed.
   */
  async submit(requestId: number, attempt: { final: boolean }): Promise<RefillStatus> {
    const request = await this.repository.findRequest(undefined, requestId)
    if (!request) throw new UnrecoverableError(`Refill request ${requestId} does not exist`)
    if (request.status !== 'requested') return request.status
    const patient = await this.repository.patient(request.memberId)
    const order: OrderSubmission = {
      patient: { reference: `member-${request.memberId}`, ...patient },
      items: request.items.map((item) => ({ rxNumber: item.rxNumber, name: item.name, quantity: item.quantity })),
      fulfilment:
        request.delivery === 'mail'
          ? { type: 'mail', storeCode: request.pharmacy.code, address: request.mailAddress ?? '' }
          : { type: 'pickup', storeCode: request.pharmacy.code },
    }
    try {
      const placed = await this.pharmacy.submitOrder(request.idempotencyKey, order)
      await this.applyOrder(requestId, placed)
      return statusOfOrder[placed.status]
    } catch (error) {
      if (error instanceof PharmacyRejectedError) {
        await this.change(requestId, 'denied', { outcomeReason: error.reason })
        throw new UnrecoverableError(`Refill request ${requestId} denied by the pharmacy (${error.status})`)
      }
      if (error instanceof PharmacyUnavailableError && attempt.final) {
        await this.change(requestId, 'failed', { outcomeReason: unreachableReason })
        throw new UnrecoverableError(`Refill request ${requestId} failed: ${error.message}`)
      }
      throw error
    }
  }

  /** Records what the pharmacy says of an order (its answer, a webhook, a read-back); false when nothing changed. */
  async applyOrder(requestId: number, order: PharmacyOrder): Promise<boolean> {
    const to = statusOfOrder[order.status]
    if (!to) return false
    let changed = false
    // An order already past "received" (a webhook that beat the worker) still passes through "sent".
    if (to !== 'sent' && to !== 'denied') changed = await this.change(requestId, 'sent', { pharmacyOrderId: order.id })
    const fields =
      to === 'shipped'
        ? { pharmacyOrderId: order.id, trackingNumber: order.trackingNumber?.slice(0, 64) ?? null }
        : to === 'denied'
          ? {
              pharmacyOrderId: order.id,
              outcomeReason: (order.reason ?? noReasonGiven).slice(0, 200),
            }
          : { pharmacyOrderId: order.id }
    return (await this.change(requestId, to, fields)) || changed
  }

  /** The webhook's way in: finds the request the order belongs to. */
  async applyWebhook(order: PharmacyOrder): Promise<'applied' | 'unchanged' | 'unknown'> {
    const requestId = await this.repository.requestIdForOrder(order.id, order.idempotencyKey)
    if (!requestId) return 'unknown'
    return (await this.applyOrder(requestId, order)) ? 'applied' : 'unchanged'
  }

  /**
   * Reads back every order still "sent" after `staleMinutes` (by the portal's clock): a lost webhook never
   * leaves a request stuck. A request still "requested" that long lost its job (removed from the dashboard,
   * or stalled past BullMQ's limit) and is submitted again, safely, under its idempotency key. Returns how
   * many moved on.
   */
  async reconcile(staleMinutes: number): Promise<number> {
    const before = new Date(this.clock().getTime() - staleMinutes * 60_000)
    let moved = 0
    for (const id of await this.repository.staleRequested(before)) {
      try {
        if ((await this.submit(id, { final: false })) !== 'requested') moved += 1
      } catch (error) {
        this.logger.warn({ err: error, refillRequestId: id }, 'could not submit a stuck refill request')
      }
    }
    for (const row of await this.repository.staleSent(before)) {
      try {
        const order = await this.pharmacy.getOrder(row.pharmacy_order_id)
        if (order && (await this.applyOrder(Number(row.id), order))) moved += 1
      } catch (error) {
        this.logger.warn({ err: error, refillRequestId: row.id }, 'could not read a refill order back')
      }
    }
    return moved
  }

  private async change(
    requestId: number,
    to: RefillStatus,
    fields: { pharmacyOrderId?: string; trackingNumber?: string | null; outcomeReason?: string | null },
  ): Promise<boolean> {
    const now = this.clock()
    return this.db.transaction(async (trx: Knex.Transaction) => {
      const changed = await this.repository.changeStatus(requestId, statusesBefore(to), to, now, fields, trx)
      if (!changed) return false
      if (movesUseARefill(changed.from, to)) await this.repository.recordFill(requestId, planDate(now), trx)
      await addToOutbox(trx, this.clock, {
        queue: 'refill-submission',
        jobName: 'notify-member',
        payload: { eventId: changed.eventId },
      })
      return true
    })
  }

  /** The notice for one status change, sent once however often the job runs. */
  async sendNotice(eventId: number): Promise<'sent' | 'skipped'> {
    const jobKey = `refill-event-${eventId}`
    return this.sentEmails.sendOnce(jobKey, 'refill-update', async () => {
      const requester = await this.repository.noticeRecipient(eventId)
      if (!requester?.email) return undefined
      return {
        email: refillUpdateMessage(
          requester.email,
          `${this.publicUrl}/prescriptions`,
          this.helpPhone,
          requester.language,
        ),
        userId: requester.userId,
      }
    })
  }
}

/**
 * The refill submissions' retries: `attempts` tries, waiting `retryDelayMs` × 2^(n−1) before try n+1, each
 * wait shortened by up to half at random (jitter) so many requests failing together do not retry together.
 */
export function refillJobOptions(settings: { attempts: number; retryDelayMs: number }) {
  return {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.retryDelayMs, jitter: 0.5 },
  }
}

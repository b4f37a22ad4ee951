import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { whereNameOrAddressHolds, type Db } from '../platform/db'
import type { MedicationRecord, PharmacyDirectory, PharmacyRecord, RefillStatus } from './types'

export type { PharmacyRecord }

/** Statuses a request moves on from; the others are where it ends. */
export const openStatuses: RefillStatus[] = ['requested', 'sent']

export interface RefillRequestRecord {
  id: number
  /** Sent to the pharmacy with the order: random, so never the key of another request, even after a restore. */
  idempotencyKey: string
  memberId: number
  requestedByUserId: number
  delivery: 'pickup' | 'mail'
  pharmacy: PharmacyRecord
  mailAddress: string | null
  status: RefillStatus
  pharmacyOrderId: string | null
  trackingNumber: string | null
  outcomeReason: string | null
  createdAt: Date
  statusChangedAt: Date
  items: { medicationId: number; rxNumber: string; name: string; quantity: number; quantityUnit: string }[]
  events: { status: RefillStatus; at: Date }[]
}

type Trx = Knex.Transaction | Db

/**
 * A refill request's key at the pharmacy. Random rather than the row id: after a restore from backup the ids
 * start again, and a reused key would get back an order placed before the restore, often another member's.
 */
export function newIdempotencyKey(): string {
  return `refill-${randomUUID()}`
}

const medicationColumns = [
  'md.id',
  'md.rx_number',
  'md.name',
  'p.name as prescriber',
  'md.prescriber_provider_id',
  'md.written_on',
  'md.rxnorm_code',
  'md.sig',
  'md.quantity',
  'md.quantity_unit',
  'md.days_supply',
  'md.refills_left',
  'md.last_filled_on',
  'md.expires_on',
  'md.schedule',
  'md.status',
  'md.ended_on',
]

function toMedication(row: Record<string, unknown>): MedicationRecord {
  return {
    id: Number(row.id),
    rxNumber: row.rx_number as string,
    name: row.name as string,
    prescriber: row.prescriber as string,
    prescriberId: Number(row.prescriber_provider_id),
    sig: row.sig as string,
    quantity: Number(row.quantity),
    quantityUnit: row.quantity_unit as string,
    daysSupply: Number(row.days_supply),
    refillsLeft: Number(row.refills_left),
    lastFilledOn: (row.last_filled_on as string | null) ?? null,
    expiresOn: row.expires_on as string,
    schedule: (row.schedule as MedicationRecord['schedule']) ?? null,
    status: row.status as MedicationRecord['status'],
    endedOn: (row.ended_on as string | null) ?? null,
    refillUnderWay: Number(row.under_way ?? 0) > 0,
    renewalRequestedAt: (row.renewal_requested_at as Date | null) ?? null,
    writtenOn: (row.written_on as string | null) ?? null,
    rxnormCode: (row.rxnorm_code as string | null) ?? null,
  }
}

function toPharmacy(row: Record<string, unknown>, prefix = ''): PharmacyRecord {
  return {
    id: Number(row[`${prefix}id`]),
    code: row[`${prefix}code`] as string,
    name: row[`${prefix}name`] as string,
    kind: row[`${prefix}kind`] as PharmacyRecord['kind'],
    addressLine1: row[`${prefix}address_line1`] as string,
    city: row[`${prefix}city`] as string,
    state: row[`${prefix}state`] as string,
    zip: row[`${prefix}zip`] as string,
    phone: row[`${prefix}phone`] as string,
    hours: (row[`${prefix}hours`] as string | null) ?? null,
    npi: (row[`${prefix}npi`] as string | null) ?? null,
    npiIsDemo: Boolean(row[`${prefix}npi_is_demo`]),
    updatedAt: new Date(row[`${prefix}updated_at`] as Date),
  }
}

/** Medications, pharmacies and refill requests. Member-facing reads always filter by the member id. */
export class PrescriptionRepository implements PharmacyDirectory {
  constructor(private readonly db: Db) {}

  private medications(memberId: number, trx: Trx) {
    return trx('medications as md')
      .join('providers as p', 'p.id', 'md.prescriber_provider_id')
      .where('md.member_id', memberId)
      .select(
        ...medicationColumns,
        trx.raw(
          `(select count(*) from refill_request_items i join refill_requests r on r.id = i.refill_request_id
            where i.medication_id = md.id and r.status in ('requested', 'sent')) as under_way`,
        ),
        trx.raw(
          `(select max(created_at) from renewal_requests rr where rr.medication_id = md.id and rr.status = 'open')
            as renewal_requested_at`,
        ),
      )
  }

  /** The member's medications, or only those of `ids` (what a form chose) when given. */
  async listMedications(memberId: number, ids?: number[], trx: Trx = this.db): Promise<MedicationRecord[]> {
    const query = this.medications(memberId, trx).orderBy('md.name').orderBy('md.id')
    if (ids) query.whereIn('md.id', ids)
    return (await query).map(toMedication)
  }

  async findMedication(memberId: number, id: number, trx: Trx = this.db): Promise<MedicationRecord | undefined> {
    const row = await this.medications(memberId, trx).andWhere('md.id', id).first()
    return row ? toMedication(row) : undefined
  }

  /** Locks the member's medication rows so two requests made at once cannot both pass the rules. */
  async lockMedications(memberId: number, trx: Knex.Transaction): Promise<void> {
    await trx('medications').where({ member_id: memberId }).forUpdate().select('id')
  }

  async pharmacies(trx: Trx = this.db): Promise<PharmacyRecord[]> {
    const rows = await trx('pharmacies').orderBy('kind', 'desc').orderBy('name').select('*')
    return rows.map((row: Record<string, unknown>) => toPharmacy(row))
  }

  async findPharmacy(id: number, trx: Trx = this.db): Promise<PharmacyRecord | undefined> {
    const row = await trx('pharmacies').where({ id }).first()
    return row ? toPharmacy(row) : undefined
  }

  /** Pharmacies whose name or address holds the text, or with this NPI (the API narrows further), at most 100. */
  async searchPharmacies(
    filter: { nameContains?: string; addressContains?: string; npi?: string },
    trx: Trx = this.db,
  ): Promise<PharmacyRecord[]> {
    const rows = await trx('pharmacies')
      .modify((query) => {
        whereNameOrAddressHolds(query, filter)
        if (filter.npi) query.where('npi', filter.npi)
      })
      .orderBy('id')
      .limit(100)
      .select('*')
    return rows.map((row: Record<string, unknown>) => toPharmacy(row))
  }

  async preferredPharmacyId(memberId: number, trx: Trx = this.db): Promise<number | undefined> {
    const row = await trx('member_pharmacies').where({ member_id: memberId }).first('pharmacy_id')
    return row ? Number(row.pharmacy_id) : undefined
  }

  /** The member's mailing address on file, on one line, for mail delivery. */
  async mailingAddress(memberId: number, trx: Trx = this.db): Promise<string | undefined> {
    const row = await trx('members')
      .where({ id: memberId })
      .first('address_line1', 'address_line2', 'city', 'state', 'zip')
    if (!row) return undefined
    return [row.address_line1, row.address_line2, `${row.city}, ${row.state} ${row.zip}`].filter(Boolean).join(', ')
  }

  async findRequestIdByToken(memberId: number, token: string, trx: Trx = this.db): Promise<number | undefined> {
    const row = await trx('refill_requests').where({ member_id: memberId, form_token: token }).first('id')
    return row ? Number(row.id) : undefined
  }

  async insertRequest(
    request: {
      memberId: number
      userId: number
      token: string
      delivery: 'pickup' | 'mail'
      pharmacyId: number
      mailAddress: string | null
      medicationIds: number[]
      at: Date
    },
    trx: Knex.Transaction,
  ): Promise<number> {
    const [id] = await trx('refill_requests').insert({
      idempotency_key: newIdempotencyKey(),
      member_id: request.memberId,
      requested_by_user_id: request.userId,
      form_token: request.token,
      delivery: request.delivery,
      pharmacy_id: request.pharmacyId,
      mail_address: request.mailAddress,
      status: 'requested',
      created_at: request.at,
      status_changed_at: request.at,
    })
    await trx('refill_request_items').insert(
      request.medicationIds.map((medicationId) => ({ refill_request_id: Number(id), medication_id: medicationId })),
    )
    await trx('refill_request_events').insert({ refill_request_id: Number(id), status: 'requested', at: request.at })
    return Number(id)
  }

  /** One request with its medicines and history; `memberId` undefined only for the worker and the office. */
  async findRequest(
    memberId: number | undefined,
    id: number,
    trx: Trx = this.db,
  ): Promise<RefillRequestRecord | undefined> {
    const query = trx('refill_requests as r').join('pharmacies as ph', 'ph.id', 'r.pharmacy_id').where('r.id', id)
    if (memberId !== undefined) query.andWhere('r.member_id', memberId)
    const row = await query.first(
      'r.*',
      'ph.id as ph_id',
      'ph.code as ph_code',
      'ph.name as ph_name',
      'ph.kind as ph_kind',
      'ph.address_line1 as ph_address_line1',
      'ph.city as ph_city',
      'ph.state as ph_state',
      'ph.zip as ph_zip',
      'ph.phone as ph_phone',
      'ph.hours as ph_hours',
      'ph.npi as ph_npi',
      'ph.npi_is_demo as ph_npi_is_demo',
      'ph.updated_at as ph_updated_at',
    )
    if (!row) return undefined
    const [items, events] = await Promise.all([
      trx('refill_request_items as i')
        .join('medications as md', 'md.id', 'i.medication_id')
        .where('i.refill_request_id', id)
        .orderBy('md.name')
        .select('md.id', 'md.rx_number', 'md.name', 'md.quantity', 'md.quantity_unit'),
      trx('refill_request_events').where({ refill_request_id: id }).orderBy('id').select('status', 'at'),
    ])
    return {
      id: Number(row.id),
      idempotencyKey: row.idempotency_key,
      memberId: Number(row.member_id),
      requestedByUserId: Number(row.requested_by_user_id),
      delivery: row.delivery,
      pharmacy: toPharmacy(row, 'ph_'),
      mailAddress: row.mail_address,
      status: row.status,
      pharmacyOrderId: row.pharmacy_order_id,
      trackingNumber: row.tracking_number,
      outcomeReason: row.outcome_reason,
      createdAt: row.created_at,
      statusChangedAt: row.status_changed_at,
      items: items.map((item: Record<string, unknown>) => ({
        medicationId: Number(item.id),
        rxNumber: item.rx_number as string,
        name: item.name as string,
        quantity: Number(item.quantity),
        quantityUnit: item.quantity_unit as string,
      })),
      events: events.map((event: { status: RefillStatus; at: Date }) => ({ status: event.status, at: event.at })),
    }
  }

  /** The member's requests, newest first, with how many medicines each holds (names only on the detail page). */
  async listRequests(memberId: number, trx: Trx = this.db) {
    const rows = await trx('refill_requests as r')
      .join('pharmacies as ph', 'ph.id', 'r.pharmacy_id')
      .where('r.member_id', memberId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(50)
      .select(
        'r.id',
        'r.status',
        'r.delivery',
        'r.created_at',
        'r.status_changed_at',
        'ph.name as pharmacy_name',
        trx.raw('(select count(*) from refill_request_items i where i.refill_request_id = r.id) as item_count'),
      )
    return rows.map((row: Record<string, unknown>) => ({
      id: Number(row.id),
      status: row.status as RefillStatus,
      delivery: row.delivery as 'pickup' | 'mail',
      createdAt: row.created_at as Date,
      statusChangedAt: row.status_changed_at as Date,
      pharmacyName: row.pharmacy_name as string,
      itemCount: Number(row.item_count),
    }))
  }

  /**
   * Moves a request from one of `from` to `to` and records the event; undefined when it had already moved on
   * (a retried job, a late or repeated webhook), so every change happens once. The row is locked first, so two
   * calls at once for the same request take turns, and the status it left is returned.
   */
  async changeStatus(
    id: number,
    from: RefillStatus[],
    to: RefillStatus,
    at: Date,
    fields: { pharmacyOrderId?: string; trackingNumber?: string | null; outcomeReason?: string | null } = {},
    trx: Knex.Transaction,
  ): Promise<{ eventId: number; from: RefillStatus } | undefined> {
    const row = await trx('refill_requests').where({ id }).forUpdate().first('status')
    if (!row || !from.includes(row.status as RefillStatus)) return undefined
    await trx('refill_requests')
      .where({ id })
      .update({
        status: to,
        status_changed_at: at,
        ...(fields.pharmacyOrderId === undefined ? {} : { pharmacy_order_id: fields.pharmacyOrderId }),
        ...(fields.trackingNumber === undefined ? {} : { tracking_number: fields.trackingNumber }),
        ...(fields.outcomeReason === undefined ? {} : { outcome_reason: fields.outcomeReason }),
      })
    const [eventId] = await trx('refill_request_events').insert({ refill_request_id: id, status: to, at })
    return { eventId: Number(eventId), from: row.status as RefillStatus }
  }

  /**
   * A filled request uses one refill of each medicine and restarts its days' supply. A medicine with none left
   * stays at 0 (`refills_left` is unsigned: `refills_left - 1` at 0 is out of range, not -1).
   */
  async recordFill(requestId: number, filledOn: string, trx: Knex.Transaction): Promise<void> {
    const ids = await trx('refill_request_items').where({ refill_request_id: requestId }).pluck('medication_id')
    await trx('medications')
      .whereIn('id', ids)
      .update({ last_filled_on: filledOn, refills_left: trx.raw('if(refills_left > 0, refills_left - 1, 0)') })
  }

  async requestIdForOrder(orderId: string, idempotencyKey: string, trx: Trx = this.db): Promise<number | undefined> {
    const row = await trx('refill_requests').where({ pharmacy_order_id: orderId }).first('id')
    if (row) return Number(row.id)
    const byKey = await trx('refill_requests')
      .where({ idempotency_key: idempotencyKey.slice(0, 64) })
      .first('id')
    return byKey ? Number(byKey.id) : undefined
  }

  /** Requests still marked "sent" since before `before`: their webhook may have been lost. */
  async staleSent(before: Date, limit = 100, trx: Trx = this.db) {
    return trx('refill_requests')
      .where({ status: 'sent' })
      .andWhere('status_changed_at', '<', before)
      .whereNotNull('pharmacy_order_id')
      .orderBy('status_changed_at')
      .limit(limit)
      .select('id', 'pharmacy_order_id')
  }

  /** Requests still "requested" since before `before`: longer than every retry takes, so their job was lost. */
  async staleRequested(before: Date, limit = 100, trx: Trx = this.db): Promise<number[]> {
    const ids = await trx('refill_requests')
      .where({ status: 'requested' })
      .andWhere('status_changed_at', '<', before)
      .orderBy('status_changed_at')
      .limit(limit)
      .pluck('id')
    return ids.map(Number)
  }

  async insertRenewal(
    renewal: { memberId: number; medicationId: number; userId: number; at: Date },
    trx: Knex.Transaction,
  ): Promise<number> {
    const [id] = await trx('renewal_requests').insert({
      member_id: renewal.memberId,
      medication_id: renewal.medicationId,
      requested_by_user_id: renewal.userId,
      status: 'open',
      created_at: renewal.at,
    })
    return Number(id)
  }

  /** For the doctor's office: open renewal requests and failed refill requests, oldest first. */
  async officeQueue(trx: Trx = this.db) {
    const renewals = await trx('renewal_requests as rr')
      .join('members as m', 'm.id', 'rr.member_id')
      .join('medications as md', 'md.id', 'rr.medication_id')
      .join('providers as p', 'p.id', 'md.prescriber_provider_id')
      .where('rr.status', 'open')
      .orderBy('rr.created_at')
      .limit(200)
      .select(
        'rr.id',
        'rr.created_at',
        'm.id as member_id',
        'm.first_name',
        'm.last_name',
        'm.mrn',
        'md.name as medication',
        'md.rx_number',
        'p.name as prescriber',
      )
    const failed = await trx('refill_requests as r')
      .join('members as m', 'm.id', 'r.member_id')
      .where('r.status', 'failed')
      .orderBy('r.status_changed_at')
      .limit(200)
      .select(
        'r.id',
        'r.status_changed_at',
        'r.outcome_reason',
        'm.id as member_id',
        'm.first_name',
        'm.last_name',
        'm.mrn',
      )
    return { renewals, failed }
  }

  /** Who the order is for, as the pharmacy identifies its patients. */
  async patient(memberId: number, trx: Trx = this.db) {
    const row = await trx('members').where({ id: memberId }).first('first_name', 'last_name', 'birth_date')
    return {
      firstName: row.first_name as string,
      lastName: row.last_name as string,
      birthDate: row.birth_date as string,
    }
  }

  /** Who to tell about a request's change: the account that made it. */
  /** Who made the request a status change belongs to, and their email address (if any), in one query. */
  async noticeRecipient(
    eventId: number,
    trx: Trx = this.db,
  ): Promise<{ userId: number; email: string | null; language: string | null } | undefined> {
    const row = await trx('refill_request_events as e')
      .join('refill_requests as r', 'r.id', 'e.refill_request_id')
      .join('users as u', 'u.id', 'r.requested_by_user_id')
      .leftJoin('members as m', 'm.id', 'u.member_id')
      .where('e.id', eventId)
      .first('u.id', 'u.email', 'm.preferred_language as language')
    return row ? { userId: Number(row.id), email: row.email, language: row.language ?? null } : undefined
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { BatchRow, LetterInBatch, MailroomLetters, ReturnedLetter, ReturnedLetterRecord } from './types'

export interface ClaimedRequest {
  id: number
  userId: string
  memberId: number
  firstName: string
  lastName: string
  line1: string
  line2: string | null
  city: string
  state: string
  zip: string
  /** The member's preferred language, which their letter is printed in. */
  language: string
}

/** Every SQL statement of the letters feature: requests, batches, and the mailroom's records. */
export class LettersRepository implements MailroomLetters {
  constructor(private readonly db: Db) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work)
  }

  /** Ends every live letter of the account (a new request supersedes them) and records a new pending one. */
  async addRequest(
    request: { userId: number; memberId: number; reason: 'registration' | 'recovery' | 'returned'; at: Date },
    trx: Knex.Transaction,
  ): Promise<number> {
    await trx('temp_password_requests')
      .where({ user_id: request.userId })
      .whereIn('status', ['pending', 'issued', 'mailed'])
      .update({ status: 'superseded' })
    const [id] = await trx('temp_password_requests').insert({
      user_id: request.userId,
      member_id: request.memberId,
      reason: request.reason,
      status: 'pending',
      requested_at: request.at,
    })
    return Number(id)
  }

  async batchesOn(batchDate: string, trx: Knex.Transaction): Promise<number> {
    const row = await trx('letter_batches').where({ batch_date: batchDate }).count<{ n: number }[]>({ n: '*' }).first()
    return Number(row?.n ?? 0)
  }

  async insertBatch(batch: { id: string; batchDate: string; mailDate: string; at: Date }, trx: Knex.Transaction) {
    await trx('letter_batches').insert({
      id: batch.id,
      batch_date: batch.batchDate,
      mail_date: batch.mailDate,
      status: 'building',
      created_at: batch.at,
      heartbeat_at: batch.at,
    })
  }

  /** Pending requests no other run holds, locked for this transaction. */
  async lockPending(limit: number, trx: Knex.Transaction): Promise<number[]> {
    const rows = await trx('temp_password_requests')
      .where({ status: 'pending' })
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .select('id')
    return rows.map((row: { id: number }) => row.id)
  }

  async claim(batchId: string, ids: number[], trx: Knex.Transaction): Promise<void> {
    for (const [index, id] of ids.entries()) {
      await trx('temp_password_requests')
        .where({ id })
        .update({ status: 'claimed', batch_id: batchId, sequence: index + 1 })
    }
  }

  async claimedInBatch(
    batchId: string,
    afterSequence: number,
    limit: number,
  ): Promise<(ClaimedRequest & { sequence: number })[]> {
    const rows = await this.db('temp_password_requests as r')
      .join('users as u', 'u.id', 'r.user_id')
      .join('members as m', 'm.id', 'r.member_id')
      .where({ 'r.batch_id': batchId, 'r.status': 'claimed' })
      .where('r.sequence', '>', afterSequence)
      .orderBy('r.sequence')
      .limit(limit)
      .select(
        'r.id',
        'r.sequence',
        'u.user_id',
        'r.member_id',
        'm.first_name',
        'm.last_name',
        'm.address_line1',
        'm.address_line2',
        'm.city',
        'm.state',
        'm.zip',
        'm.preferred_language',
      )
    return rows.map((row) => ({
      id: row.id,
      sequence: row.sequence,
      userId: row.user_id,
      memberId: row.member_id,
      firstName: row.first_name,
      lastName: row.last_name,
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      state: row.state,
      zip: row.zip,
      language: row.preferred_language,
    }))
  }

  async storeHashes(rows: { id: number; passwordHash: string; page: number }[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      for (const row of rows) {
        await trx('temp_password_requests')
          .where({ id: row.id, status: 'claimed' })
          .update({ password_hash: row.passwordHash, page: row.page })
      }
    })
  }

  async heartbeat(batchId: string, at: Date): Promise<void> {
    await this.db('letter_batches').where({ id: batchId }).update({ heartbeat_at: at })
  }

  async completeBatch(
    batch: {
      id: string
      pieces: number
      pages: number
      lettersSha256: string
      manifestSha256: string
      at: Date
      expiresAt: Date
    },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('temp_password_requests')
      .where({ batch_id: batch.id, status: 'claimed' })
      .update({ status: 'issued', issued_at: batch.at, expires_at: batch.expiresAt })
    await trx('letter_batches').where({ id: batch.id, status: 'building' }).update({
      status: 'ready',
      piece_count: batch.pieces,
      page_count: batch.pages,
      letters_sha256: batch.lettersSha256,
      manifest_sha256: batch.manifestSha256,
      ready_at: batch.at,
    })
  }

  async staleBuildingBatches(heartbeatBefore: Date): Promise<string[]> {
    return this.db('letter_batches')
      .where({ status: 'building' })
      .where('heartbeat_at', '<', heartbeatBefore)
      .pluck('id')
  }

  /** Gives an abandoned batch's letters back to the queue of pending requests; their passwords were never mailed. */
  async abandon(batchId: string): Promise<number> {
    return this.db.transaction(async (trx) => {
      const released = await trx('temp_password_requests')
        .where({ batch_id: batchId, status: 'claimed' })
        .update({ status: 'pending', batch_id: null, sequence: null, page: null, password_hash: null })
      await trx('letter_batches').where({ id: batchId, status: 'building' }).update({ status: 'abandoned' })
      return released
    })
  }

  async batchIds(): Promise<{ id: string; status: string }[]> {
    return this.db('letter_batches').select('id', 'status')
  }

  /** The newest batch whatever its state (building, abandoned…), for the ops summary. */
  async latestBatch(): Promise<BatchRow | undefined> {
    return this.db('letter_batches').orderBy('created_at', 'desc').orderBy('id', 'desc').first()
  }

  async listBatches(limit = 100): Promise<BatchRow[]> {
    return this.db('letter_batches')
      .whereIn('status', ['ready', 'printed', 'mailed'])
      .orderBy('created_at', 'desc')
      .limit(limit)
  }

  async findBatch(id: string): Promise<BatchRow | undefined> {
    return this.db('letter_batches').where({ id }).whereIn('status', ['ready', 'printed', 'mailed']).first()
  }

  async countLettersOf(batchId: string): Promise<number> {
    const [row] = await this.db('temp_password_requests').where('batch_id', batchId).count<{ n: number }[]>({ n: '*' })
    return Number(row?.n ?? 0)
  }

  /** One page of a batch's letters, in the order they were printed. */
  async lettersOf(batchId: string, offset: number, limit: number): Promise<LetterInBatch[]> {
    return this.db('temp_password_requests as r')
      .join('members as m', 'm.id', 'r.member_id')
      .where('r.batch_id', batchId)
      .orderBy('r.sequence')
      .offset(offset)
      .limit(limit)
      .select<LetterInBatch[]>(
        'r.id',
        'r.sequence',
        'r.page',
        'r.status',
        'm.first_name',
        'm.last_name',
        'r.returned_at',
        'r.mailed_on',
      )
  }

  async markPrinted(batchId: string, at: Date): Promise<boolean> {
    return (
      (await this.db('letter_batches')
        .where({ id: batchId, status: 'ready' })
        .update({ status: 'printed', printed_at: at })) === 1
    )
  }

  async markMailed(batchId: string, mailedOn: string, at: Date): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const updated = await trx('letter_batches')
        .where({ id: batchId })
        .whereIn('status', ['ready', 'printed'])
        .update({ status: 'mailed', mailed_at: at, mailed_on: mailedOn })
      if (updated !== 1) return false
      await trx('temp_password_requests')
        .where({ batch_id: batchId, status: 'issued' })
        .update({ status: 'mailed', mailed_on: mailedOn })
      return true
    })
  }

  async markReturned(
    batchId: string,
    sequence: number,
    at: Date,
  ): Promise<{ userId: number; memberId: number } | undefined> {
    return this.db.transaction(async (trx) => {
      const row = await trx('temp_password_requests')
        .where({ batch_id: batchId, sequence })
        .whereIn('status', ['issued', 'mailed'])
        .forUpdate()
        .first('id', 'user_id', 'member_id')
      if (!row) return undefined
      await trx('temp_password_requests').where({ id: row.id }).update({ status: 'returned', returned_at: at })
      return { userId: row.user_id, memberId: row.member_id }
    })
  }

  async returnedLetters(): Promise<ReturnedLetter[]> {
    return this.db('temp_password_requests as r')
      .join('members as m', 'm.id', 'r.member_id')
      .where('r.status', 'returned')
      .whereNotExists(function newerRequest() {
        this.select('*')
          .from('temp_password_requests as later')
          .whereRaw('later.user_id = r.user_id and later.id > r.id')
      })
      .orderBy('r.returned_at', 'desc')
      .select<ReturnedLetter[]>(
        'r.id',
        'r.batch_id',
        'r.sequence',
        'm.first_name',
        'm.last_name',
        'r.returned_at',
        'r.member_id',
        'r.user_id',
      )
  }

  /** A letter that was once marked returned, whatever has happened to it since. */
  async findReturned(id: number): Promise<ReturnedLetterRecord | undefined> {
    return this.db('temp_password_requests')
      .where({ id })
      .whereNotNull('returned_at')
      .first<ReturnedLetterRecord | undefined>()
  }

  async letterExists(batchId: string, sequence: number): Promise<boolean> {
    return Boolean(await this.db('temp_password_requests').where({ batch_id: batchId, sequence }).first('id'))
  }

  async markFilesDeleted(batchId: string, at: Date): Promise<void> {
    await this.db('letter_batches')
      .where({ id: batchId })
      .whereNull('files_deleted_at')
      .update({ files_deleted_at: at })
  }

  /** Batches whose files should go: mailed, or older than the retention period. */
  async batchesWithFilesToDelete(createdBefore: Date): Promise<string[]> {
    return this.db('letter_batches')
      .whereNull('files_deleted_at')
      .whereIn('status', ['ready', 'printed', 'mailed'])
      .where((query) => query.where('status', 'mailed').orWhere('created_at', '<', createdBefore))
      .pluck('id')
  }

  /** The live temporary passwords of an account: issued or mailed, unused and unexpired. */
  async liveTemporaryPasswords(userId: number, now: Date) {
    return this.db('temp_password_requests')
      .where({ user_id: userId })
      .whereIn('status', ['issued', 'mailed'])
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .select<{ id: number; password_hash: string }[]>('id', 'password_hash')
  }

  /** Single use: only one sign-on can take the password. */
  async useTemporaryPassword(id: number, at: Date): Promise<boolean> {
    return (
      (await this.db('temp_password_requests')
        .where({ id })
        .whereNull('used_at')
        .whereIn('status', ['issued', 'mailed'])
        .update({ status: 'used', used_at: at })) === 1
    )
  }
}

import fs from 'node:fs/promises'
import path from 'node:path'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { NotFoundError } from '../platform/errors'
import type { LetterBatchService } from '../letters/batch'
import { planDate } from '../platform/dates'
import { loadPage, type PageRequest } from '../platform/pagination'
import type { MailroomLetters } from '../letters/types'
import type { TemporaryPasswordService } from '../letters/service'

export const batchFiles = ['letters.pdf', 'manifest.csv', 'checksums.sha256', 'taglines.pdf'] as const
export type BatchFile = (typeof batchFiles)[number]

export function isBatchId(candidate: unknown): candidate is string {
  return typeof candidate === 'string' && /^\d{8}-\d{2,4}$/.test(candidate)
}

/** The mailroom clerk's work on letter batches: download, printed, mailed, returned. Every download is audited. */
export class MailroomService {
  constructor(
    private readonly letters: MailroomLetters,
    private readonly batches: LetterBatchService,
    private readonly temporaryPasswords: TemporaryPasswordService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly settings: { directory: string; timezone: string },
  ) {}

  /** A batch that never existed (or is still being built) is not found, rather than "already done" or "deleted". */
  private async existingBatch(batchId: string) {
    const batch = await this.letters.findBatch(batchId)
    if (!batch) throw new NotFoundError()
    return batch
  }

  listBatches() {
    return this.letters.listBatches()
  }

  async batch(batchId: string, page: PageRequest) {
    const batch = await this.letters.findBatch(batchId)
    if (!batch) return undefined
    const files = await Promise.all(
      batchFiles.map(async (name) => {
        const stat = await fs.stat(path.join(this.settings.directory, batchId, name)).catch(() => undefined)
        return { name, size: stat?.size }
      }),
    )
    return {
      batch,
      files: batch.files_deleted_at ? [] : files.filter((file) => file.size !== undefined),
      letters: await loadPage(
        page,
        () => this.letters.countLettersOf(batchId),
        (offset, limit) => this.letters.lettersOf(batchId, offset, limit),
      ),
    }
  }

  /**
   * The path of a batch file to send, after recording who downloaded it; undefined once the files of this batch
   * are gone (NotFoundError for a batch that never existed).
   */
  async download(
    batchId: string,
    file: BatchFile,
    actorUserId: number,
    requestId?: string,
    ip?: string,
  ): Promise<string | undefined> {
    const batch = await this.existingBatch(batchId)
    if (batch.files_deleted_at) return undefined
    const filePath = path.join(this.settings.directory, batchId, file)
    const exists = await fs.stat(filePath).catch(() => undefined)
    if (!exists) return undefined
    await this.audit.record({
      actorUserId,
      action: 'letters.download',
      targetType: 'letter-batch',
      targetId: batchId,
      detail: { file },
      requestId,
      ip,
    })
    return filePath
  }

  async markPrinted(batchId: string, actorUserId: number): Promise<boolean> {
    await this.existingBatch(batchId)
    const done = await this.letters.markPrinted(batchId, this.clock())
    if (done)
      await this.audit.record({ actorUserId, action: 'letters.printed', targetType: 'letter-batch', targetId: batchId })
    return done
  }

  /** Records today's mail date on every letter, then deletes the files: the passwords are in the post now. */
  /** The mail date a batch marked mailed now gets: today in the mailroom's time zone. */
  todaysMailDate(): string {
    return planDate(this.clock(), this.settings.timezone)
  }

  async markMailed(batchId: string, actorUserId: number): Promise<boolean> {
    await this.existingBatch(batchId)
    const mailedOn = this.todaysMailDate()
    const done = await this.letters.markMailed(batchId, mailedOn, this.clock())
    if (!done) return false
    await this.batches.deleteFiles(batchId)
    await this.audit.record({
      actorUserId,
      action: 'letters.mailed',
      targetType: 'letter-batch',
      targetId: batchId,
      detail: { mailedOn },
    })
    return true
  }

  /** False when the letter was already returned or used; NotFoundError when the batch has no such letter. */
  async markReturned(batchId: string, sequence: number, actorUserId: number): Promise<boolean> {
    await this.existingBatch(batchId)
    if (!(await this.letters.letterExists(batchId, sequence))) throw new NotFoundError()
    const letter = await this.letters.markReturned(batchId, sequence, this.clock())
    if (letter) {
      await this.audit.record({
        actorUserId,
        subjectMemberId: letter.memberId,
        action: 'letters.returned',
        targetType: 'letter-batch',
        targetId: `${batchId}#${sequence}`,
      })
    }
    return Boolean(letter)
  }

  returnedLetters() {
    return this.letters.returnedLetters()
  }

  /**
   * Once Member Services has corrected the address on file, the member goes back in line for a new letter.
   * False when that was already done; NotFoundError for a letter that was never returned.
   */
  async sendNewLetter(returnedId: number, actorUserId: number): Promise<boolean> {
    const returned = await this.letters.findReturned(returnedId)
    if (!returned) throw new NotFoundError()
    if (returned.status !== 'returned') return false
    await this.temporaryPasswords.requestLetter(returned.user_id, returned.member_id, 'returned')
    await this.audit.record({
      actorUserId,
      subjectMemberId: returned.member_id,
      action: 'letters.resend',
      targetType: 'temp-password-request',
      targetId: returnedId,
    })
    return true
  }
}

import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import ejs from 'ejs'
import type { Logger } from 'pino'
import type { Clock } from '../platform/clock'
import { formatDate, planDate } from '../platform/dates'
import { languageOf, translatorFor } from '../platform/i18n'
import { taglinesFor } from '../language-help/taglines'
import { isDeadlock, isDuplicateKey } from '../platform/db'
import type { PdfRenderer } from '../platform/pdf'
import { appendDocumentMetadata, type DocumentMetadata } from '../platform/pdf-metadata'
import { LettersRepository } from './repository'
import {
  generateTemporaryPassword,
  groupForPrint,
  hashTemporaryPassword,
  temporaryPasswordValidDays,
} from './temporary-password'
import { pub28Address } from './usps'

export interface LetterBatchSettings {
  directory: string
  timezone: string
  chunkSize: number
  signOnUrl: string
  helpPhone: string
  // A building batch whose heartbeat is older than this was left by a crashed run.
  leaseSeconds: number
  maxLetters: number
}

export interface BatchResult {
  batchId: string
  directory: string
  pieces: number
  pages: number
}

const template = path.join(__dirname, '..', '..', 'views', 'letters', 'letters.ejs')
const taglinesTemplate = path.join(__dirname, '..', '..', 'views', 'letters', 'taglines.ejs')
/** The last column is the letter's language (en, es), so the mailroom and returned mail can tell. */
const manifestHeader =
  'sequence,batch_id,member_reference,name,address_line_1,address_line_2,first_page,last_page,language'
/** The one-page insert with the language-assistance taglines that goes in every envelope (45 CFR 92.11). */
export const taglinesFile = 'taglines.pdf'

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** The next weekday after the batch date: letters printed tonight go out with the next business day's mail. */
export function nextBusinessDay(isoDate: string): string {
  let next = addDays(isoDate, 1)
  while ([0, 6].includes(new Date(`${next}T00:00:00Z`).getUTCDay())) next = addDays(next, 1)
  return next
}

const csvField = (value: string | number) => {
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Chromium writes one `/Type /Page` object per page; counting them checks every letter kept to one page. */
export function countPdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed: ${errors.slice(0, 300)}`)),
    )
  })
}

/**
 * The nightly temporary-password letter batch. It claims pending requests (SKIP LOCKED, so concurrent runs
 * never share one), renders letters in chunks into a hidden temp directory, and makes the batch visible
 * in one step: the requests become issued in the same transaction that renames the directory into place.
 * A run that dies leaves a hidden directory and a stale "building" batch, which the next run takes back.
 */
export class LetterBatchService {
  constructor(
    private readonly repository: LettersRepository,
    private readonly pdf: PdfRenderer,
    private readonly clock: Clock,
    private readonly settings: LetterBatchSettings,
    private readonly logger: Logger,
  ) {}

  async runBatch(): Promise<BatchResult | undefined> {
    await fs.mkdir(this.settings.directory, { recursive: true })
    await this.recoverAbandoned()
    const claimed = await this.claim()
    if (!claimed) return undefined
    const { batchId, batchDate, mailDate, count } = claimed
    const temp = path.join(this.settings.directory, `.tmp-${batchId}-${randomBytes(4).toString('hex')}`)
    await fs.mkdir(temp)
    try {
      const { pages, parts, manifestRows } = await this.renderLetters(batchId, batchDate, temp)
      if (manifestRows.length !== count)
        throw new Error(`Batch ${batchId} rendered ${manifestRows.length} of ${count} letters`)
      const lettersFile = path.join(temp, 'letters.pdf')
      // One part is already finished (tagged, with its title, language and PDF/UA metadata). pdfunite keeps the
      // pages but drops every part's catalog, tags included, so the merged file gets its title, language and XMP
      // again by an appended update, without a PDF/UA claim it could no longer keep.
      if (parts.length === 1) await fs.rename(parts[0], lettersFile)
      else {
        await run('pdfunite', [...parts, lettersFile])
        await appendDocumentMetadata(lettersFile, this.documentMetadata(batchId), { pdfUa: false })
      }
      await Promise.all(parts.map((part) => fs.rm(part, { force: true })))
      const trailer = [
        'TRAILER',
        batchId,
        `pieces=${count}`,
        `pages=${pages}`,
        `mail_date=${mailDate}`,
        '',
        '',
        '',
        '',
      ].join(',')
      await fs.writeFile(
        path.join(temp, 'manifest.csv'),
        [manifestHeader, ...manifestRows, trailer].join('\r\n') + '\r\n',
      )
      await this.renderTaglines(batchId, path.join(temp, taglinesFile))
      const [lettersSha256, manifestSha256, taglinesSha256] = await Promise.all([
        sha256File(lettersFile),
        sha256File(path.join(temp, 'manifest.csv')),
        sha256File(path.join(temp, taglinesFile)),
      ])
      await fs.writeFile(
        path.join(temp, 'checksums.sha256'),
        `${lettersSha256}  letters.pdf\n${manifestSha256}  manifest.csv\n${taglinesSha256}  ${taglinesFile}\n`,
      )

      const final = path.join(this.settings.directory, batchId)
      const expiresAt = new Date(`${addDays(batchDate, temporaryPasswordValidDays)}T23:59:59Z`)
      await this.repository.transaction(async (trx) => {
        await this.repository.completeBatch(
          { id: batchId, pieces: count, pages, lettersSha256, manifestSha256, at: this.clock(), expiresAt },
          trx,
        )
        // Inside the transaction: if the rename fails nothing is issued; if the commit fails the next run removes the directory.
        await fs.rm(final, { recursive: true, force: true })
        await fs.rename(temp, final)
      })
      this.logger.info({ batchId, pieces: count, pages }, 'letter batch ready')
      return { batchId, directory: final, pieces: count, pages }
    } catch (error) {
      await fs.rm(temp, { recursive: true, force: true })
      await this.repository.abandon(batchId)
      throw error
    }
  }

  /** Claims every pending request (up to the limit) for a new dated, sequential batch. */
  private async claim() {
    const batchDate = planDate(this.clock(), this.settings.timezone)
    const mailDate = nextBusinessDay(batchDate)
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.repository.transaction(async (trx) => {
          const ids = await this.repository.lockPending(this.settings.maxLetters, trx)
          if (ids.length === 0) return undefined
          const sequence = (await this.repository.batchesOn(batchDate, trx)) + 1
          const batchId = `${batchDate.replace(/-/g, '')}-${String(sequence).padStart(2, '0')}`
          await this.repository.insertBatch({ id: batchId, batchDate, mailDate, at: this.clock() }, trx)
          await this.repository.claim(batchId, ids, trx)
          return { batchId, batchDate, mailDate, count: ids.length }
        })
      } catch (error) {
        // Two runs picked the same sequence number: the loser tries the next one. Its insert may instead be
        // chosen as a deadlock victim while it waits on the winner's new row: InnoDB has rolled its whole
        // transaction back then, so it is tried again the same way.
        if (!isDuplicateKey(error) && !isDeadlock(error)) throw error
      }
    }
    throw new Error('Could not number a new letter batch')
  }

  private async renderLetters(batchId: string, batchDate: string, temp: string) {
    const manifestRows: string[] = []
    const parts: string[] = []
    let pages = 0
    let lastSequence = 0
    const expiresOn = addDays(batchDate, temporaryPasswordValidDays)
    for (;;) {
      const chunk = await this.repository.claimedInBatch(batchId, lastSequence, this.settings.chunkSize)
      if (chunk.length === 0) break
      lastSequence = chunk[chunk.length - 1].sequence
      // Each letter once: its password, the hash to store, and the address both the page and the manifest print.
      const letters = await Promise.all(
        chunk.map(async (request, index) => {
          const password = generateTemporaryPassword()
          const name = `${request.firstName} ${request.lastName}`
          return {
            request,
            name,
            password,
            passwordHash: await hashTemporaryPassword(password),
            page: pages + index + 1,
            address: pub28Address({
              name,
              line1: request.line1,
              line2: request.line2,
              city: request.city,
              state: request.state,
              zip: request.zip,
            }),
          }
        }),
      )
      // Each letter in its member's preferred language; names and addresses as recorded.
      const html = await ejs.renderFile(template, {
        batchId,
        signOnUrl: this.settings.signOnUrl,
        helpPhone: this.settings.helpPhone,
        translate: translatorFor,
        letters: letters.map(({ request, name, password, address }) => {
          const language = languageOf(request.language) ?? 'en'
          return {
            sequence: request.sequence,
            reference: `REQ-${request.id}`,
            name,
            userId: request.userId,
            password: groupForPrint(password),
            language,
            expiresOn: formatDate(expiresOn, language),
            batchDate: formatDate(batchDate, language),
            address,
          }
        }),
      })
      const pdf = await this.pdf.render(html, {
        margin: { top: '0', right: '0', bottom: '0', left: '0' },
        timeoutSeconds: 120,
        metadata: this.documentMetadata(batchId),
      })
      const chunkPages = countPdfPages(pdf)
      if (chunkPages !== chunk.length)
        throw new Error(`Batch ${batchId}: ${chunk.length} letters made ${chunkPages} pages; each must fit one page`)
      const part = path.join(temp, `part-${String(parts.length + 1).padStart(5, '0')}.pdf`)
      await fs.writeFile(part, pdf)
      parts.push(part)
      await this.repository.storeHashes(
        letters.map(({ request, passwordHash, page }) => ({ id: request.id, passwordHash, page })),
      )
      for (const { request, address, page } of letters) {
        manifestRows.push(
          [
            request.sequence,
            batchId,
            `REQ-${request.id}`,
            address.name,
            address.delivery,
            address.lastLine,
            page,
            page,
            languageOf(request.language) ?? 'en',
          ]
            .map(csvField)
            .join(','),
        )
      }
      pages += chunk.length
      await this.repository.heartbeat(batchId, this.clock())
    }
    return { pages, parts, manifestRows }
  }

  /** The batch's insert page: the notice of free language assistance in every tagline language. */
  private async renderTaglines(batchId: string, file: string): Promise<void> {
    const html = await ejs.renderFile(taglinesTemplate, {
      batchId,
      t: translatorFor('en'),
      es: translatorFor('es'),
      taglines: taglinesFor(this.settings.helpPhone),
    })
    const pdf = await this.pdf.render(html, {
      timeoutSeconds: 60,
      metadata: {
        title: String(translatorFor('en')('letters:taglines.documentTitle', { batchId })),
        language: 'en-US',
        createdAt: this.clock(),
      },
    })
    await fs.writeFile(file, pdf)
  }

  private documentMetadata(batchId: string): DocumentMetadata {
    return { title: `Temporary password letters ${batchId}`, language: 'en-US', createdAt: this.clock() }
  }

  /** Takes back batches whose run died: their letters go back to pending and their hidden files are removed. */
  /** The newest batch, whatever its state: what ops checks after the nightly run. */
  async latestBatch() {
    const row = await this.repository.latestBatch()
    return row && { id: row.id, status: row.status, pieces: row.piece_count, createdAt: row.created_at }
  }

  async recoverAbandoned(): Promise<string[]> {
    const stale = await this.repository.staleBuildingBatches(
      new Date(this.clock().getTime() - this.settings.leaseSeconds * 1000),
    )
    for (const batchId of stale) {
      const released = await this.repository.abandon(batchId)
      this.logger.warn({ batchId, released }, 'took back an abandoned letter batch')
    }
    // Hidden directories of runs that died, and directories of batches that never became ready.
    const known = new Map((await this.repository.batchIds()).map((batch) => [batch.id, batch.status]))
    for (const entry of await fs.readdir(this.settings.directory)) {
      const temp = /^\.tmp-(\d{8}-\d+)-/.exec(entry)
      if (!temp && !/^\d{8}-\d+$/.test(entry)) continue
      const owner = temp ? temp[1] : entry
      const status = known.get(owner)
      const orphan = temp
        ? status !== 'building'
        : status === undefined || status === 'abandoned' || status === 'building'
      if (orphan) await fs.rm(path.join(this.settings.directory, entry), { recursive: true, force: true })
    }
    return stale
  }

  /** Files hold live passwords: they go when the batch is mailed or after the retention period. */
  async deleteExpiredFiles(retentionDays: number): Promise<string[]> {
    const cutoff = new Date(this.clock().getTime() - retentionDays * 86_400_000)
    const batches = await this.repository.batchesWithFilesToDelete(cutoff)
    for (const batchId of batches) await this.deleteFiles(batchId)
    return batches
  }

  async deleteFiles(batchId: string): Promise<void> {
    await fs.rm(path.join(this.settings.directory, batchId), { recursive: true, force: true })
    await this.repository.markFilesDeleted(batchId, this.clock())
  }
}

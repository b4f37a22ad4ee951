import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { Db } from '../../src/platform/db'

/** The text of a PDF (or some of its pages), as pdftotext from Debian's poppler-utils reads it. */
export function pdfText(file: string, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : []
  return execFileSync('pdftotext', ['-layout', ...range, file, '-'], { encoding: 'utf8' })
}

export function pdfPageCount(file: string): number {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
  return Number(/Pages:\s+(\d+)/.exec(info)?.[1])
}

/** Each letter's user ID and temporary password (spaces removed), in letter order. */
export function lettersIn(directory: string): { userId: string; password: string }[] {
  const text = pdfText(path.join(directory, 'letters.pdf'))
  const pattern = /Your user ID\s+(\S+)\s+Your temporary password\s+([A-Za-z2-9]{4} [A-Za-z2-9]{4} [A-Za-z2-9]{4})/g
  return [...text.matchAll(pattern)].map((match) => ({ userId: match[1], password: match[2].replace(/ /g, '') }))
}

/** Roster members with mail accounts waiting for a letter, made directly: for batch tests of any size. */
export async function createPendingLetters(db: Db, count: number, prefix = 'bulk'): Promise<number[]> {
  const clinic = await db('clinics').first('id')
  const provider = await db('providers').first('id')
  const ids: number[] = []
  for (let start = 0; start < count; start += 500) {
    const size = Math.min(500, count - start)
    const numbers = Array.from({ length: size }, (_v, i) => start + i)
    await db.transaction(async (trx) => {
      await trx('members').insert(
        numbers.map((n) => ({
          mrn: `${prefix === 'bulk' ? 3 : 4}${String(n).padStart(7, '0')}`,
          first_name: `Test${n}`,
          last_name: `Member${prefix}`,
          birth_date: '1970-01-01',
          address_line1: `${100 + n} Elm Street`,
          address_line2: n % 3 === 0 ? `Apt ${n}` : null,
          city: 'Oakland',
          state: 'CA',
          zip: '94612',
          phone: '(510) 555-0000',
          clinic_id: clinic.id,
          pcp_provider_id: provider.id,
        })),
      )
      const members = await trx('members')
        .where('last_name', `Member${prefix}`)
        .whereIn(
          'first_name',
          numbers.map((n) => `Test${n}`),
        )
        .select('id', 'first_name')
      await trx('users').insert(
        members.map((member: { id: number; first_name: string }) => ({
          user_id: `${prefix}.${member.first_name.toLowerCase()}`,
          user_id_key: `${prefix}.${member.first_name.toLowerCase()}`,
          password_hash: 'unusable',
          role: 'member',
          display_name: member.first_name,
          member_id: member.id,
          credentials_pending: true,
        })),
      )
      const users = await trx('users')
        .whereIn(
          'member_id',
          members.map((member: { id: number }) => member.id),
        )
        .select('id', 'member_id')
      const now = new Date()
      await trx('temp_password_requests').insert(
        users.map((user: { id: number; member_id: number }) => ({
          user_id: user.id,
          member_id: user.member_id,
          reason: 'registration',
          status: 'pending',
          requested_at: now,
        })),
      )
      ids.push(...users.map((user: { id: number }) => user.id))
    })
  }
  return ids
}

import { execFileSync } from 'node:child_process'
import path from 'node:path'

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
export { createPendingLetters } from '../../src/demo/bulk-letters'

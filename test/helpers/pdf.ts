import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PDFBool, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib'

export interface PdfDocumentFacts {
  /** The title pdfinfo reads from the document information dictionary. */
  title: string
  tagged: boolean
  /** The XMP packet of the catalog's Metadata stream, as pdfinfo -meta prints it ('' when there is none). */
  xmp: string
  /** The catalog's natural language (Lang). */
  language: string | undefined
  /** Whether a reader shows the title rather than the file name (ViewerPreferences DisplayDocTitle). */
  displaysTitle: boolean
}

/** What a PDF says about itself, read back as a reader would: poppler's pdfinfo, and pdf-lib for the catalog. */
export async function pdfDocumentFacts(pdf: Buffer | string): Promise<PdfDocumentFacts> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'portal-pdf-facts-'))
  try {
    const file = typeof pdf === 'string' ? pdf : path.join(directory, 'document.pdf')
    if (typeof pdf !== 'string') writeFileSync(file, pdf)
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
    const xmp = execFileSync('pdfinfo', ['-meta', file], { encoding: 'utf8' })
    const document = await PDFDocument.load(readFileSync(file), { updateMetadata: false })
    const lang = document.catalog.lookup(PDFName.of('Lang'))
    const preferences = document.catalog.lookupMaybe(PDFName.of('ViewerPreferences'), PDFDict)
    return {
      title: /^Title:\s+(.*)$/m.exec(info)?.[1] ?? '',
      tagged: /^Tagged:\s+yes$/m.test(info),
      xmp,
      language: lang instanceof PDFString || lang instanceof PDFHexString ? lang.decodeText() : undefined,
      displaysTitle: preferences?.lookup(PDFName.of('DisplayDocTitle')) === PDFBool.True,
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

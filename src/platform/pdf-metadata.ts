import { open, type FileHandle } from 'node:fs/promises'
import { PDFDocument, PDFName } from 'pdf-lib'

/** What a document says about itself: the title a reader shows and announces, and its natural language. */
export interface DocumentMetadata {
  title: string
  /** BCP 47, as the HTML's `lang`: `en-US`, `es-US`. */
  language: string
  subject?: string
  createdAt: Date
}

const producer = 'Member Portal'

const xmlText = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`).replace(/[^\t\n\r\u0020-\uFFFD]/gu, '')

/**
 * The XMP packet (ISO 16684-1) a PDF/UA document carries in its catalog's Metadata stream: the title (dc:title,
 * which PDF/UA-1 §7.1 requires), the language, and the PDF/UA identification schema (`pdfuaid:part` 1) that
 * declares the file's claim to ISO 14289-1.
 */
export function xmpPacket(metadata: DocumentMetadata, options: { pdfUa: boolean } = { pdfUa: true }): string {
  const at = metadata.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return `<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"${options.pdfUa ? '\n    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"' : ''}>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xmlText(metadata.title)}</rdf:li></rdf:Alt></dc:title>
   ${metadata.subject ? `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlText(metadata.subject)}</rdf:li></rdf:Alt></dc:description>` : ''}
   <dc:language><rdf:Bag><rdf:li>${xmlText(metadata.language)}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>${producer}</pdf:Producer>
   <xmp:CreatorTool>${producer}</xmp:CreatorTool>
   <xmp:CreateDate>${at}</xmp:CreateDate>
   <xmp:ModifyDate>${at}</xmp:ModifyDate>
   <xmp:MetadataDate>${at}</xmp:MetadataDate>
   ${options.pdfUa ? '<pdfuaid:part>1</pdfuaid:part>' : ''}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
}

/**
 * Chromium's tagged PDF, finished as PDF/UA asks of the document as a whole (ISO 14289-1 §7.1, §7.2): the XMP
 * metadata with the PDF/UA identifier and dc:title, the title shown in the window rather than the file name
 * (ViewerPreferences DisplayDocTitle), and the natural language in the catalog (Lang). The pages, their content
 * and Chromium's structure tree are kept as they are.
 */
export async function withDocumentMetadata(pdf: Uint8Array, metadata: DocumentMetadata): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false })
  document.setTitle(metadata.title, { showInWindowTitleBar: true })
  document.setLanguage(metadata.language)
  if (metadata.subject) document.setSubject(metadata.subject)
  document.setProducer(producer)
  document.setCreator(producer)
  document.setCreationDate(metadata.createdAt)
  document.setModificationDate(metadata.createdAt)
  const xmp = document.context.stream(xmpPacket(metadata), { Type: 'Metadata', Subtype: 'XML' })
  document.catalog.set(PDFName.of('Metadata'), document.context.register(xmp))
  // Tagged content is marked as such (Chromium writes the structure tree; a reader looks here first).
  if (document.catalog.get(PDFName.of('StructTreeRoot')))
    document.catalog.set(PDFName.of('MarkInfo'), document.context.obj({ Marked: true }))
  return Buffer.from(await document.save({ useObjectStreams: false }))
}

async function readAt(file: FileHandle, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead).toString('latin1')
}

/** A PDF text string in UTF-16BE with its byte-order mark, as hex: any title, no escaping to get wrong. */
const pdfTextString = (text: string) =>
  `<FEFF${[...text].map((character) => Buffer.from(character, 'utf16le').swap16().toString('hex')).join('')}>`

/** D:YYYYMMDDHHmmSSZ */
const pdfDate = (at: Date) => `(D:${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`

/** The text between a dictionary's outer `<<` and `>>`, nested dictionaries included. */
function dictionaryBody(text: string): string {
  const start = text.indexOf('<<')
  let depth = 0
  for (let index = start; index < text.length - 1; index++) {
    if (text.startsWith('<<', index)) {
      depth++
      index++
    } else if (text.startsWith('>>', index)) {
      depth--
      if (depth === 0) return text.slice(start + 2, index)
      index++
    }
  }
  throw new Error('The catalog dictionary does not end')
}

/**
 * The document's title, language and XMP metadata added to a PDF file (one with a classic cross-reference table,
 * as pdfunite writes) by an incremental update (ISO 32000-1 §7.5.6): new objects, a new catalog and a new
 * cross-reference section are appended, and only the file's tail and catalog are read, so a 40 MB letter batch
 * is never held in memory. `pdfUa` says whether the file may claim PDF/UA: only a tagged file may.
 */
export async function appendDocumentMetadata(
  path: string,
  metadata: DocumentMetadata,
  options: { pdfUa: boolean },
): Promise<void> {
  const file = await open(path, 'r+')
  try {
    const { size } = await file.stat()
    const tail = await readAt(file, Math.max(0, size - 4096), Math.min(4096, size))
    const previous = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail)?.[1] ?? NaN)
    if (!Number.isInteger(previous)) throw new Error(`${path}: no startxref at the end`)
    const section = await readAt(file, previous, size - previous)
    if (!section.startsWith('xref')) throw new Error(`${path}: not a classic cross-reference table`)
    const trailer = section.slice(section.lastIndexOf('trailer'))
    const root = /\/Root\s+(\d+)\s+(\d+)\s+R/.exec(trailer)
    const declaredSize = Number(/\/Size\s+(\d+)/.exec(trailer)?.[1] ?? 0)
    if (!root) throw new Error(`${path}: the trailer names no catalog`)
    const [rootNumber, rootGeneration] = [Number(root[1]), Number(root[2])]

    // Each subsection: "first count", then count entries of "offset generation n|f".
    let highest = declaredSize - 1
    let rootOffset: number | undefined
    const lines = section.slice(4, section.indexOf('trailer')).split(/\r\n|\r|\n/)
    for (let index = 0, next = 0; index < lines.length; index++) {
      const header = /^(\d+) (\d+)\s*$/.exec(lines[index])
      if (header) {
        next = Number(header[1])
        continue
      }
      const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(lines[index])
      if (!entry) continue
      if (next === rootNumber && entry[3] === 'n') rootOffset = Number(entry[1])
      highest = Math.max(highest, next)
      next++
    }
    if (rootOffset === undefined) throw new Error(`${path}: the catalog is not in the last cross-reference table`)
    const catalog = dictionaryBody(await readAt(file, rootOffset, 8192))
    if (/\/(Metadata|Lang|ViewerPreferences)\b/.test(catalog))
      throw new Error(`${path}: the catalog already has document metadata`)

    const metadataNumber = highest + 1
    const infoNumber = highest + 2
    const xmp = xmpPacket(metadata, options)
    const objects: [number, number, string][] = [
      [
        metadataNumber,
        0,
        `<< /Type /Metadata /Subtype /XML /Length ${Buffer.byteLength(xmp)} >>\nstream\n${xmp}\nendstream`,
      ],
      [
        infoNumber,
        0,
        `<< /Title ${pdfTextString(metadata.title)} /Producer (${producer}) /Creator (${producer}) ` +
          `/CreationDate ${pdfDate(metadata.createdAt)} /ModDate ${pdfDate(metadata.createdAt)} >>`,
      ],
      [
        rootNumber,
        rootGeneration,
        `<<${catalog} /Metadata ${metadataNumber} 0 R /Lang ${pdfTextString(metadata.language)} ` +
          `/ViewerPreferences << /DisplayDocTitle true >> >>`,
      ],
    ]
    let body = '\n'
    const entries: { number: number; line: string }[] = []
    for (const [number, generation, value] of objects) {
      const text = `${number} ${generation} obj\n${value}\nendobj\n`
      entries.push({
        number,
        line: `${String(size + Buffer.byteLength(body)).padStart(10, '0')} ${String(generation).padStart(5, '0')} n \n`,
      })
      body += text
    }
    const xrefAt = size + Buffer.byteLength(body)
    entries.sort((a, b) => a.number - b.number)
    let xref = 'xref\n0 1\n0000000000 65535 f \n'
    for (const entry of entries) xref += `${entry.number} 1\n${entry.line}`
    body +=
      xref +
      `trailer\n<< /Size ${infoNumber + 1} /Root ${rootNumber} ${rootGeneration} R /Info ${infoNumber} 0 R /Prev ${previous} >>\n` +
      `startxref\n${xrefAt}\n%%EOF\n`
    await file.write(Buffer.from(body, 'utf8'), 0, undefined, size)
  } finally {
    await file.close()
  }
}

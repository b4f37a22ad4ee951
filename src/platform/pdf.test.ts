import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { loadConfig } from '../config'
import { PdfRenderer } from './pdf'

const run = promisify(execFile)

async function pdfInfoAndText(pdf: Buffer): Promise<{ info: string; text: string }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'portal-pdf-'))
  try {
    const file = path.join(directory, 'test.pdf')
    await writeFile(file, pdf)
    const [info, text] = await Promise.all([run('pdfinfo', [file]), run('pdftotext', [file, '-'])])
    return { info: info.stdout, text: text.stdout }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

describe('the PDF renderer', function () {
  this.timeout(60_000)
  const renderer = new PdfRenderer(loadConfig().chromiumPath)
  after(() => renderer.close())

  it('turns HTML into a US Letter PDF', async () => {
    const pdf = await renderer.render(
      '<!DOCTYPE html><html><body><h1>A letter for Maria</h1><p>Page one.</p></body></html>',
    )
    const { info, text } = await pdfInfoAndText(pdf)
    assert.match(info, /Page size:\s+612 x 792 pts \(letter\)/)
    assert.match(text, /A letter for Maria/)
  })

  it('never runs scripts in the document', async () => {
    const pdf = await renderer.render(
      '<!DOCTYPE html><html><body><p id="text">Static words</p><script>document.getElementById("text").textContent = "Script ran"</script></body></html>',
    )
    const { text } = await pdfInfoAndText(pdf)
    assert.match(text, /Static words/)
    assert.doesNotMatch(text, /Script ran/)
  })

  it('renders several documents at once on one browser, and starts it again after close', async () => {
    const pdfs = await Promise.all(
      Array.from({ length: 6 }, (_, index) => renderer.render(`<p>Document number ${index}</p>`)),
    )
    for (const [index, pdf] of pdfs.entries()) {
      assert.match((await pdfInfoAndText(pdf)).text, new RegExp(`Document number ${index}`))
    }
    await renderer.close()
    const again = await renderer.render('<p>After closing</p>')
    assert.match((await pdfInfoAndText(again)).text, /After closing/)
  })
})

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { pageText, signedOnAgent, titleOf, useTestApp } from '../helpers/app'
import { memberIdOf } from '../helpers/records'
import { pdfDocumentFacts } from '../helpers/pdf'

const run = promisify(execFile)

/** The text of a PDF as Debian's pdftotext reads it, with its spacing evened out. */
async function pdfText(pdf: Buffer): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'portal-pdf-'))
  try {
    const file = path.join(directory, 'document.pdf')
    await writeFile(file, pdf)
    const { stdout } = await run('pdftotext', ['-layout', file, '-'])
    return stdout.replace(/\s+/g, ' ')
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

function binary(response: supertest.Response, done: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = []
  response.on('data', (chunk: Buffer) => chunks.push(chunk))
  response.on('end', () => done(null, Buffer.concat(chunks)))
}

describe('vaccination records', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })

  const signedOn = (userId?: string) => signedOnAgent(app, userId)

  it('shows the member, birth date, issue date and every vaccine with date, dose, CVX code and where given', async () => {
    const response = await (await signedOn()).get('/vaccinations').expect(200)
    assert.equal(titleOf(response.text), 'Vaccination records – Member Portal')
    const text = pageText(response.text)
    assert.match(text, /Name\s*Alex Rivera/)
    assert.match(text, /Date of birth\s*June 21, 1980/)
    assert.match(text, /Date issued\s*November 25, 2026/)
    const $ = cheerio.load(response.text)
    const byCells = $('.record-table tbody tr')
      .toArray()
      .map((row) =>
        $(row)
          .children()
          .toArray()
          .map((cell) => $(cell).text().trim()),
      )
    assert.deepEqual(byCells[0], [
      'MMR (measles, mumps, rubella)',
      'Jun 25, 1981',
      'Dose 1 of 2',
      '03',
      'Records from childhood doctor',
    ])
    assert.ok(
      byCells.some((cells) =>
        ['Tdap', 'Apr 10, 2019', 'Booster', '115', 'San Leandro Medical Center'].every((cell, i) => cells[i] === cell),
      ),
    )
    assert.equal(byCells.length, 11)
    assert.deepEqual(byCells.slice(-1)[0].slice(0, 4), [
      'Influenza, injectable, preservative free',
      'Oct 14, 2026',
      '2026–2027 season',
      '140',
    ])
  })

  it('offers the record as a PDF and explains how to print it', async () => {
    const response = await (await signedOn()).get('/vaccinations').expect(200)
    const $ = cheerio.load(response.text)
    assert.equal($('a:contains("Download the record as a PDF")').attr('href'), '/vaccinations/record.pdf')
    assert.match(pageText(response.text), /Print this page with your browser's Print command/)
  })

  it('downloads a PDF with the member, birth date, issue date and vaccines, for school and camp forms', async function () {
    this.timeout(60_000)
    const agent = await signedOn()
    const response = await agent.get('/vaccinations/record.pdf').buffer(true).parse(binary).expect(200)
    assert.equal(response.headers['content-type'], 'application/pdf')
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="vaccination-record\.pdf"$/)
    const pdf = response.body as Buffer
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
    // A tagged PDF that says what it is (PDF/UA-1): its title in the window, its language, and the XMP claim.
    const facts = await pdfDocumentFacts(pdf)
    assert.equal(facts.title, 'Vaccination record')
    assert.ok(facts.tagged)
    assert.ok(facts.displaysTitle)
    assert.equal(facts.language, 'en-US')
    assert.match(facts.xmp, /<pdfuaid:part>1<\/pdfuaid:part>/)
    assert.match(facts.xmp, /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Vaccination record<\/rdf:li>/)
    const text = await pdfText(pdf)
    for (const expected of [
      'Immunization record',
      'Alex Rivera',
      'June 21, 1980',
      'November 25, 2026',
      'Hepatitis B, adult',
      'Tdap',
      'Apr 10, 2019',
      'COVID-19, mRNA (Pfizer)',
      '208',
      'Oakland Coliseum',
    ]) {
      assert.ok(text.includes(expected), `the PDF says ${expected}`)
    }
  })

  it("puts only the signed-on member's own vaccines in the PDF", async function () {
    this.timeout(60_000)
    const response = await (
      await signedOn('pat.rivera')
    )
      .get('/vaccinations/record.pdf')
      .buffer(true)
      .parse(binary)
      .expect(200)
    const text = await pdfText(response.body as Buffer)
    assert.ok(text.includes('Pat Rivera'))
    assert.ok(text.includes('September 30, 1948'))
    assert.ok(text.includes('Zoster, recombinant (Shingrix)'))
    assert.ok(!text.includes('Alex Rivera'))
    assert.ok(!text.includes('Hepatitis B, adult'))
  })

  it('holds the childhood series for the children, with CVX codes, for later proxy access', async () => {
    const sam = await memberIdOf(services.db, '11000004')
    const shots = await services
      .db('immunizations')
      .where({ member_id: sam })
      .select('vaccine_name', 'cvx_code', 'dose')
    const dtap = shots.filter((shot) => shot.cvx_code === '20').map((shot) => shot.dose)
    assert.deepEqual(dtap, ['Dose 1 of 5', 'Dose 2 of 5', 'Dose 3 of 5', 'Dose 4 of 5', 'Dose 5 of 5'])
    assert.ok(shots.some((shot) => shot.cvx_code === '03' && shot.dose === 'Dose 2 of 2'))
  })

  it('shows the record and makes the PDF in Spanish for a member who reads Spanish; vaccine names stay as recorded', async function () {
    this.timeout(60_000)
    const agent = await signedOn('pat.rivera')
    await agent.get('/language?to=es&return=/vaccinations').expect(303)
    const page = await agent.get('/vaccinations').expect(200)
    const $ = cheerio.load(page.text)
    assert.equal($('html').attr('lang'), 'es')
    assert.equal($('h1').text(), 'Registros de vacunas')
    assert.equal(titleOf(page.text), 'Registros de vacunas – Member Portal')
    const text = pageText(page.text)
    assert.match(text, /Su historial de vacunas, para los formularios de la escuela/)
    assert.match(text, /Fecha de nacimiento\s*30 de septiembre de 1948/)
    assert.match(text, /Fecha de emisión\s*25 de noviembre de 2026/)
    assert.match(text, /Zoster, recombinant \(Shingrix\)/)
    assert.deepEqual(
      $('.record-table thead th')
        .map((_i, cell) => $(cell).text())
        .get(),
      ['Vacuna', 'Fecha en que se puso', 'Dosis', 'Código CVX', 'Dónde se puso'],
    )
    assert.ok($('.record-table td[data-label="Dosis"]').text().includes('Dosis 1 de 2'))
    assert.doesNotMatch(text, /Dose \d of|Date of birth|Download the record/)

    const response = await agent.get('/vaccinations/record.pdf').buffer(true).parse(binary).expect(200)
    const facts = await pdfDocumentFacts(response.body as Buffer)
    assert.equal(facts.title, 'Registro de vacunas')
    assert.equal(facts.language, 'es-US')
    const pdf = await pdfText(response.body as Buffer)
    for (const expected of [
      'Registro de vacunas',
      'Nombre',
      'Pat Rivera',
      'Fecha de nacimiento',
      '30 de septiembre de 1948',
      '25 de noviembre de 2026',
      'Vacuna',
      'Zoster, recombinant (Shingrix)',
      'Servicio a los Miembros',
    ]) {
      assert.ok(pdf.includes(expected), `the PDF says ${expected}`)
    }
    assert.ok(!pdf.includes('Immunization record'))
    assert.ok(!pdf.includes('Date of birth'))
  })
})

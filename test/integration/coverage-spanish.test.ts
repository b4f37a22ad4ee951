import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as cheerio from 'cheerio'
import { PDFDocument, PDFName, PDFString } from 'pdf-lib'
import type supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { localesDirectory } from '../../src/platform/i18n'
import {
  type Agent,
  buildApp,
  closeServices,
  errorSummary,
  pageText,
  resetWithDemoPlan,
  signedOnAgent,
  testServices,
  titleOf,
} from '../helpers/app'
import { chooseMember } from '../helpers/family'
import { claimsOf, memberIdOf } from '../helpers/records'

type Tree = { [key: string]: string | Tree }

const run = promisify(execFile)

/** The text of a PDF as pdftotext reads it, with its spacing evened out. */
async function pdfText(pdf: Buffer): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'portal-pdf-'))
  try {
    await writeFile(path.join(directory, 'letter.pdf'), pdf)
    const { stdout } = await run('pdftotext', ['-layout', path.join(directory, 'letter.pdf'), '-'])
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

const messages = (language: string, namespace: string): Tree =>
  JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree

function flatten(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value, `${prefix}${key}.`),
  )
}

/**
 * The English of these pages that Spanish words differently, as the fixed runs of words between the
 * interpolated values and markup ("Enter a price more than $0", "left to go."): none may show on a Spanish page.
 */
const englishOnly = ['coverage', 'priorAuthorizations', 'viewing'].flatMap((namespace) => {
  const spanish = new Map(flatten(messages('es', namespace)))
  return flatten(messages('en', namespace))
    .filter(([key, english]) => spanish.get(key) !== english)
    .flatMap(([, english]) => english.split(/\{\{\w+\}\}|<[^>]+>/))
    .map((run) => run.trim())
    .filter((run) => run.length >= 8 && /[a-z]{3}/.test(run))
})

/** The page's text but for what the plan's systems recorded in English (marked lang="en"), which stays as written. */
function translatedText(html: string): string {
  const $ = cheerio.load(html)
  $('body [lang="en"]').remove()
  return $('body').text().replace(/\s+/g, ' ')
}

function assertNoEnglish(html: string, page: string) {
  const text = translatedText(html)
  const left = englishOnly.filter((english) => text.includes(english))
  assert.deepEqual(left, [], `${page} shows English`)
}

describe('coverage and prior authorizations in Spanish', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  const app = buildApp(services)

  async function inSpanish(userId?: string): Promise<Agent> {
    const agent = await signedOnAgent(app, userId)
    await agent.get('/language?to=es').expect(303)
    return agent
  }

  const authorizationId = async (authNumber: string) =>
    Number((await services.db('prior_authorizations').where({ auth_number: authNumber }).first('id')).id)

  before(() => resetWithDemoPlan(services, clock))
  beforeEach(() => services.redis.flushdb())
  after(async () => {
    await services.db('members').update({ preferred_language: 'en' }).whereIn('mrn', ['11000003', '11000006'])
    await closeServices(services)
  })

  it('shows the plan, the meters, what services cost and the claims in Spanish', async () => {
    const response = await (await inSpanish()).get('/coverage').expect(200)
    const $ = cheerio.load(response.text)
    assert.equal($('html').attr('lang'), 'es')
    assert.equal(titleOf(response.text), 'Cobertura y costos – Member Portal')
    assert.equal($('h1').text(), 'Cobertura y costos')
    const text = pageText(response.text)
    assert.match(text, /Su plan/)
    assert.match(text, /Plan\s*Silver 2000 \(HMO\)/)
    assert.match(text, /Año del plan\s*Del 1 de marzo de 2026 al 28 de febrero de 2027/)
    assert.equal($('#deductible-label').text(), 'Deducible')
    assert.equal($('#out-of-pocket-label').text(), 'Máximo de gastos de bolsillo')
    assert.equal(
      $('#deductible-text').text().replace(/\s+/g, ' ').trim(),
      '$1,640.00 de $2,000.00 cubierto (82%). Le faltan $360.00.',
    )
    assert.match(text, /Visita de atención primaria\s*Copago de \$25\.00/)
    assert.match(text, /Atención preventiva \(chequeos, pruebas de detección, vacunas\)\s*Nada \(copago de \$0\)/)
    assert.match(text, /Resonancia magnética o tomografía computarizada\s*Coseguro del 20% después del deducible/)
    assert.match(text, /Visita a la sala de emergencias\s*No se cobra si lo ingresan en el hospital/)
    assert.match(text, /Todos sus reclamos \(15\)/)
    assert.equal($('.claims-table tbody tr').first().find('td').last().text().trim(), 'En proceso')
    assert.equal($('.claims-table tbody tr').first().find('td').first().text().trim(), '23 nov 2026')
    // The member tools in the navigation, from src/viewing.
    const tools = $('.tool-nav a')
      .map((_index, link) => $(link).text())
      .get()
    for (const name of ['Resultados de laboratorio', 'Recetas', 'Mensajes', 'Citas', 'Cobertura y costos'])
      assert.ok(tools.includes(name), `the navigation names ${name}`)
    assertNoEnglish(response.text, '/coverage')
  })

  it('estimates a cost in Spanish', async () => {
    const response = await (await inSpanish()).get('/coverage/estimate').query({ service: 'mri-ct' }).expect(200)
    assert.equal(
      titleOf(response.text),
      'Su estimado de costos para: Resonancia magnética o tomografía computarizada – Member Portal',
    )
    const $ = cheerio.load(response.text)
    assert.equal(
      $('.estimate-result h2').text(),
      'Resonancia magnética o tomografía computarizada: usted pagaría unos $528.00',
    )
    const text = pageText(response.text)
    assert.match(text, /Para su deducible\s*\$360\.00 \(le faltaban \$360\.00 para cubrirlo\)/)
    assert.match(text, /Su coseguro del 20% sobre el resto\s*\$168\.00/)
    assert.match(text, /El plan pagaría\s*\$672\.00/)
    assert.equal($('#service option').first().text(), 'Elija un servicio')
    assert.equal($('#service option[value="x-ray"]').text(), 'Radiografía')
    assertNoEnglish(response.text, '/coverage/estimate')
  })

  it('answers bad input on the estimate form in Spanish', async () => {
    const agent = await inSpanish()
    const cases: [Record<string, string>, string[]][] = [
      [{ service: '' }, ['Elija el servicio del que quiere un estimado']],
      [{ service: 'brain-transplant' }, ['Elija un servicio de la lista']],
      [{ service: 'mri-ct', price: '-5' }, ['Escriba el precio en dólares, por ejemplo 1250 o 1,250.00']],
      [{ service: 'mri-ct', price: '0' }, ['Escriba un precio mayor de $0']],
      [{ service: 'mri-ct', price: '1000000.01' }, ['Escriba un precio de $1,000,000 o menos']],
      [
        { service: 'x'.repeat(50), price: '9'.repeat(30) },
        ['Elija un servicio de la lista', 'El precio debe tener 20 caracteres o menos'],
      ],
    ]
    for (const [query, expected] of cases) {
      const response = await agent.get('/coverage/estimate').query(query).expect(400)
      const label = JSON.stringify(query).slice(0, 60)
      assert.equal(titleOf(response.text), 'Error: Calcule su costo – Member Portal', label)
      assert.deepEqual(errorSummary(response.text), expected, label)
      const $ = cheerio.load(response.text)
      assert.equal($('.error-summary h2').text().trim(), 'Hay un problema', label)
      assertNoEnglish(response.text, `/coverage/estimate ${label}`)
    }
  })

  it('lists the claims and shows one in Spanish, its dates in Spanish', async () => {
    const agent = await inSpanish()
    const list = await agent.get('/coverage/claims').expect(200)
    assert.equal(titleOf(list.text), 'Sus reclamos (página 1 de 2) – Member Portal')
    assert.match(pageText(list.text), /15 reclamos, del más nuevo al más antiguo/)
    assert.match(pageText(list.text), /Página 1 de 2/)
    assertNoEnglish(list.text, '/coverage/claims')

    const claims = await claimsOf(services.db, '11000003')
    const mri = claims.find((claim) => claim.service_description === 'MRI, lower back')
    const response = await agent.get(`/coverage/claims/${mri.id}`).expect(200)
    const text = pageText(response.text)
    assert.match(text, new RegExp(`Reclamo ${mri.claim_number}`))
    assert.match(text, /Fecha del servicio\s*\d{1,2} de \w+ de 2026/)
    assert.match(text, /Estado\s*Procesado el \d{1,2} de \w+ de 2026/)
    assert.match(text, /Facturado por el proveedor\s*\$1,680\.00/)
    assert.match(text, /Su deducible\s*\$1,200\.00/)
    assert.match(text, /Usted debe\s*\$1,200\.00/)
    assertNoEnglish(response.text, '/coverage/claims/:id')

    const [pending] = claims
    const waiting = await agent.get(`/coverage/claims/${pending.id}`).expect(200)
    assert.match(pageText(waiting.text), /El plan todavía no ha procesado este reclamo/)
  })

  it('shows prior authorizations, their statuses and how to appeal in Spanish', async () => {
    const agent = await inSpanish()
    const list = await agent.get('/coverage/authorizations').expect(200)
    assert.equal(titleOf(list.text), 'Autorizaciones previas – Member Portal')
    const $ = cheerio.load(list.text)
    assert.deepEqual(
      $('tbody td[data-label="Estado"] strong')
        .map((_index, cell) => $(cell).text())
        .get(),
      ['Esperando una decisión', 'Aprobada', 'Denegada'],
    )
    assert.match(pageText(list.text), /Decisión a más tardar el \d{1,2} de \w+ de 2026, a las/)
    assertNoEnglish(list.text, '/coverage/authorizations')

    const pending = await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000102')}`).expect(200)
    assert.match(pageText(pending.text), /Estado: Esperando una decisión/)
    assert.match(pageText(pending.text), /Las solicitudes normales se deciden en un plazo de 7 días calendario/)
    assertNoEnglish(pending.text, 'a pending authorization')

    const approved = await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000101')}`).expect(200)
    assert.equal(titleOf(approved.text), 'Autorización previa PA-2026-000101: Aprobada – Member Portal')
    assert.match(pageText(approved.text), /Vigencia\s*Del \d{1,2} de \w+ de 2026 al \d{1,2} de \w+ de 2027/)
    assert.match(pageText(approved.text), /Aprobadas\s*1 \(0 usadas, 1 por usar\)/)
    assertNoEnglish(approved.text, 'an approved authorization')

    const denied = await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000103')}`).expect(200)
    const text = pageText(denied.text)
    assert.match(text, /Por qué se denegó\s*A home sleep test is covered first/, 'the plan’s reason stays as recorded')
    assert.match(text, /Cómo presentar una apelación/)
    assert.match(text, /Llame a Servicio a los Miembros al 1-800-555-0100 \(TTY 711\)/)
    assert.equal(cheerio.load(denied.text)('main a[href="/messages/new"]').text(), 'envíe un mensaje')
  })

  it('gives the decision letter PDF in Spanish, titled and marked as Spanish', async function () {
    this.timeout(60_000)
    const agent = await inSpanish()
    const denied = await authorizationId('PA-2026-000103')
    const response = await agent
      .get(`/coverage/authorizations/${denied}/letter.pdf`)
      .buffer(true)
      .parse(binary)
      .expect(200)
    assert.match(String(response.headers['content-disposition']), /autorizacion-previa-PA-2026-000103\.pdf/)
    const pdf = response.body as Buffer
    const text = await pdfText(pdf)
    for (const expected of [
      'Decisión sobre una autorización previa',
      'Alex Rivera',
      'Número de autorización PA-2026-000103',
      'Denegada, el',
      ' de 2026',
      'A home sleep test is covered first',
      '(código de motivo 50)',
      'Su derecho a apelar',
    ])
      assert.ok(text.includes(expected), `the letter says "${expected}"`)
    for (const english of ['Prior authorization decision', 'Your right to appeal', 'Letter date'])
      assert.ok(!text.includes(english), `the letter does not say "${english}"`)
    const document = await PDFDocument.load(pdf, { updateMetadata: false })
    assert.equal(document.getTitle(), 'Autorización previa PA-2026-000103')
    assert.equal(document.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText(), 'es-US')
  })

  it('names the member a parent is acting for, in Spanish words', async () => {
    const agent = await inSpanish()
    const sam = await memberIdOf(services.db, '11000004')
    await chooseMember(agent, sam, '/coverage')
    const coverage = await agent.get('/coverage').expect(200)
    const headings = cheerio
      .load(coverage.text)('main h2')
      .map((_index, heading) => cheerio.load(heading).text())
      .get()
    assert.ok(headings.includes('Plan de Sam Rivera'), headings.join(' | '))
    assert.ok(headings.includes('Lo que se ha pagado por Sam Rivera en este año del plan'), headings.join(' | '))
    assertNoEnglish(coverage.text, '/coverage for Sam')
    const list = await agent.get('/coverage/authorizations').expect(200)
    assert.equal(cheerio.load(list.text)('h1').text(), 'Autorizaciones previas de Sam Rivera')
    const claims = await agent.get('/coverage/claims').expect(200)
    assert.equal(cheerio.load(claims.text)('h1').text(), 'Reclamos de Sam Rivera')
  })
})

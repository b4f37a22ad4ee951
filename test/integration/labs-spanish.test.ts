import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import type { Db } from '../../src/platform/db'
import { csrfTokenIn, errorSummary, pageText, signedOnAgent, spanishAgent, titleOf, useTestApp } from '../helpers/app'
import { assertAllSpanish, englishLeftovers } from '../helpers/english-leftovers'
import { chooseMember } from '../helpers/family'
import { labResultIds, memberIdOf } from '../helpers/records'

// A Wednesday, 7 a.m. in California.
const seedDay = new Date('2026-11-25T15:00:00Z')

/** What the demo plan records and a page shows as it is: tests, values, notes, doctors, clinics. */
async function recordedTexts(db: Db): Promise<string[]> {
  const results = await db('lab_results').select('test_name', 'panel_name', 'value', 'unit', 'reference_range')
  const notes = await db('lab_results').whereNotNull('review_note').pluck('review_note')
  const providers = await db('providers').pluck('name')
  const clinics = await db('clinics').select('name', 'address_line1 as address', 'city')
  return [
    ...results.flatMap((row) => [row.test_name, row.panel_name, row.value, row.unit, row.reference_range]),
    ...notes,
    ...providers,
    ...clinics.flatMap((clinic) => [clinic.name, clinic.address, clinic.city]),
  ].filter((text): text is string => typeof text === 'string' && text !== '')
}

describe('lab results in Spanish', () => {
  const clock = fixedClock(seedDay)
  const { services, app } = useTestApp({ clock })
  let recorded: string[] = []

  before(async () => {
    recorded = await recordedTexts(services.db)
  })
  beforeEach(() => clock.set(seedDay))

  it('finds English on the same page in English (the leftover finder works)', async () => {
    const english = await (await signedOnAgent(app)).get('/labs').expect(200)
    const found = englishLeftovers(english.text, recorded)
    assert.ok(found.phrases.includes('When results appear online'), found.phrases.join(' | '))
    assert.ok(found.words.includes('Nov'), found.words.join(' '))
  })

  it('lists results in Spanish: title, headings, the count, short dates, flags and why a result waits', async () => {
    const agent = await spanishAgent(app)
    const list = await agent.get('/labs').expect(200)
    assert.equal(titleOf(list.text), 'Resultados de laboratorio (página 1 de 3) – Member Portal')
    const $ = cheerio.load(list.text)
    assert.equal($('h1').text(), 'Resultados de laboratorio')
    assert.match(pageText(list.text), /29 resultados, del más reciente al más antiguo\./)
    assert.match(pageText(list.text), /¿Cuándo quiere ver los resultados nuevos\?/)
    assert.match($('main tbody tr').first().find('td').first().text(), /24 nov 2026/)
    assert.match(pageText(list.text), /Alto/)
    assertAllSpanish(list.text, '/labs', recorded)
    for (const address of ['/labs?page=2', '/labs?page=3', '/labs?test=LDL'])
      assertAllSpanish((await agent.get(address).expect(200)).text, address, recorded)
    const filtered = await agent.get('/labs?test=LDL').expect(200)
    assert.equal(titleOf(filtered.text), 'Resultados de laboratorio de LDL cholesterol – Member Portal')
    assert.match(pageText(filtered.text), /4 resultados de LDL cholesterol \(mostrar todas las pruebas\)/)
  })

  it('shows a result, its trend chart and the chart’s words in Spanish, the test’s name as recorded', async () => {
    const agent = await spanishAgent(app)
    const [, , , latest] = await labResultIds(services.db, '11000003', 'LDL')
    const response = await agent.get(`/labs/${latest}`).expect(200)
    assert.equal(titleOf(response.text), 'LDL cholesterol, 24 de noviembre de 2026 – Member Portal')
    const text = pageText(response.text)
    assert.match(text, /Su resultado\s*118 mg\/dL/)
    assert.match(text, /Indicador\s*Alto – fuera del rango habitual para esta prueba/)
    assert.match(text, /Rango de referencia\s*Below 100 mg\/dL/)
    assert.match(text, /Fecha de la muestra\s*24 de noviembre de 2026/)
    assert.match(text, /Pedida por\s*Dr\. Marcus Bell/)
    const $ = cheerio.load(response.text)
    assert.match($('#trend-title').text(), /^LDL cholesterol: 4 resultados del 21 oct 2025 al 24 nov 2026$/)
    assert.match($('#trend-desc').text(), /24 nov 2026: 118 mg\/dL \(Alto\)/)
    // The flagged points carry the Spanish letter, which the caption explains.
    assert.match($('figure.trend-chart-wide svg text').text(), /118 A/)
    assert.match($('figure.trend-chart-wide figcaption').text(), /A alto, B bajo, AN anormal/)
    assertAllSpanish(response.text, `/labs/${latest}`, recorded)
  })

  it('says in Spanish why a result waits: a clinician’s hold, state law, and the member’s own choice', async () => {
    const [magnesium] = await labResultIds(services.db, '11000003', 'MG')
    const alex = await spanishAgent(app)
    const held = await alex.get(`/labs/${magnesium}`).expect(200)
    assert.match(pageText(held.text), /Aparecerá aquí a más tardar el 30 de noviembre de 2026/)
    assert.match(
      pageText(held.text),
      /llame al consultorio de su médico: San Leandro Medical Center, \(510\) 555-0300\./,
    )
    assertAllSpanish(held.text, 'a clinician’s hold', recorded)

    const [biopsy] = await labResultIds(services.db, '11000003', 'SKINPATH')
    const lawHeld = await alex.get(`/labs/${biopsy}`).expect(200)
    assert.match(
      pageText(lawHeld.text),
      /resultados de este tipo \(una biopsia, una prueba de Papanicolaou o un estudio de imágenes que puede mostrar cáncer\)/,
    )
    assertAllSpanish(lawHeld.text, 'state law', recorded)

    const [genetic] = await labResultIds(services.db, '11000006', 'PGX')
    const pat = await spanishAgent(app, 'pat.rivera')
    const waiting = await pat.get(`/labs/${genetic}`).expect(200)
    assert.match(pageText(waiting.text), /revise los resultados delicados como este/)
    assert.equal(cheerio.load(waiting.text)('form[action$="/see-now"] button').text(), 'Ver este resultado ahora')
    assertAllSpanish(waiting.text, 'the member’s choice', recorded)
  })

  it('names the child whose results a parent reads, in Spanish', async () => {
    const agent = await spanishAgent(app)
    await chooseMember(agent, await memberIdOf(services.db, '11000004'), '/labs')
    const list = await agent.get('/labs').expect(200)
    assert.match(pageText(list.text), /Resultados de Sam Rivera/)
    assertAllSpanish(list.text, 'a child’s results', recorded)
  })

  it('refuses a missing choice and an unknown test with messages in Spanish', async () => {
    const agent = await spanishAgent(app)
    const list = await agent.get('/labs').expect(200)
    const refused = await agent
      .post('/labs/release-choice')
      .type('form')
      .send({ choice: 'never', _csrf: csrfTokenIn(list.text) })
      .expect(400)
    assert.deepEqual(errorSummary(refused.text), ['Elija cuándo quiere ver sus resultados'])
    assert.match(titleOf(refused.text), /^Error: Resultados de laboratorio/)
    assert.equal(cheerio.load(refused.text)('#choice-error .visually-hidden').text(), 'Error:')
    const choices = cheerio
      .load(refused.text)('input[name=choice] + label')
      .map((_i, label) => cheerio.load(label).text())
      .get()
    assert.deepEqual(choices, [
      'Mostrar mis resultados en cuanto estén listos',
      'Esperar a que mi médico revise los resultados delicados (patología, genética, estudios de imágenes)',
      'Esperar a que mi médico revise todos los resultados',
    ])
    const unknown = await agent.get('/labs?test=NOPE').expect(400)
    assert.deepEqual(errorSummary(unknown.text), ['Elija una prueba de la lista, o todas las pruebas'])

    const saved = await agent
      .post('/labs/release-choice')
      .type('form')
      .send({ choice: 'all-after-review', _csrf: csrfTokenIn(list.text) })
      .expect(303)
    const after = await agent.get(saved.headers.location).expect(200)
    assert.match(pageText(after.text), /Usted eligió: Esperar a que mi médico revise todos los resultados\./)
    assertAllSpanish(after.text, 'after the choice', recorded)
  })
})

import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import type { Db } from '../../src/platform/db'
import {
  type Agent,
  buildApp,
  closeServices,
  csrfTokenIn,
  errorSummary,
  pageText,
  resetWithDemoPlan,
  signedOnAgent,
  testServices,
  titleOf,
  spanishAgent,
} from '../helpers/app'
import { appointmentsOf, calendarLines, openSlotsOf, providerIdOf } from '../helpers/appointments'
import { assertAllSpanish } from '../helpers/english-leftovers'

// A Wednesday, 7 a.m. in California.
const seedDay = new Date('2026-11-25T15:00:00Z')
const dayMs = 24 * 60 * 60 * 1000

/** What the demo plan records and a page shows as it is: doctors, clinics, reasons typed, members' names. */
async function recordedTexts(db: Db): Promise<string[]> {
  const clinics = await db('clinics').select('name', 'address_line1 as address', 'city', 'state', 'zip', 'phone')
  const members = await db('members').select('first_name', 'last_name')
  return [
    ...(await db('providers').pluck('name')),
    ...(await db('appointments').pluck('reason')),
    ...clinics.flatMap((clinic) => Object.values(clinic) as string[]),
    ...members.map((member) => `${member.first_name} ${member.last_name}`),
  ].filter((text): text is string => typeof text === 'string' && text !== '')
}

describe('appointments in Spanish', () => {
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const app = buildApp(services)
  let recorded: string[] = []

  beforeEach(async () => {
    clock.set(seedDay)
    await resetWithDemoPlan(services, clock)
    recorded = await recordedTexts(services.db)
  })
  after(() => closeServices(services))

  it('books step by step in Spanish: visit types, doctors, days and times, a reason refused then accepted', async () => {
    const agent = await spanishAgent(app)
    const list = await agent.get('/appointments').expect(200)
    assert.equal(titleOf(list.text), 'Citas – Member Portal')
    assert.match(pageText(list.text), /Próximas citas/)
    assert.match(pageText(list.text), /miércoles, 2 de diciembre de 2026|de diciembre de 2026/)
    assert.match(pageText(list.text), /Examen físico anual/)
    assertAllSpanish(list.text, '/appointments', recorded)

    const types = await agent.get('/appointments/new').expect(200)
    assert.equal(titleOf(types.text), 'Programar una cita: tipo de visita – Member Portal')
    const $types = cheerio.load(types.text)
    assert.deepEqual(
      $types('input[name=visitType]')
        .map((_i, input) => [[$types(input).val(), $types(input).next('label').text()]])
        .get(),
      [
        ['office-visit', 'Consulta en el consultorio'],
        ['annual-physical', 'Examen físico anual'],
        ['follow-up', 'Visita de seguimiento'],
        ['flu-shot', 'Vacuna contra la gripe'],
      ],
    )
    assert.match(pageText(types.text), /Consulta en el consultorio 20 minutos/)
    assertAllSpanish(types.text, '/appointments/new', recorded)
    const noType = await agent.get('/appointments/new/provider?visitType=nope').expect(400)
    assert.deepEqual(errorSummary(noType.text), ['Elija el tipo de visita'])

    const doctors = await agent.get('/appointments/new/provider?visitType=office-visit').expect(200)
    const $doctors = cheerio.load(doctors.text)
    assert.equal($doctors('.radio label').first().text(), 'Dr. Marcus Bell (su médico de atención primaria)')
    assert.match($doctors('.radio .hint').first().text(), /^Medicina familiar, San Leandro Medical Center/)
    assertAllSpanish(doctors.text, '/appointments/new/provider', recorded)

    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    const times = await agent.get(`/appointments/new/time?visitType=office-visit&provider=${bell}`).expect(200)
    assert.match(titleOf(times.text), /^Programar una cita: día y hora \(Semana del 23 de noviembre de 2026\)/)
    const $times = cheerio.load(times.text)
    assert.equal($times('legend').first().text(), 'miércoles, 25 de noviembre de 2026')
    const time = $times('label[for="slot"]').text().trim()
    assert.match(time, /^\d{1,2}:\d{2}\s[ap]\.\s?m\.$/)
    assert.equal($times('a[rel="next"]').text(), 'Semana siguiente')
    assertAllSpanish(times.text, '/appointments/new/time', recorded)
    const slot = String($times('input[name="slot"]').first().val())

    const reason = await agent
      .get(`/appointments/new/reason?visitType=office-visit&provider=${bell}&slot=${slot}`)
      .expect(200)
    assert.match(
      pageText(reason.text),
      new RegExp(`Programar una cita: consulta en el consultorio, miércoles, 25 de noviembre de 2026 a las ${time}`),
    )
    assertAllSpanish(reason.text, '/appointments/new/reason', recorded)
    const checkWith = (text: string) =>
      agent
        .post('/appointments/new/check')
        .type('form')
        .send({
          visitType: 'office-visit',
          provider: String(bell),
          slot,
          reason: text,
          _csrf: csrfTokenIn(reason.text),
        })
    const empty = await checkWith('   ').expect(400)
    assert.equal(titleOf(empty.text), 'Error: Programar una cita: motivo de la visita – Member Portal')
    assert.deepEqual(errorSummary(empty.text), ['Escriba el motivo de su visita'])
    assert.equal(cheerio.load(empty.text)('.error-summary-title').text(), 'Hay un problema')
    assert.equal(cheerio.load(empty.text)('#reason-error').text().trim(), 'Error: Escriba el motivo de su visita')
    const tooLong = await checkWith('y'.repeat(600)).expect(400)
    assert.match(errorSummary(tooLong.text)[0], /500 caracteres/)
    assertAllSpanish(tooLong.text, 'the reason refused', recorded)

    const check = await checkWith('Me duele la rodilla').expect(200)
    assert.equal(cheerio.load(check.text)('h1').text(), 'Revise su cita')
    assert.match(pageText(check.text), /Hora\s*\S+ [ap]\. ?m\. \(hora del Pacífico\), 20 minutos/)
    assert.match(pageText(check.text), /Qué debe traer\s*Su tarjeta de identificación de miembro/)
    assertAllSpanish(check.text, '/appointments/new/check', recorded)

    const booked = await agent
      .post('/appointments')
      .type('form')
      .send({
        visitType: 'office-visit',
        provider: String(bell),
        slot,
        reason: 'Me duele la rodilla',
        _csrf: csrfTokenIn(check.text),
      })
      .expect(303)
    const shown = await agent.get(booked.headers.location).expect(200)
    assert.match(titleOf(shown.text), /^Consulta en el consultorio el miércoles, 25 de noviembre de 2026 – /)
    assert.match(pageText(shown.text), /Su cita está reservada\./)
    assertAllSpanish(shown.text, 'the booked appointment', recorded)
    const home = await agent.get('/home').expect(200)
    assert.ok(pageText(home.text).includes(`miércoles, 25 de noviembre de 2026, ${time}, San Leandro Medical Center`))
  })

  it('tells, in Spanish, that a time was just taken and offers the nearest ones', async () => {
    const bell = await providerIdOf(services.db, 'Dr. Marcus Bell')
    const [slot] = await openSlotsOf(services.db, 'Dr. Marcus Bell', new Date(seedDay.getTime() + 3 * dayMs))
    const book = async (agent: Agent) =>
      agent
        .post('/appointments')
        .type('form')
        .send({
          visitType: 'office-visit',
          provider: String(bell),
          slot: String(slot.id),
          reason: 'Tos',
          _csrf: csrfTokenIn((await agent.get('/appointments')).text),
        })
    assert.equal((await book(await signedOnAgent(app, 'pat.rivera'))).status, 303)
    const loser = await book(await spanishAgent(app))
    assert.equal(loser.status, 409)
    assert.deepEqual(errorSummary(loser.text), ['Alguien acaba de reservar esa hora. Elija otra hora'])
    const $ = cheerio.load(loser.text)
    assert.equal($('legend:contains("Las otras horas disponibles más cercanas")').length, 1)
    assert.match(
      $('main h2:not(.error-summary-title)').first().text(),
      /^Todas las horas disponibles, semana del \d+ de (noviembre|diciembre) de 2026$/,
    )
    assertAllSpanish(loser.text, 'the time taken', recorded)
  })

  it('cancels, reschedules and says when it is too late, in Spanish', async () => {
    const agent = await spanishAgent(app)
    const [soon, later] = (await appointmentsOf(services.db, '11000003')).filter(
      (row) => row.status === 'booked' && row.starts_at > seedDay,
    )
    const tooLate = await agent.get(`/appointments/${soon.id}/cancel`).expect(200)
    assert.equal(titleOf(tooLate.text), 'Llame al consultorio para cancelar – Member Portal')
    assert.match(pageText(tooLate.text), /ya no se puede cancelar en línea/)
    assertAllSpanish(tooLate.text, 'too late to cancel', recorded)
    assertAllSpanish(
      (await agent.get(`/appointments/${soon.id}/reschedule`).expect(200)).text,
      'too late to move',
      recorded,
    )
    assertAllSpanish(
      (await agent.get(`/appointments/${soon.id}`).expect(200)).text,
      'an appointment within a day',
      recorded,
    )

    const cancel = await agent.get(`/appointments/${later.id}/cancel`).expect(200)
    assert.equal(cheerio.load(cancel.text)('main button[type=submit]').text(), 'Cancelar la cita')
    assertAllSpanish(cancel.text, 'the cancel page', recorded)
    const move = await agent.get(`/appointments/${later.id}/reschedule`).expect(200)
    assert.match(titleOf(move.text), /^Reprogramar: elija una nueva hora \(Semana del /)
    assertAllSpanish(move.text, 'the reschedule page', recorded)
    const same = await agent
      .post(`/appointments/${later.id}/reschedule`)
      .type('form')
      .send({ slot: String(later.slot_id), _csrf: csrfTokenIn(move.text) })
      .expect(400)
    assert.deepEqual(errorSummary(same.text), ['Esa es la hora que ya tiene. Elija una hora diferente'])

    await agent
      .post(`/appointments/${later.id}/cancel`)
      .type('form')
      .send({ _csrf: csrfTokenIn(cancel.text) })
      .expect(303)
    const list = await agent.get('/appointments?cancelled=1').expect(200)
    assert.match(pageText(list.text), /Se canceló su cita\./)
    assert.match(pageText(list.text), /Cancelada/)
    assertAllSpanish(list.text, 'the list after cancelling', recorded)
  })

  it('gives a calendar file in the language of the page it was downloaded from, marked with LANGUAGE', async () => {
    const agent = await spanishAgent(app)
    const mine = (await appointmentsOf(services.db, '11000003')).find(
      (row) => row.status === 'booked' && row.starts_at.getTime() > seedDay.getTime() + dayMs,
    )
    const spanish = calendarLines((await agent.get(`/appointments/${mine.id}/calendar.ics`).expect(200)).text)
    assert.ok(spanish.includes('SUMMARY;LANGUAGE=es:Examen físico anual con Dr. Marcus Bell'), spanish.join('\n'))
    const description = spanish.find((line) => line.startsWith('DESCRIPTION;LANGUAGE=es:'))
    assert.match(description!, /^DESCRIPTION;LANGUAGE=es:Qué debe traer: Su tarjeta de identificación de miembro/)
    assert.match(
      description!,
      /\\nPara cancelarla o cambiarla: http\S+\/appointments\/\d+ o llame al \(510\) 555-0300\.$/,
    )

    await agent.get('/language?to=en').expect(303)
    const english = calendarLines((await agent.get(`/appointments/${mine.id}/calendar.ics`).expect(200)).text)
    assert.ok(english.includes('SUMMARY;LANGUAGE=en:Annual physical with Dr. Marcus Bell'), english.join('\n'))
    assert.ok(english.some((line) => line.startsWith('DESCRIPTION;LANGUAGE=en:What to bring: Your member ID card')))
  })
})

import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import {
  Agent,
  countRows,
  csrfTokenIn,
  demoPassword,
  errorSummary,
  pageText,
  signOn,
  submitForm,
  titleOf,
} from '../helpers/app'
import { useBackground } from '../helpers/background'
import { medicationIdsOf } from '../helpers/pharmacy'
import { auditRowsAfter, lastAuditId, memberIdOf, userIdOf } from '../helpers/records'

describe('messages with the doctor’s office', () => {
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const context = useBackground({ clock, startAt: new Date('2026-11-25T18:00:00Z') })
  const db = () => context.background.services.db

  const as = async (userId: string): Promise<Agent> => {
    const agent = supertest.agent(context.app)
    await signOn(agent, userId, demoPassword)
    return agent
  }
  const primaryDepartment = async () => {
    const page = await (await as('alex.rivera')).get('/messages/new')
    return String(cheerio.load(page.text)('#department option').first().val())
  }
  const write = (agent: Agent, fields: Record<string, string | string[]>) => submitForm(agent, '/messages/new', fields)
  const aQuestion = async (agent: Agent, subject = 'Blood pressure readings', body = 'My readings are 135/85.') => {
    const sent = await write(agent, {
      department: await primaryDepartment(),
      topic: 'doctor-question',
      subject,
      body,
      notUrgent: 'yes',
    })
    assert.equal(sent.status, 303, errorSummary(sent.text).join(', '))
    return Number(/\/messages\/(\d+)/.exec(sent.headers.location)![1])
  }

  it('tells the member it is for nonurgent questions, what to do in an emergency, the reply time and the limits', async () => {
    const page = await (await as('alex.rivera')).get('/messages/new').expect(200)
    const text = pageText(page.text)
    assert.match(text, /For a medical emergency, call 911/)
    assert.match(text, /advice line at 1-800-555-0199/)
    assert.match(text, /replies within 2 business days/)
    assert.match(text, /up to 2,000 characters/)
    assert.match(text, /Up to 100 characters/)
    const $ = cheerio.load(page.text)
    assert.match(
      $('#department option').first().text(),
      /Family Medicine, San Leandro Medical Center \(your primary care\)/,
    )
    assert.deepEqual(
      $('input[name="topic"]')
        .map((_i, input) => $(`label[for="${$(input).attr('id')}"]`).text())
        .get(),
      ['Question for my doctor', 'Medication question', 'Test result question', 'Renewal request', 'Other'],
    )
    assert.equal(page.headers['cache-control'], 'no-store')
  })

  it('sends a message the office nurse sees and answers, and the member sees the unread reply', async () => {
    const writer = await as('alex.rivera')
    const before = await lastAuditId(db())
    const threadId = await aQuestion(writer, 'Blood pressure readings', 'Morning readings:\n135/85\n140/90')
    const thread = await writer.get(`/messages/${threadId}?sent=1`).expect(200)
    assert.match(pageText(thread.text), /Your message was sent/)
    assert.match(cheerio.load(thread.text)('.message-body').first().text(), /^Morning readings:\n135\/85\n140\/90$/)

    const inbox = await (await as('office.nurse')).get('/office').expect(200)
    assert.equal(titleOf(inbox.text), 'Messages for Family Medicine, San Leandro Medical Center – Member Portal')
    const row = pageText(inbox.text, 'main table tbody tr')
    assert.match(
      row,
      /Blood pressure readings Question for my doctor Alex Rivera MRN 11000003, age 46 less than a minute/,
    )

    // Three hours later (signed on again: the sessions timed out meanwhile).
    clock.advance(3 * 3_600_000)
    const nurse = await as('office.nurse')
    const alex = await as('alex.rivera')
    const opened = await nurse.get(`/office/messages/${threadId}`).expect(200)
    assert.match(pageText(opened.text), /Waiting for a reply for 3 hours/)
    const replied = await submitForm(
      nurse,
      `/office/messages/${threadId}`,
      { body: 'Thank you. Those are a little high.\nPlease book a follow-up.' },
      `/office/messages/${threadId}/reply`,
    )
    assert.equal(replied.status, 303)

    const home = await alex.get('/home').expect(200)
    assert.match(pageText(home.text), /You have 1 unread message from your doctor's office/)
    assert.match(pageText(home.text, '.account-bar'), /Messages \(1 unread\)/)
    const list = await alex.get('/messages').expect(200)
    assert.match(pageText(list.text, 'main table'), /Blood pressure readings \(1 unread\)/)
    const read = await alex.get(`/messages/${threadId}`).expect(200)
    const bodies = cheerio
      .load(read.text)('.message-body')
      .map((_i, element) => cheerio.load(read.text)(element).text())
      .get()
    assert.deepEqual(bodies, [
      'Morning readings:\n135/85\n140/90',
      'Thank you. Those are a little high.\nPlease book a follow-up.',
    ])
    assert.match(pageText(read.text), /Nurse Joy Adams, your doctor’s office/)
    assert.doesNotMatch(pageText((await alex.get('/home')).text, '.account-bar'), /unread/)

    const alexUser = await userIdOf(db(), 'alex.rivera')
    const nurseUser = await userIdOf(db(), 'office.nurse')
    const message = await db()('messages').where({ thread_id: threadId, author: 'member' }).first()
    assert.equal(message.author_user_id, alexUser)
    const actions = (await auditRowsAfter(db(), before)).map((row) => [row.action, row.actor_user_id])
    for (const expected of [
      ['message.send', alexUser],
      ['office-inbox.view', nurseUser],
      ['message-thread.view', nurseUser],
      ['message.reply', nurseUser],
      ['message-thread.list', alexUser],
      ['message-thread.view', alexUser],
    ])
      assert.ok(
        actions.some((row) => row[0] === expected[0] && row[1] === expected[1]),
        `no ${expected[0]} audited`,
      )
  })

  it('reads in Spanish: the form, its errors, and the conversation sent with its status and date', async () => {
    const alex = await as('alex.rivera')
    await alex.get('/language?to=es').expect(303)
    const form = await alex.get('/messages/new').expect(200)
    const $ = cheerio.load(form.text)
    assert.equal($('html').attr('lang'), 'es')
    assert.equal($('h1').text(), 'Escriba al consultorio de su médico')
    assert.match(pageText(form.text), /Si tiene una emergencia médica, llame al 911/)
    assert.match($('#department option').first().text(), /San Leandro Medical Center \(su atención primaria\)/)
    assert.deepEqual(
      $('input[name="topic"]')
        .map((_i, input) => $(`label[for="${$(input).attr('id')}"]`).text())
        .get(),
      [
        'Pregunta para mi médico',
        'Pregunta sobre un medicamento',
        'Pregunta sobre resultados de laboratorio',
        'Solicitud de renovación de receta',
        'Otro tema',
      ],
    )
    assert.match($('#body-hint').text(), /^Solo texto, hasta 2000 caracteres\./)

    const refused = await write(alex, {
      department: await primaryDepartment(),
      topic: 'other',
      subject: 'a'.repeat(101),
      body: ' ',
    })
    assert.equal(refused.status, 400)
    assert.equal(titleOf(refused.text), 'Error: Escriba al consultorio de su médico – Member Portal')
    assert.equal(cheerio.load(refused.text)('.error-summary-title').text(), 'Hay un problema')
    assert.deepEqual(errorSummary(refused.text), [
      'Su asunto debe tener 100 caracteres o menos',
      'Escriba su mensaje',
      'Confirme que su mensaje no es urgente. Si tiene una emergencia, llame al 911; para recibir consejos urgentes, llame a la línea de consejos',
    ])

    const threadId = await aQuestion(alex, 'Presión arterial', 'Mis lecturas son 135/85.')
    const thread = await alex.get(`/messages/${threadId}?sent=1`).expect(200)
    const text = pageText(thread.text)
    assert.equal(titleOf(thread.text), 'Mensaje: Presión arterial – Member Portal')
    assert.match(text, /Se envió su mensaje\. El consultorio de su médico responde en un plazo de 2 días hábiles\./)
    assert.match(text, /Para Family Medicine, San Leandro Medical Center\. Esperando respuesta\./)
    assert.match(text, /Usted, 25 de noviembre de 2026/)
    const inbox = await alex.get('/messages').expect(200)
    assert.equal(cheerio.load(inbox.text)('main h2').first().text(), 'Sus conversaciones')
    assert.match(
      pageText(inbox.text, 'main table'),
      /Presión arterial Pregunta para mi médico.*25 de noviembre de 2026.*Esperando respuesta/,
    )
    assert.match(pageText((await alex.get('/messages/sent')).text), /Mensajes enviados .*Presión arterial/)
  })

  it('refuses a message without the not-urgent confirmation, with its message and the text kept', async () => {
    const alex = await as('alex.rivera')
    const stored = await countRows(db(), 'messages')
    const refused = await write(alex, {
      department: await primaryDepartment(),
      topic: 'medication-question',
      subject: 'Dose question',
      body: 'Can I take it with food?',
    })
    assert.equal(refused.status, 400)
    assert.match(titleOf(refused.text), /^Error: /)
    assert.deepEqual(errorSummary(refused.text), [
      'Confirm that your message is not urgent. For an emergency call 911; for urgent advice call the advice line',
    ])
    const $ = cheerio.load(refused.text)
    assert.equal($('#body').text(), 'Can I take it with food?')
    assert.equal($('#subject').val(), 'Dose question')
    assert.equal($('input[name="topic"]:checked').val(), 'medication-question')
    assert.equal(await countRows(db(), 'messages'), stored)
  })

  it('refuses an over-long body with a clear message and keeps the text', async () => {
    const alex = await as('alex.rivera')
    const long = 'word '.repeat(500) + 'end'
    const refused = await write(alex, {
      department: await primaryDepartment(),
      topic: 'other',
      subject: 'A long one',
      body: long,
      notUrgent: 'yes',
    })
    assert.equal(refused.status, 400)
    assert.deepEqual(errorSummary(refused.text), ['Your message must be 2000 characters or fewer'])
    assert.equal(cheerio.load(refused.text)('#body').text(), long)
  })

  it('refuses an empty or over-long office reply with its message and keeps the text', async () => {
    const threadId = await aQuestion(await as('alex.rivera'))
    const nurse = await as('office.nurse')
    const long = 'Please call. '.repeat(200)
    const refused = await submitForm(
      nurse,
      `/office/messages/${threadId}`,
      { body: long },
      `/office/messages/${threadId}/reply`,
    )
    assert.equal(refused.status, 400)
    assert.deepEqual(errorSummary(refused.text), ['Your reply must be 2000 characters or fewer'])
    assert.equal(cheerio.load(refused.text)('#body').text(), long)
    const empty = await submitForm(
      nurse,
      `/office/messages/${threadId}`,
      { body: ' ' },
      `/office/messages/${threadId}/reply`,
    )
    assert.deepEqual(errorSummary(empty.text), ['Enter your reply'])
    assert.equal(await countRows(db(), 'messages', { thread_id: threadId }), 1)
    assert.equal(await countRows(db(), 'outbox', { job_name: 'office-reply' }), 0)
  })

  it('answers missing, wrong and hostile input with messages, never a 500', async () => {
    const alex = await as('alex.rivera')
    const stored = await countRows(db(), 'messages')
    const empty = await write(alex, {})
    assert.equal(empty.status, 400)
    assert.deepEqual(errorSummary(empty.text), [
      'Choose what your message is about',
      'Choose who your message is for',
      'Enter a subject',
      'Enter your message',
      'Confirm that your message is not urgent. For an emergency call 911; for urgent advice call the advice line',
    ])
    const geriatrics = await db()('departments').where({ name: 'Geriatrics' }).first('id')
    const hostile = await write(alex, {
      department: String(geriatrics.id),
      topic: "doctor-question' OR 1=1",
      subject: ['one', 'two'],
      body: 'x'.repeat(20_000),
      notUrgent: 'no',
    })
    assert.equal(hostile.status, 400)
    assert.deepEqual(errorSummary(hostile.text), [
      'Choose what your message is about',
      'Choose who your message is for',
      'Enter a subject',
      'Your message must be 2000 characters or fewer',
      'Confirm that your message is not urgent. For an emergency call 911; for urgent advice call the advice line',
    ])
    const twoLines = await write(alex, {
      department: await primaryDepartment(),
      topic: 'other',
      subject: 'a'.repeat(101),
      body: 'ok',
      notUrgent: 'yes',
    })
    assert.deepEqual(errorSummary(twoLines.text), ['Your subject must be 100 characters or fewer'])
    const huge = await alex
      .post('/messages/new')
      .type('form')
      .send({ _csrf: csrfTokenIn((await alex.get('/messages/new')).text), body: 'y'.repeat(40_000) })
    assert.ok(huge.status < 500, `status ${huge.status}`)
    assert.equal(await countRows(db(), 'messages'), stored)
  })

  it('shows script in a body as text, on both sides, and makes no links', async () => {
    const alex = await as('alex.rivera')
    const hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> https://example.com/a'
    const threadId = await aQuestion(alex, '<b>bold</b> subject', hostile)
    for (const [agent, path] of [
      [alex, `/messages/${threadId}`],
      [await as('office.nurse'), `/office/messages/${threadId}`],
    ] as const) {
      const page = await agent.get(path).expect(200)
      const $ = cheerio.load(page.text)
      assert.equal($('main script, main img, main b').length, 0)
      assert.equal($('.message-body').first().text(), hostile)
      assert.equal($('.message-body a').length, 0)
      assert.equal($('h1').text(), '<b>bold</b> subject')
    }
  })

  it('gives 404 to office staff of another department, and to another member, and audits it', async () => {
    const threadId = await aQuestion(await as('alex.rivera'))
    const stored = await countRows(db(), 'messages')
    const geriatrics = await as('office.geriatrics')
    const before = await lastAuditId(db())
    await geriatrics.get(`/office/messages/${threadId}`).expect(404)
    const reply = await submitForm(geriatrics, '/office', { body: 'Hello' }, `/office/messages/${threadId}/reply`)
    assert.equal(reply.status, 404)
    const handled = await submitForm(geriatrics, '/office', {}, `/office/messages/${threadId}/handled`)
    assert.equal(handled.status, 404)
    const theirs = pageText((await geriatrics.get('/office')).text)
    assert.doesNotMatch(theirs, /Alex Rivera/)
    assert.match(theirs, /Dizzy in the mornings Question for my doctor Pat Rivera MRN 11000006, age 78 20 hours/)
    await geriatrics.get('/office/messages/not-a-number').expect(404)

    const pat = await as('pat.rivera')
    await pat.get(`/messages/${threadId}`).expect(404)
    const patReply = await submitForm(pat, '/messages', { body: 'hi', notUrgent: 'yes' }, `/messages/${threadId}/reply`)
    assert.equal(patReply.status, 404)
    await (await as('ops.admin')).get(`/messages/${threadId}`).expect(403)
    await (await as('alex.rivera')).get('/office').expect(403)

    const denied = (await auditRowsAfter(db(), before)).filter((row) => row.action === 'message-thread.view-denied')
    assert.ok(denied.length >= 5)
    assert.equal(await countRows(db(), 'messages'), stored)
  })

  it('lists the office inbox oldest unanswered first, and takes a handled thread out until the member writes again', async () => {
    const first = await aQuestion(await as('alex.rivera'), 'First question')
    clock.advance(26 * 3_600_000)
    const alex = await as('alex.rivera')
    const second = await aQuestion(alex, 'Second question')
    clock.advance(60_000)
    const nurse = await as('office.nurse')
    const subjects = () =>
      nurse.get('/office').then((page) =>
        cheerio
          .load(page.text)('main table')
          .first()
          .find('tbody tr td:first-child a')
          .map((_i, link) => cheerio.load(page.text)(link).text())
          .get(),
      )
    assert.deepEqual(await subjects(), ['First question', 'Second question'])
    assert.match(pageText((await nurse.get('/office')).text, 'main table tbody tr'), /age 46 26 hours/)

    await submitForm(nurse, `/office/messages/${first}`, { body: 'Answered.' }, `/office/messages/${first}/reply`)
    assert.deepEqual(await subjects(), ['Second question'])
    const done = await submitForm(nurse, `/office/messages/${first}`, {}, `/office/messages/${first}/handled`)
    assert.equal(done.headers.location, '/office?handled=1')
    assert.doesNotMatch(pageText((await nurse.get('/office')).text), /First question/)

    const again = await submitForm(
      alex,
      `/messages/${first}`,
      { body: 'One more thing.', notUrgent: 'yes' },
      `/messages/${first}/reply`,
    )
    assert.equal(again.status, 303)
    assert.deepEqual(await subjects(), ['Second question', 'First question'])
    assert.ok(second > first)
  })

  it('puts a renewal request from the prescriptions tool in the inbox as its own topic, with the medicine', async () => {
    const alex = await as('alex.rivera')
    const medicine = await medicationIdsOf(db(), '11000003')
    const page = await alex.get('/prescriptions')
    await alex
      .post(`/prescriptions/${medicine['Lisinopril 10 mg tablet']}/renewal`)
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text) })
      .expect(303)
    const thread = await db()('message_threads').where({ topic: 'renewal-request' }).first()
    assert.equal(thread.topic, 'renewal-request')
    assert.equal(thread.member_id, await memberIdOf(db(), '11000003'))
    const nurse = await as('office.nurse')
    assert.match(
      pageText((await nurse.get('/office')).text, 'main table tbody'),
      /Renewal request: Lisinopril 10 mg tablet Renewal request: Lisinopril 10 mg tablet \(RX4410004\) Alex Rivera/,
    )
    assert.match(pageText((await alex.get('/messages')).text, 'main table'), /Renewal request: Lisinopril 10 mg tablet/)
    assert.match(pageText((await nurse.get('/office/prescriptions')).text), /Lisinopril 10 mg tablet/)
    assert.match(pageText((await alex.get('/prescriptions')).text), /You asked for a renewal on/)

    // Handling the thread answers the renewal: the office's list and the member's page let it go, and the member
    // may ask again for the same medicine.
    await submitForm(nurse, `/office/messages/${thread.id}`, {}, `/office/messages/${thread.id}/handled`)
    assert.equal((await db()('renewal_requests').where({ id: thread.renewal_request_id }).first()).status, 'closed')
    assert.doesNotMatch(pageText((await nurse.get('/office/prescriptions')).text), /Lisinopril 10 mg tablet/)
    const after = await alex.get('/prescriptions')
    assert.doesNotMatch(pageText(after.text), /You asked for a renewal on/)
    await alex
      .post(`/prescriptions/${medicine['Lisinopril 10 mg tablet']}/renewal`)
      .type('form')
      .send({ _csrf: csrfTokenIn(after.text) })
      .expect(303)
    assert.deepEqual(
      (await db()('renewal_requests').orderBy('id').select('status')).map((row) => row.status),
      ['closed', 'open'],
    )
  })

  it('lets the member turn the reply emails off and on in account settings', async () => {
    const alex = await as('alex.rivera')
    assert.match(pageText((await alex.get('/account')).text), /We email you when your doctor’s office replies/)
    const off = await submitForm(alex, '/account/message-emails', { replyEmails: 'off' })
    assert.equal(off.status, 303)
    assert.equal((await db()('users').where({ user_id: 'alex.rivera' }).first()).office_reply_emails, 0)
    const bad = await submitForm(alex, '/account/message-emails', { replyEmails: ['on', 'off'] })
    assert.equal(bad.status, 400)
    assert.deepEqual(errorSummary(bad.text), ['Choose whether we email you when your doctor’s office replies'])
    await submitForm(alex, '/account/message-emails', { replyEmails: 'on' })
    assert.equal((await db()('users').where({ user_id: 'alex.rivera' }).first()).office_reply_emails, 1)
  })
})

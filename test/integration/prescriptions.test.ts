import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { signWebhook } from '../../src/prescriptions/webhook-signature'
import { Agent, countRows, csrfTokenIn, demoPassword, errorSummary, pageText, signOn, titleOf } from '../helpers/app'
import { useBackground } from '../helpers/background'
import {
  medicationIdsOf,
  pharmacyIdOf,
  receiveWebhooks,
  requestIdFrom,
  requestRefill,
  usePharmacy,
  waitUntil,
} from '../helpers/pharmacy'
import { auditRowsAfter, lastAuditId, userIdOf } from '../helpers/records'

describe('prescriptions and refills, against the pharmacy simulator over HTTP', () => {
  // A Wednesday morning in California; the demo data and the simulator's signatures use this clock.
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const pharmacy = usePharmacy(clock)
  let medicine: Record<string, number>
  let pickup: string
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T18:00:00Z'),
    prepare: async () => {
      medicine = await medicationIdsOf(context.background.services.db, '11000003')
      pickup = `pharmacy-${await pharmacyIdOf(context.background.services.db, 'SL-0301')}`
    },
  })
  receiveWebhooks(context, pharmacy)

  const alex = async (): Promise<Agent> => {
    const agent = supertest.agent(context.app)
    await signOn(agent, 'alex.rivera', demoPassword)
    return agent
  }
  const db = () => context.background.services.db
  const statusOf = async (id: number) => (await db()('refill_requests').where({ id }).first('status')).status as string
  const keyOf = async (id: number) =>
    (await db()('refill_requests').where({ id }).first('idempotency_key')).idempotency_key as string
  const ordersFor = async (id: number) => {
    const key = await keyOf(id)
    return pharmacy.simulator.orders().filter((order) => order.idempotencyKey === key)
  }

  it('lists the active medicines with each refill rule in plain words, and the past ones apart', async () => {
    const agent = await alex()
    const before = await lastAuditId(db())
    const page = await agent.get('/prescriptions').expect(200)
    assert.equal(page.headers['cache-control'], 'no-store')
    const text = pageText(page.text)
    const ruleOf = (name: string) => pageText(page.text, `#medication-${medicine[name]} .eligibility`)
    assert.equal(ruleOf('Atorvastatin 40 mg tablet'), 'You can request a refill')
    assert.equal(
      ruleOf('Oxycodone and acetaminophen 5 mg/325 mg tablet'),
      'Refills of this medicine need a new prescription — call your doctor’s office',
    )
    assert.equal(ruleOf('Lisinopril 10 mg tablet'), 'No refills left — ask your doctor for a renewal')
    assert.equal(ruleOf('Metformin 500 mg tablet'), 'Too soon to refill — you can ask from December 13, 2026')
    assert.equal(ruleOf('Fluticasone 50 mcg nasal spray'), 'This prescription has expired — ask for a renewal')
    assert.match(text, /Medicines you no longer take Amoxicillin 500 mg capsule, prescribed by Dr\. Marcus Bell/)
    assert.match(text, /Controlled substance ?Schedule II/)
    assert.equal((await auditRowsAfter(db(), before)).map((row) => row.action).join(), 'medication.list')
  })

  it('takes a refill from the list to ready for pickup, telling the member without naming the medicine', async () => {
    const agent = await alex()
    const form = await agent.get('/prescriptions/refill').expect(200)
    const offered = pageText(form.text, 'fieldset')
    assert.match(offered, /Atorvastatin 40 mg tablet/)
    assert.match(offered, /Vitamin D2/)
    assert.doesNotMatch(offered, /Oxycodone|Lisinopril|Metformin|Fluticasone|Amoxicillin/)
    assert.match(pageText(form.text), /Pick up at San Leandro Medical Center Pharmacy \(your preferred pharmacy\)/)
    assert.match(pageText(form.text), /Mail delivery to the address on file 455 Linden Avenue, San Leandro, CA 94577/)

    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    assert.equal(response.status, 303)
    const id = requestIdFrom(response.headers.location)
    const confirmation = await agent.get(response.headers.location).expect(200)
    assert.match(pageText(confirmation.text), new RegExp(`Refill request sent Your request number is ${id}`))

    await waitUntil('the order at the pharmacy', async () => (await ordersFor(id)).length === 1)
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    const sentNotice = await context.background.mail.waitFor((email) => email.to === 'alex.rivera@example.com')
    assert.equal(sentNotice.subject, 'An update on your prescription request')
    assert.match(sentNotice.text, /There is an update on your prescription request\. Sign on to see it/)
    assert.doesNotMatch(sentNotice.text + sentNotice.subject, /Atorvastatin|San Leandro|Rivera/i)

    const [order] = await ordersFor(id)
    await pharmacy.control(`orders/${order.id}/advance`, { status: 'ready' })
    await waitUntil('the webhook', async () => (await statusOf(id)) === 'ready')
    const status = await agent.get(`/prescriptions/requests/${id}`).expect(200)
    assert.match(pageText(status.text), /Status ?Ready for pickup/)
    assert.match(pageText(status.text), /ready to pick up at San Leandro Medical Center Pharmacy/)
    assert.match(pageText(status.text), /History .*Requested.*Sent to the pharmacy.*Ready for pickup/)
    await context.background.mail.waitFor((email) => email.to === 'alex.rivera@example.com' && email !== sentNotice)

    // The fill used a refill and restarts the supply, so the list now says it is too soon.
    const list = await agent.get('/prescriptions')
    assert.match(
      pageText(list.text, `#medication-${medicine['Atorvastatin 40 mg tablet']}`),
      /Too soon to refill — you can ask from February 1, 2027.*Refills left ?2/,
    )
  })

  it('reads in Spanish: the rules, a refused choice, and each status as the pharmacy moves the request', async () => {
    const agent = await alex()
    await agent.get('/language?to=es').expect(303)
    const list = await agent.get('/prescriptions').expect(200)
    assert.match(list.text, /<html lang="es">/)
    assert.equal(titleOf(list.text), 'Recetas – Member Portal')
    const ruleOf = (name: string) => pageText(list.text, `#medication-${medicine[name]} .eligibility`)
    assert.equal(ruleOf('Atorvastatin 40 mg tablet'), 'Puede solicitar un resurtido')
    assert.equal(
      ruleOf('Metformin 500 mg tablet'),
      'Todavía es pronto para resurtirlo: puede solicitarlo a partir del 13 de diciembre de 2026',
    )
    assert.match(
      pageText(list.text),
      /Medicamentos que ya no toma Amoxicillin 500 mg capsule, recetado por Dr\. Marcus Bell/,
    )

    const refused = await requestRefill(agent, [medicine['Lisinopril 10 mg tablet']], 'pharmacy-99999')
    assert.equal(refused.response.status, 400)
    assert.match(titleOf(refused.response.text), /^Error: Solicitar un resurtido/)
    assert.deepEqual(errorSummary(refused.response.text), [
      'Lisinopril 10 mg tablet: No le quedan resurtidos: pida a su médico una renovación',
      'Elija una farmacia donde recogerlos o el envío por correo',
    ])
    const nothing = await requestRefill(agent, [], 'mail')
    assert.deepEqual(errorSummary(nothing.response.text), ['Elija al menos un medicamento para resurtir'])

    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    const confirmation = await agent.get(response.headers.location).expect(200)
    assert.match(
      pageText(confirmation.text),
      new RegExp(`Se envió la solicitud de resurtido Su número de solicitud es ${id}`),
    )
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    const [order] = await ordersFor(id)
    await pharmacy.control(`orders/${order.id}/advance`, { status: 'ready' })
    await waitUntil('the webhook', async () => (await statusOf(id)) === 'ready')
    const status = await agent.get(`/prescriptions/requests/${id}`).expect(200)
    assert.equal(titleOf(status.text), `Solicitud de resurtido ${id} – Member Portal`)
    assert.match(pageText(status.text), /Estado ?Lista para recoger/)
    assert.match(pageText(status.text), /listos para recoger en San Leandro Medical Center Pharmacy/)
    assert.match(
      pageText(status.text),
      /Historial .*25 de noviembre de 2026 ?Solicitada.*Enviada a la farmacia.*Lista para recoger/,
    )
  })

  it('writes a renewal request asked for in Spanish to the office in Spanish', async () => {
    const agent = await alex()
    await agent.get('/language?to=es').expect(303)
    const page = await agent.get('/prescriptions')
    const done = await agent
      .post(`/prescriptions/${medicine['Lisinopril 10 mg tablet']}/renewal`)
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text) })
      .expect(303)
    const list = pageText((await agent.get(done.headers.location)).text)
    assert.match(list, /Enviamos su solicitud de renovación al consultorio de su médico/)
    assert.match(list, /Usted pidió una renovación el 25 de noviembre de 2026/)
    const inbox = pageText((await agent.get('/messages')).text, 'main table')
    assert.match(inbox, /Solicitud de renovación: Lisinopril 10 mg tablet/)
    const message = await db()('messages as m')
      .join('message_threads as t', 't.id', 'm.thread_id')
      .where('t.topic', 'renewal-request')
      .first('m.body')
    assert.equal(message.body, 'Por favor, renueve mi receta de Lisinopril 10 mg tablet.')
  })

  it('mails to the address on file and shows the tracking number once shipped', async () => {
    const agent = await alex()
    const { response } = await requestRefill(
      agent,
      [medicine['Vitamin D2 (ergocalciferol) 50,000 unit capsule']],
      'mail',
    )
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the order', async () => (await ordersFor(id)).length === 1)
    assert.equal((await ordersFor(id))[0].fulfilment, 'mail')
    await pharmacy.control(`orders/${(await ordersFor(id))[0].id}/advance`, {
      status: 'shipped',
      trackingNumber: '1Z999AA10123456784',
    })
    await waitUntil('the webhook', async () => (await statusOf(id)) === 'shipped')
    const status = await agent.get(`/prescriptions/requests/${id}`)
    assert.match(pageText(status.text), /Tracking number ?1Z999AA10123456784/)
    assert.match(pageText(status.text), /Mailed by Member Portal Mail Order Pharmacy to 455 Linden Avenue/)
  })

  it('retries three 500s and ends with one order at the pharmacy', async () => {
    await pharmacy.control('fail-next', { count: 3 })
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    assert.equal((await ordersFor(id)).length, 1)
    assert.equal(pharmacy.simulator.orders().length, 1)
  })

  it('retries a pharmacy that took the order and hung, and still makes one order', async () => {
    await pharmacy.control('hang-next', { count: 1, afterCreating: true, ms: 20_000 })
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    assert.equal(pharmacy.simulator.orders().length, 1)
  })

  it('ends as denied, with the pharmacy’s reason shown, when the pharmacy refuses the order', async () => {
    await pharmacy.control('reject-next', { status: 422, reason: 'Prescription transferred to another pharmacy' })
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the denial', async () => (await statusOf(id)) === 'denied')
    const status = await agent.get(`/prescriptions/requests/${id}`)
    assert.match(pageText(status.text), /Status ?Denied by the pharmacy/)
    assert.match(pageText(status.text), /Their reason: Prescription transferred to another pharmacy/)
    assert.equal(pharmacy.simulator.orders().length, 0)
    const job = await context.background.services.queues.get('refill-submission').getJobs(['failed'])
    assert.equal(job.find((candidate) => candidate.name === 'submit')?.attemptsMade, 1, 'a 4xx is not retried')
  })

  it('marks the request failed after the last attempt, tells the member and shows it to the office', async () => {
    await pharmacy.control('fail-next', { count: 50 })
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the failure', async () => (await statusOf(id)) === 'failed')
    const status = await agent.get(`/prescriptions/requests/${id}`)
    assert.match(pageText(status.text), /We could not reach the pharmacy, so your request was not sent/)
    await context.background.mail.waitFor((email) => email.to === 'alex.rivera@example.com')

    const office = supertest.agent(context.app)
    await signOn(office, 'office.nurse', demoPassword)
    const queue = await office.get('/office/prescriptions').expect(200)
    assert.match(
      pageText(queue.text),
      new RegExp(`${id} .*Alex Rivera \\(MRN 11000003\\) We could not reach the pharmacy`),
    )
    // Afterwards the medicine can be asked for again.
    const list = await agent.get('/prescriptions')
    assert.equal(
      pageText(list.text, `#medication-${medicine['Atorvastatin 40 mg tablet']} .eligibility`),
      'You can request a refill',
    )
  })

  it('believes the pharmacy when an order it was thought unreachable for turns up ready', async () => {
    // The first try places the order but never answers; every retry then gets a 500.
    await pharmacy.control('hang-next', { count: 1, afterCreating: true, ms: 20_000 })
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the order', async () => (await ordersFor(id)).length === 1)
    await pharmacy.control('fail-next', { count: 50 })
    await waitUntil('the failure', async () => (await statusOf(id)) === 'failed')
    await pharmacy.control(`orders/${(await ordersFor(id))[0].id}/advance`, { status: 'ready' })
    await waitUntil('the webhook', async () => (await statusOf(id)) === 'ready')
    const status = await agent.get(`/prescriptions/requests/${id}`)
    assert.match(pageText(status.text), /Status ?Ready for pickup/)
    assert.equal(pharmacy.simulator.orders().length, 1)
  })

  it('refuses a forged or stale webhook and logs nothing into the request', async () => {
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    const order = (await ordersFor(id))[0]
    const body = JSON.stringify({
      event: 'order.updated',
      order: {
        id: order.id,
        idempotencyKey: order.idempotencyKey,
        status: 'ready',
        trackingNumber: null,
        reason: null,
      },
    })
    const now = Math.floor(clock().getTime() / 1000)
    const post = (timestamp: number, signature: string) =>
      supertest(context.app)
        .post('/pharmacy/webhook')
        .set('content-type', 'application/json')
        .set('x-pharmacy-timestamp', String(timestamp))
        .set('x-pharmacy-signature', signature)
        .send(body)
    await post(now, signWebhook('not-the-shared-secret-at-all-0123456789', now, body)).expect(401)
    await post(
      now,
      signWebhook('development-only-pharmacy-webhook-secret', now, body.replace('ready', 'shipped')),
    ).expect(401)
    await post(now - 6 * 60, signWebhook('development-only-pharmacy-webhook-secret', now - 6 * 60, body)).expect(401)
    await supertest(context.app).post('/pharmacy/webhook').send(body).expect(401)
    assert.equal(await statusOf(id), 'sent')
    // The same call, signed now with the shared secret, is accepted.
    await post(now, signWebhook('development-only-pharmacy-webhook-secret', now, body)).expect(200)
    assert.equal(await statusOf(id), 'ready')
  })

  it('recovers a lost webhook by reading the order back once it has been sent too long', async () => {
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the request to be sent', async () => (await statusOf(id)) === 'sent')
    await pharmacy.control('drop-webhooks', { count: 1 })
    await pharmacy.control(`orders/${(await ordersFor(id))[0].id}/advance`, {
      status: 'shipped',
      trackingNumber: '9400110200881',
    })
    const queue = context.background.services.queues.get('refill-submission')
    await queue.add('reconcile', {})
    await context.background.settle()
    assert.equal(await statusOf(id), 'sent', 'not stale yet')

    clock.advance(31 * 60_000)
    await queue.add('reconcile', {})
    await waitUntil('the read-back', async () => (await statusOf(id)) === 'shipped')
    // Half an hour on, the first session has timed out.
    const status = await (await alex()).get(`/prescriptions/requests/${id}`)
    assert.match(pageText(status.text), /Tracking number ?9400110200881/)
  })

  it('submits a request whose job was lost once it has waited longer than every retry', async () => {
    const queue = context.background.services.queues.get('refill-submission')
    await queue.pause()
    const agent = await alex()
    const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the job', async () => (await queue.getJobCountByTypes('waiting')) > 0)
    await queue.obliterate({ force: true })
    await queue.resume()
    clock.advance(31 * 60_000)
    await queue.add('reconcile', {})
    await waitUntil('the resubmission', async () => (await statusOf(id)) === 'sent')
    assert.equal((await ordersFor(id)).length, 1)
  })

  it('refuses every ineligible medicine with its message, even from a tampered form', async () => {
    const agent = await alex()
    const cases: [string, string][] = [
      [
        'Oxycodone and acetaminophen 5 mg/325 mg tablet',
        'Refills of this medicine need a new prescription — call your doctor’s office',
      ],
      ['Lisinopril 10 mg tablet', 'No refills left — ask your doctor for a renewal'],
      ['Metformin 500 mg tablet', 'Too soon to refill — you can ask from December 13, 2026'],
      ['Fluticasone 50 mcg nasal spray', 'This prescription has expired — ask for a renewal'],
      ['Amoxicillin 500 mg capsule', 'You no longer take this medicine, so it cannot be refilled'],
    ]
    for (const [name, message] of cases) {
      const { response } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet'], medicine[name]], pickup)
      assert.equal(response.status, 400, name)
      assert.match(titleOf(response.text), /^Error: Request a refill/)
      assert.deepEqual(errorSummary(response.text), [`${name}: ${message}`])
    }
    const nothing = await requestRefill(agent, [], 'mail')
    assert.deepEqual(errorSummary(nothing.response.text), ['Choose at least one medicine to refill'])
    const badDelivery = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], 'pharmacy-99999')
    assert.deepEqual(errorSummary(badDelivery.response.text), ['Choose a pharmacy to pick up from, or mail delivery'])
    const hostile = await requestRefill(agent, ['<script>', 'x'.repeat(5000)], 'mail')
    assert.equal(hostile.response.status, 404)
    assert.equal(await countRows(db(), 'refill_requests'), 0)
  })

  it('makes one request from a double click, a reload or a resubmitted form', async () => {
    const agent = await alex()
    const { response, token, csrf } = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    const again = () =>
      agent.post('/prescriptions/refill/check').type('form').send({ _csrf: csrf, requestToken: token })
    const [second, third] = await Promise.all([again(), again()])
    assert.equal(second.headers.location, response.headers.location)
    assert.equal(third.headers.location, response.headers.location)
    // Back to the form and through it again: the medicine is now on its way, so it is refused.
    const resubmitted = await requestRefill(agent, [medicine['Atorvastatin 40 mg tablet']], pickup)
    assert.deepEqual(errorSummary(resubmitted.response.text), [
      'Atorvastatin 40 mg tablet: A refill of this medicine is already on its way — see your refill requests',
    ])
    assert.equal(await countRows(db(), 'refill_requests'), 1)
    await context.background.settle()
    assert.equal(pharmacy.simulator.orders().length, 1)
  })

  it('gives 404 for another member’s prescription or request, and audits the attempt', async () => {
    const pat = supertest.agent(context.app)
    await signOn(pat, 'pat.rivera', demoPassword)
    const patsMedicine = Object.values(await medicationIdsOf(db(), '11000006'))[0]
    const { response } = await requestRefill(pat, [patsMedicine], 'mail')
    const patsRequest = requestIdFrom(response.headers.location)

    const agent = await alex()
    const before = await lastAuditId(db())
    await agent.get(`/prescriptions/requests/${patsRequest}`).expect(404)
    await agent.get(`/prescriptions/requests/${patsRequest}/confirmation`).expect(404)
    const tampered = await requestRefill(agent, [patsMedicine], pickup)
    assert.equal(tampered.response.status, 404)
    const form = await agent.get('/prescriptions')
    await agent
      .post(`/prescriptions/${patsMedicine}/renewal`)
      .type('form')
      .send({ _csrf: csrfTokenIn(form.text) })
      .expect(404)
    const denied = (await auditRowsAfter(db(), before)).filter((row) => row.action.endsWith('view-denied'))
    const alexUser = await userIdOf(db(), 'alex.rivera')
    assert.deepEqual(
      denied.map((row) => [row.action, row.target_id, row.actor_user_id]),
      [
        ['refill-request.view-denied', String(patsRequest), alexUser],
        ['refill-request.view-denied', String(patsRequest), alexUser],
        ['medication.view-denied', String(patsMedicine), alexUser],
        ['medication.view-denied', String(patsMedicine), alexUser],
      ],
    )
  })

  it('turns “ask for a renewal” into a request the office sees, once', async () => {
    const agent = await alex()
    const renew = async (id: number) => {
      const page = await agent.get('/prescriptions')
      return agent
        .post(`/prescriptions/${id}/renewal`)
        .type('form')
        .send({ _csrf: csrfTokenIn(page.text) })
    }
    const done = await renew(medicine['Lisinopril 10 mg tablet'])
    assert.equal(done.status, 303)
    const list = await agent.get(done.headers.location)
    assert.match(pageText(list.text), /We sent your renewal request to your doctor's office/)
    assert.match(
      pageText(list.text, `#medication-${medicine['Lisinopril 10 mg tablet']}`),
      /You asked for a renewal on November 25, 2026/,
    )
    await renew(medicine['Lisinopril 10 mg tablet'])
    await renew(medicine['Fluticasone 50 mcg nasal spray'])
    const refused = await renew(medicine['Atorvastatin 40 mg tablet'])
    assert.equal(refused.status, 400)
    assert.deepEqual(errorSummary(refused.text), ['Atorvastatin 40 mg tablet: You can request a refill'])
    assert.equal(await countRows(db(), 'renewal_requests'), 2)

    const office = supertest.agent(context.app)
    await signOn(office, 'office.nurse', demoPassword)
    const queue = pageText((await office.get('/office/prescriptions').expect(200)).text)
    assert.match(queue, /Alex Rivera \(MRN 11000003\) Lisinopril 10 mg tablet \(RX4410004\) Dr\. Marcus Bell/)
    assert.match(queue, /Fluticasone 50 mcg nasal spray/)
    await agent.get('/office/prescriptions').expect(403)
  })
})

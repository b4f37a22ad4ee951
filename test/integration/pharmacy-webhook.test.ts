import assert from 'node:assert/strict'
import supertest from 'supertest'
import { PrescriptionRepository } from '../../src/prescriptions/repository'
import type { RefillStatus } from '../../src/prescriptions/types'
import { signWebhook } from '../../src/prescriptions/webhook-signature'
import { useTestApp } from '../helpers/app'
import { medicationIdsOf, pharmacyIdOf } from '../helpers/pharmacy'
import { memberIdOf, userIdOf } from '../helpers/records'

type PharmacyStatus = 'received' | 'ready' | 'shipped' | 'denied'

describe('the pharmacy webhook: each order is filled once, whatever the order of its calls', () => {
  const { services, app } = useTestApp({ keepRedis: true })
  const secret = services.config.pharmacy.webhookSecret
  const db = services.db
  let medicine: number
  const signed = new Set<string>()

  beforeEach(async () => {
    medicine = (await medicationIdsOf(db, '11000003'))['Atorvastatin 40 mg tablet']
    await db('medications').where({ id: medicine }).update({ refills_left: 50 })
  })

  /** A saved request for Alex's atorvastatin, already at `status` with the pharmacy's order id when sent. */
  async function requestAt(status: RefillStatus): Promise<number> {
    const at = services.clock()
    const id = await db.transaction(async (trx) =>
      new PrescriptionRepository(db).insertRequest(
        {
          memberId: await memberIdOf(db, '11000003'),
          userId: await userIdOf(db, 'alex.rivera'),
          token: `webhook-test-${Math.random()}`,
          delivery: 'pickup',
          pharmacyId: await pharmacyIdOf(db, 'SL-0301'),
          mailAddress: null,
          medicationIds: [medicine],
          at,
        },
        trx,
      ),
    )
    await db('refill_requests')
      .where({ id })
      .update({ status, pharmacy_order_id: status === 'requested' ? null : `order-${id}` })
    keys.set(id, (await db('refill_requests').where({ id }).first('idempotency_key')).idempotency_key)
    return id
  }
  // Each request's idempotency key, which the pharmacy's webhooks carry with the order.
  const keys = new Map<number, string>()

  function orderBody(requestId: number, status: PharmacyStatus): string {
    return JSON.stringify({
      event: 'order.updated',
      order: {
        id: `order-${requestId}`,
        idempotencyKey: keys.get(requestId),
        status,
        trackingNumber: status === 'shipped' ? '1Z999AA10123456784' : null,
        reason: status === 'denied' ? 'Out of stock' : null,
      },
    })
  }

  /** Posts a body's exact bytes with the pharmacy's headers, as its server sends them. */
  function post(body: string | Buffer, timestamp: number, signature: string) {
    return (
      supertest(app)
        .post('/pharmacy/webhook')
        .set('content-type', 'application/json')
        .set('x-pharmacy-timestamp', String(timestamp))
        .set('x-pharmacy-signature', signature)
        // As they are: superagent would otherwise send a Buffer as JSON of its own.
        .serialize((data: unknown) => data as string)
        .send(body)
    )
  }

  /** One call from the pharmacy, freshly signed (a retry of the pharmacy's is signed again, so never a replay). */
  async function deliver(requestId: number, status: PharmacyStatus) {
    const body = orderBody(requestId, status)
    let timestamp = Math.floor(services.clock().getTime() / 1000)
    while (signed.has(`${timestamp}.${body}`)) timestamp -= 1
    signed.add(`${timestamp}.${body}`)
    return post(body, timestamp, signWebhook(secret, timestamp, body))
  }

  const statusOf = async (id: number) => (await db('refill_requests').where({ id }).first('status')).status as string
  const refillsLeft = async () =>
    Number((await db('medications').where({ id: medicine }).first('refills_left')).refills_left)

  const calls: PharmacyStatus[] = ['received', 'ready', 'shipped', 'denied']
  // After two calls to a request sent to the pharmacy: its status, and whether a refill was used.
  const afterTwoCalls: Record<PharmacyStatus, Record<PharmacyStatus, [string, number]>> = {
    received: { received: ['sent', 0], ready: ['ready', 1], shipped: ['shipped', 1], denied: ['denied', 0] },
    ready: { received: ['ready', 1], ready: ['ready', 1], shipped: ['shipped', 1], denied: ['ready', 1] },
    shipped: { received: ['shipped', 1], ready: ['shipped', 1], shipped: ['shipped', 1], denied: ['shipped', 1] },
    denied: { received: ['denied', 0], ready: ['denied', 0], shipped: ['denied', 0], denied: ['denied', 0] },
  }

  for (const first of calls) {
    for (const second of calls) {
      it(`ends a sent request told “${first}”, “${second}”, then both again as ${afterTwoCalls[first][second][0]}`, async () => {
        const id = await requestAt('sent')
        const before = await refillsLeft()
        for (const status of [first, second, first, second]) {
          const response = await deliver(id, status)
          assert.equal(response.status, 200, `${status}: ${response.text}`)
        }
        const [status, refillsUsed] = afterTwoCalls[first][second]
        assert.equal(await statusOf(id), status)
        assert.equal(before - (await refillsLeft()), refillsUsed, 'refills used')
      })
    }
  }

  it('answers “applied” to the call that changes the request and “unchanged” to a late or repeated one', async () => {
    const id = await requestAt('sent')
    assert.equal((await deliver(id, 'ready')).body.outcome, 'applied')
    assert.equal((await deliver(id, 'ready')).body.outcome, 'unchanged')
    assert.equal((await deliver(id, 'received')).body.outcome, 'unchanged')
    assert.equal((await deliver(id, 'shipped')).body.outcome, 'applied')
    assert.equal((await deliver(id, 'denied')).body.outcome, 'unchanged')
    const events = await db('refill_request_events').where({ refill_request_id: id }).orderBy('id').pluck('status')
    assert.deepEqual(events, ['requested', 'ready', 'shipped'])
  })

  it('believes a call that beats the worker, or comes after a request was marked failed, and fills it once', async () => {
    for (const start of ['requested', 'failed'] as const) {
      const cases: [PharmacyStatus[], string, number][] = [
        [['ready', 'shipped'], 'shipped', 1],
        [['shipped', 'ready', 'received'], 'shipped', 1],
        [['received', 'ready', 'ready'], 'ready', 1],
        [['denied', 'ready'], 'denied', 0],
      ]
      for (const [sequence, status, refillsUsed] of cases) {
        const id = await requestAt(start)
        const before = await refillsLeft()
        for (const call of sequence) assert.equal((await deliver(id, call)).status, 200)
        assert.equal(await statusOf(id), status, `${start}: ${sequence.join(', ')}`)
        assert.equal(before - (await refillsLeft()), refillsUsed, `${start}: ${sequence.join(', ')}`)
      }
    }
  })

  it('fills an order for a medicine with no refills left without an error, leaving it at none', async () => {
    await db('medications').where({ id: medicine }).update({ refills_left: 0, last_filled_on: '2020-01-01' })
    const id = await requestAt('sent')
    for (const status of ['ready', 'shipped', 'shipped'] as const) {
      const response = await deliver(id, status)
      assert.equal(response.status, 200, response.text)
    }
    assert.equal(await statusOf(id), 'shipped')
    const row = await db('medications').where({ id: medicine }).first('refills_left', 'last_filled_on')
    assert.equal(Number(row.refills_left), 0)
    assert.notEqual(String(row.last_filled_on), '2020-01-01', 'the supply restarts')
  })

  it('refuses a signed call sent again within its five minutes, and takes the pharmacy’s re-signed retry', async () => {
    const id = await requestAt('sent')
    const body = orderBody(id, 'ready')
    const timestamp = Math.floor(services.clock().getTime() / 1000)
    const signature = signWebhook(secret, timestamp, body)
    await post(body, timestamp, signature).expect(200)
    await db('refill_requests').where({ id }).update({ status: 'sent' })
    const replayed = await post(body, timestamp, signature)
    assert.equal(replayed.status, 409)
    assert.equal(replayed.body.error, 'Refused: replayed')
    assert.equal(await statusOf(id), 'sent', 'the replay changed nothing')
    // The same news signed a second later is a new call.
    await post(body, timestamp - 1, signWebhook(secret, timestamp - 1, body)).expect(200)
    assert.equal(await statusOf(id), 'ready')
  })

  it('checks the signature over the exact bytes sent, not over their text', async () => {
    const id = await requestAt('sent')
    const timestamp = Math.floor(services.clock().getTime() / 1000)
    const bytes = (mark: number) =>
      Buffer.concat([
        Buffer.from(orderBody(id, 'denied').replace('"Out of stock"', '"Out of stock ')),
        Buffer.from([mark]),
        Buffer.from('"}}'),
      ])
    const signed = bytes(0xff)
    // 0xFE and 0xFF are both invalid UTF-8 and decode to the same U+FFFD: the signature must still not carry over.
    await post(bytes(0xfe), timestamp, signWebhook(secret, timestamp, signed)).expect(401)
    assert.equal(await statusOf(id), 'sent')
    const notUtf8 = await post(signed, timestamp, signWebhook(secret, timestamp, signed))
    assert.equal(notUtf8.status, 400, `signed, but not UTF-8 JSON: ${notUtf8.text}`)
    assert.equal(await statusOf(id), 'sent')
    const accented = Buffer.from(orderBody(id, 'denied').replace('Out of stock', 'Sin existencias en la farmacía'))
    await post(accented, timestamp, signWebhook(secret, timestamp, accented)).expect(200)
    assert.equal(await statusOf(id), 'denied')
  })
})

import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { Agent, demoPassword, signOn } from '../helpers/app'
import { useBackground } from '../helpers/background'
import { backUpDatabase } from '../helpers/outages'
import { memberIdOf, userIdOf } from '../helpers/records'
import {
  medicationIdsOf,
  pharmacyIdOf,
  requestIdFrom,
  requestRefill,
  usePharmacy,
  waitUntil,
} from '../helpers/pharmacy'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The database restored from a backup (mysqldump, then the mysql client) while Redis and the pharmacy keep
 * what happened after the backup: row ids start again, so nothing sent outside may be keyed by them.
 */
describe('after the database is restored from a backup', function () {
  this.timeout(120_000)
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const pharmacy = usePharmacy(clock)
  const context = useBackground({ clock, startAt: new Date('2026-11-25T18:00:00Z') })
  const db = () => context.background.services.db

  const alex = async (): Promise<Agent> => {
    const agent = supertest.agent(context.app)
    await signOn(agent, 'alex.rivera', demoPassword)
    return agent
  }
  const request = async (medicine: string, delivery: string) => {
    const medicines = await medicationIdsOf(db(), '11000003')
    const { response } = await requestRefill(await alex(), [medicines[medicine]], delivery)
    const id = requestIdFrom(response.headers.location)
    await waitUntil('the request to be sent', async () => {
      const row = await db()('refill_requests').where({ id }).first('status')
      return row?.status === 'sent'
    })
    return id
  }

  it('sends a new refill request to the pharmacy as a new order, not the order of the request its id had before', async () => {
    const backup = await backUpDatabase(context.background.services.config.databaseUrl)
    try {
      const pickup = `pharmacy-${await pharmacyIdOf(db(), 'SL-0301')}`
      const before = await request('Atorvastatin 40 mg tablet', pickup)
      assert.equal(pharmacy.simulator.orders().length, 1)

      await backup.restore()
      assert.equal(await db()('refill_requests').where({ id: before }).first('id'), undefined, 'the request is gone')

      const after = await request('Vitamin D2 (ergocalciferol) 50,000 unit capsule', 'mail')
      assert.equal(after, before, 'the restored database gives the new request the same id')
      const orders = pharmacy.simulator.orders()
      assert.equal(orders.length, 2, 'the new request is a new order at the pharmacy')
      const row = await db()('refill_requests').where({ id: after }).first('pharmacy_order_id')
      const order = orders.find((placed) => placed.id === row.pharmacy_order_id)
      assert.ok(order, 'the request is marked with an order the pharmacy has')
      assert.notEqual(order.id, orders[0].id, 'not the order placed before the restore')
      assert.equal(order.fulfilment, 'mail', 'the order is the new request’s')
    } finally {
      await backup.remove()
    }
  })

  it('emails the member of an office reply whose message id was used before the restore', async () => {
    const { services, mail } = context.background
    const alexViewing = {
      actorUserId: await userIdOf(db(), 'alex.rivera'),
      memberId: await memberIdOf(db(), '11000003'),
    }
    const nurse = { userId: await userIdOf(db(), 'office.nurse') }
    const departments = await services.messages.departments(alexViewing)
    const sent = await services.messages.send(alexViewing, {
      department: String(departments[0].id),
      topic: 'other',
      subject: 'A question',
      body: 'Is the clinic open on Saturday?',
      notUrgent: 'yes',
    })
    assert.ok(sent.ok)
    const toAlex = () => mail.messages.filter((email) => email.to.includes('alex.rivera@example.com'))
    const officeReply = async () => {
      const outcome = await services.messages.officeReply(nurse, String(sent.threadId), { body: 'Yes, 9 to 1.' })
      assert.ok(outcome.ok)
      return Number((await db()('messages').where({ author: 'office' }).max({ id: 'id' }).first())?.id)
    }
    const backup = await backUpDatabase(services.config.databaseUrl)
    try {
      const before = await officeReply()
      await mail.waitFor((email) => email.to.includes('alex.rivera@example.com'), 30_000)
      // The window of that email passes, so the next reply's email goes at once.
      await sleep(services.config.messages.noticeWindowMs + 500)

      await backup.restore()
      const after = await officeReply()
      assert.equal(after, before, 'the restored database gives the new reply the same id')
      await waitUntil('the second email', () => toAlex().length >= 2, 30_000)
      assert.equal(toAlex().length, 2)
    } finally {
      await backup.remove()
    }
  })
})

import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { Agent, demoPassword, signOn } from '../helpers/app'
import { useBackground } from '../helpers/background'
import { backUpDatabase } from '../helpers/outages'
import {
  medicationIdsOf,
  pharmacyIdOf,
  requestIdFrom,
  requestRefill,
  usePharmacy,
  waitUntil,
} from '../helpers/pharmacy'

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
})

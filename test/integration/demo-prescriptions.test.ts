import assert from 'node:assert/strict'
import { seedDemoPlan } from '../../src/demo/seed'
import { fixedClock } from '../../src/platform/clock'
import { closeServices, resetData, testServices } from '../helpers/app'
import { memberIdOf, userIdOf } from '../helpers/records'

describe('the demo members’ prescriptions', () => {
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const services = testServices({ clock })
  after(() => closeServices(services))

  // Year ends, a leap day, and a Saturday 23:59 in California (already Sunday in UTC).
  for (const at of ['2026-12-31T20:00:00Z', '2028-02-29T12:00:00Z', '2026-11-29T07:59:00Z', '2027-03-14T10:30:00Z']) {
    it(`show every refill rule on Alex's list when loaded on ${at}`, async () => {
      clock.set(new Date(at))
      await resetData(services)
      await seedDemoPlan(services.db, clock, 'test', { twoStepKey: services.config.twoStep.key })
      const viewing = {
        actorUserId: await userIdOf(services.db, 'alex.rivera'),
        memberId: await memberIdOf(services.db, '11000003'),
      }
      const { active, past } = await services.prescriptions.overview(viewing)
      assert.deepEqual(active.map((medication) => medication.eligibility.status).sort(), [
        'controlled',
        'eligible',
        'eligible',
        'expired',
        'no-refills',
        'too-soon',
      ])
      assert.equal(past.length, 1)
      for (const mrn of ['11000006', '11000004', '11000005']) {
        const other = await services.prescriptions.overview({
          actorUserId: viewing.actorUserId,
          memberId: await memberIdOf(services.db, mrn),
        })
        assert.ok(
          other.active.some((medication) => medication.eligibility.status === 'eligible'),
          `${mrn} can refill something`,
        )
      }
    })
  }
})

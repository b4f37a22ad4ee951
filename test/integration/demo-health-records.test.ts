import assert from 'node:assert/strict'
import { releaseOf } from '../../src/labs/release'
import { fixedClock } from '../../src/platform/clock'
import { closeServices, resetWithDemoPlan, testServices } from '../helpers/app'

const demoMembers = { '11000003': 'Alex', '11000004': 'Sam', '11000005': 'Jordan', '11000006': 'Pat' }

describe("the demo members' health records", () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  after(() => closeServices(services))

  // A Monday in January, a Sunday, a leap day and a Friday evening: the rules must show whenever the demo is loaded.
  for (const day of ['2027-01-04T17:00:00Z', '2026-03-01T20:00:00Z', '2028-02-29T12:00:00Z', '2026-11-28T03:30:00Z']) {
    it(`shows every rule when loaded on ${day}`, async () => {
      clock.set(new Date(day))
      await resetWithDemoPlan(services, clock)
      for (const [mrn, name] of Object.entries(demoMembers)) {
        const member = await services.db('members').where({ mrn }).first('id')
        const results = await services.db('lab_results').where({ member_id: member.id })
        const states = new Set(
          results.map((result) => releaseOf(result.release_category, result.resulted_at, clock()).state),
        )
        assert.ok(states.has('released') && states.has('held'), `${name} has released and held results`)
        const tests = new Map<string, number>()
        for (const result of results) tests.set(result.test_code, (tests.get(result.test_code) ?? 0) + 1)
        assert.ok(
          [...tests.values()].some((count) => count >= 2),
          `${name} has a repeated test`,
        )
        assert.ok(
          results.some((result) => ['high', 'low', 'abnormal'].includes(result.flag)),
          `${name} has a flag`,
        )

        const shots = await services.db('immunizations').where({ member_id: member.id })
        assert.ok(shots.length >= 8, `${name} has immunizations`)
        assert.ok(
          shots.every((shot) => /^\d{2,3}$/.test(shot.cvx_code)),
          `${name}'s CVX codes`,
        )

        const coverage = await services
          .db('coverages as c')
          .join('plans as p', 'p.id', 'c.plan_id')
          .where('c.member_id', member.id)
          .first()
        assert.ok(coverage, `${name} has coverage`)
        assert.ok(coverage.out_of_pocket_met_cents > 0, `${name} has paid something`)
        assert.ok(coverage.out_of_pocket_met_cents < coverage.out_of_pocket_max_cents, `${name} is under the maximum`)
        const claims = await services.db('claims').where({ member_id: member.id })
        assert.ok(claims.length >= 6, `${name} has claims`)
        for (const claim of claims.filter((candidate) => candidate.status === 'processed')) {
          assert.equal(claim.plan_paid_cents + claim.member_owes_cents, claim.allowed_cents, claim.claim_number)
          assert.equal(
            claim.deductible_cents + claim.copay_cents + claim.coinsurance_cents,
            claim.member_owes_cents,
            claim.claim_number,
          )
        }
      }
      const alex = await services
        .db('coverages as c')
        .join('plans as p', 'p.id', 'c.plan_id')
        .join('members as m', 'm.id', 'c.member_id')
        .where('m.mrn', '11000003')
        .first('c.deductible_met_cents', 'p.deductible_cents')
      assert.ok(alex.deductible_met_cents > 0 && alex.deductible_met_cents < alex.deductible_cents, 'Alex is part way')
      const neverOnline = await services.db('lab_results').where({ release_category: 'never-online' }).count({ n: '*' })
      assert.ok(Number(neverOnline[0].n) >= 2)
    })
  }
})

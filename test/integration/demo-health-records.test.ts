import assert from 'node:assert/strict'
import path from 'node:path'
import { loadStateLawTable, releaseOf } from '../../src/labs/release'
import { LabResultRepository } from '../../src/labs/repository'
import { fixedClock } from '../../src/platform/clock'
import { closeServices, resetWithDemoPlan, testServices } from '../helpers/app'

const demoMembers = { '11000003': 'Alex', '11000004': 'Sam', '11000005': 'Jordan', '11000006': 'Pat' }
const california = loadStateLawTable(path.join(__dirname, '..', '..', 'config', 'state-law', 'california.json'))
// Why some of each member's results wait: Alex has a clinician's hold and California's rule, Pat her own choice.
const heldFor: Record<string, string[]> = {
  Alex: ['clinician', 'state-law'],
  Sam: [],
  Jordan: [],
  Pat: ['member-choice'],
}

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
        const repository = new LabResultRepository(services.db)
        const choice = await repository.releaseChoice(member.id)
        const releases = (await repository.all(member.id)).map((record) =>
          releaseOf(record, choice, california, clock()),
        )
        assert.ok(
          releases.some((release) => release.state === 'released'),
          `${name} has released results`,
        )
        const reasons = [...new Set(releases.map((release) => (release.state === 'held' ? release.reason : '')))]
        assert.deepEqual(reasons.filter(Boolean).sort(), heldFor[name], `${name}'s waiting results`)
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
      // Kinds of test California keeps offline until discussed: the biopsy (waiting) and the HIV screen (discussed).
      const stateLaw = await services.db('lab_results').whereNotNull('state_law_kind').pluck('state_law_kind')
      assert.deepEqual(stateLaw.sort(), ['hiv-antibody', 'malignancy'])
    })
  }
})

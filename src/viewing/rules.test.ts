import assert from 'node:assert/strict'
import { ageOn, childAccess, grantedTools, grantInForce, teenTools } from './rules'

describe('proxy access rules', () => {
  describe('a member’s age', () => {
    it('counts whole years, the birthday included', () => {
      assert.equal(ageOn('2008-06-21', '2026-06-20'), 17)
      assert.equal(ageOn('2008-06-21', '2026-06-21'), 18)
      assert.equal(ageOn('2014-12-31', '2026-01-01'), 11)
    })

    it('gives someone born on 29 February their birthday on 1 March in other years', () => {
      assert.equal(ageOn('2008-02-29', '2026-02-28'), 17)
      assert.equal(ageOn('2008-02-29', '2026-03-01'), 18)
    })
  })

  describe('what a parent or guardian may use', () => {
    it('gives every tool for a child under 12', () => {
      const access = childAccess('2018-03-01', '2026-12-04')
      assert.equal(access.kind, 'child')
      assert.ok(access.kind === 'child' && access.tools.includes('labs') && access.tools.includes('coverage'))
    })

    it('gives a teen’s vaccinations, appointments and messages from the 12th birthday, never labs, prescriptions or claims', () => {
      assert.equal(childAccess('2014-12-04', '2026-12-03').kind, 'child')
      const teen = childAccess('2014-12-04', '2026-12-04')
      assert.equal(teen.kind, 'teen')
      assert.deepEqual(teen.kind === 'teen' && [...teen.tools], ['messages', 'appointments', 'vaccinations'])
      for (const confidential of ['labs', 'prescriptions', 'coverage'] as const)
        assert.ok(!teenTools.includes(confidential), confidential)
    })

    it('ends on the 18th birthday', () => {
      assert.equal(childAccess('2008-12-04', '2026-12-03').kind, 'teen')
      assert.equal(childAccess('2008-12-04', '2026-12-04').kind, 'none')
    })
  })

  describe('a grant', () => {
    it('works until revoked when it has no end date', () => {
      assert.equal(grantInForce({ revokedAt: null, endsOn: null }, '2030-01-01'), true)
      assert.equal(grantInForce({ revokedAt: new Date('2026-01-01T00:00:00Z'), endsOn: null }, '2026-01-02'), false)
    })

    it('works through its last day and not after', () => {
      assert.equal(grantInForce({ revokedAt: null, endsOn: '2026-12-31' }, '2026-12-31'), true)
      assert.equal(grantInForce({ revokedAt: null, endsOn: '2026-12-31' }, '2027-01-01'), false)
    })

    it('counts only names that are tools', () => {
      assert.deepEqual(grantedTools(['prescriptions', 'admin', 'appointments']), ['prescriptions', 'appointments'])
    })
  })
})

import assert from 'node:assert/strict'
import { decisionDueBy, effectiveStatus, unitsLeft } from './rules'

const requestedAt = new Date('2027-01-04T17:00:00Z')

describe('prior authorization rules', () => {
  it('gives an expedited request 72 hours and a standard one 7 calendar days for a decision', () => {
    assert.equal(decisionDueBy({ urgency: 'expedited', requestedAt }).toISOString(), '2027-01-07T17:00:00.000Z')
    assert.equal(decisionDueBy({ urgency: 'standard', requestedAt }).toISOString(), '2027-01-11T17:00:00.000Z')
  })

  it('shows an approval as expired after its last day in the plan’s time zone, and not before', () => {
    const approved = {
      status: 'approved',
      urgency: 'standard',
      requestedAt,
      validTo: '2027-02-01',
      unitsApproved: 1,
      unitsUsed: 0,
    } as const
    // 23:59 on 1 February in Los Angeles is already 2 February in UTC.
    assert.equal(effectiveStatus(approved, new Date('2027-02-02T07:59:00Z')), 'approved')
    assert.equal(effectiveStatus(approved, new Date('2027-02-02T08:00:00Z')), 'expired')
    assert.equal(effectiveStatus({ ...approved, status: 'denied' }, new Date('2027-03-01T00:00:00Z')), 'denied')
  })

  it('counts the units left, never below zero', () => {
    assert.equal(unitsLeft({ unitsApproved: 12, unitsUsed: 4 }), 8)
    assert.equal(unitsLeft({ unitsApproved: 1, unitsUsed: 3 }), 0)
    assert.equal(unitsLeft({ unitsApproved: null, unitsUsed: 0 }), null)
  })
})

import assert from 'node:assert/strict'
import { releaseOf } from './release'

// 2026-11-20 is a Friday; 17:00 UTC is 9 a.m. in California.
const fridayMorning = new Date('2026-11-20T17:00:00Z')

describe('when a lab result is shown online', () => {
  it('shows a routine panel as soon as it is resulted', () => {
    assert.deepEqual(releaseOf('routine', fridayMorning, fridayMorning), { state: 'released' })
  })

  it('holds most results for 3 business days, skipping the weekend', () => {
    const wednesdayMorning = new Date('2026-11-25T17:00:00Z')
    const held = releaseOf('standard', fridayMorning, new Date('2026-11-25T16:59:59Z'))
    assert.deepEqual(held, { state: 'held', releasesAt: wednesdayMorning, businessDays: 3 })
    assert.deepEqual(releaseOf('standard', fridayMorning, wednesdayMorning), { state: 'released' })
  })

  it('holds pathology, genetics and imaging reports for 7 business days', () => {
    const held = releaseOf('sensitive', fridayMorning, new Date('2026-11-30T17:00:00Z'))
    assert.equal(held.state, 'held')
    assert.equal(held.state === 'held' && held.releasesAt.toISOString(), '2026-12-01T17:00:00.000Z')
    assert.deepEqual(releaseOf('sensitive', fridayMorning, new Date('2026-12-01T17:00:00Z')), { state: 'released' })
  })

  it('counts business days in California, not in UTC', () => {
    // Friday 8 p.m. in California is already Saturday in UTC; the hold still starts counting on Monday.
    const fridayEvening = new Date('2026-11-21T04:00:00Z')
    const held = releaseOf('standard', fridayEvening, fridayEvening)
    assert.equal(held.state === 'held' && held.releasesAt.toISOString(), '2026-11-26T04:00:00.000Z')
  })

  it('starts counting on Monday for a result ready at the weekend', () => {
    const saturday = new Date('2026-11-21T18:00:00Z')
    const held = releaseOf('standard', saturday, saturday)
    assert.equal(held.state === 'held' && held.releasesAt.toISOString(), '2026-11-25T18:00:00.000Z')
  })

  it('never shows some results online, however old', () => {
    assert.deepEqual(releaseOf('never-online', new Date('2020-01-06T17:00:00Z'), fridayMorning), {
      state: 'never-online',
    })
  })
})

import assert from 'node:assert/strict'
import { clockEnvironment, clockStartingAt, fixedClock } from './clock'

describe('clocks', () => {
  it('hands a spawned process the test clock as it reads now, which then runs on from there', () => {
    const real = fixedClock(new Date('2031-03-09T10:00:00Z'))
    const testClock = fixedClock(new Date('2026-11-25T20:00:00Z'))
    const { CLOCK_AT } = clockEnvironment(testClock)
    assert.equal(CLOCK_AT, '2026-11-25T20:00:00.000Z')

    const child = clockStartingAt(new Date(CLOCK_AT), real)
    assert.equal(child().toISOString(), '2026-11-25T20:00:00.000Z')
    real.advance(90_000)
    assert.equal(child().toISOString(), '2026-11-25T20:01:30.000Z')
  })
})

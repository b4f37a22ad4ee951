import assert from 'node:assert/strict'
import type { RefillStatus } from './types'
import { movesUseARefill, refillTransitions, statusesBefore } from './refill-status'

describe('refill request statuses', () => {
  it('never moves a request back, and never out of shipped or denied', () => {
    assert.deepEqual(statusesBefore('sent'), ['requested', 'failed'])
    assert.deepEqual(statusesBefore('failed'), ['requested'])
    assert.deepEqual(refillTransitions.shipped, [])
    assert.deepEqual(refillTransitions.denied, [])
    assert.ok(!statusesBefore('ready').includes('shipped'), 'shipped never goes back to ready')
  })

  it('uses a refill on the first move into ready or shipped only', () => {
    const uses = (Object.keys(refillTransitions) as RefillStatus[]).flatMap((from) =>
      refillTransitions[from].filter((to) => movesUseARefill(from, to)).map((to) => `${from}→${to}`),
    )
    assert.deepEqual(uses, [
      'requested→ready',
      'requested→shipped',
      'sent→ready',
      'sent→shipped',
      'failed→ready',
      'failed→shipped',
    ])
  })
})

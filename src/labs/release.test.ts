import assert from 'node:assert/strict'
import path from 'node:path'
import { latestHoldEnd, loadStateLawTable, noStateLaw, ReleaseFacts, releaseOf } from './release'

const california = loadStateLawTable(path.join(__dirname, '..', '..', 'config', 'state-law', 'california.json'))
const finalAt = new Date('2026-11-20T17:00:00Z')
const dayMs = 24 * 60 * 60 * 1000
const later = (days: number) => new Date(finalAt.getTime() + days * dayMs)

function result(facts: Partial<ReleaseFacts> = {}): ReleaseFacts {
  return {
    finalAt,
    sensitive: false,
    stateLawKind: null,
    reviewedAt: null,
    discussedAt: null,
    shownEarlyAt: null,
    releasedAt: null,
    hold: null,
    ...facts,
  }
}

describe('when a lab result is shown online', () => {
  it('shows a result the moment it is final when nothing says to wait, sensitive or not', () => {
    assert.deepEqual(releaseOf(result(), null, california, finalAt), { state: 'released' })
    assert.deepEqual(releaseOf(result({ sensitive: true }), 'at-once', california, finalAt), { state: 'released' })
  })

  it('keeps a kind of test in the state-law table offline until a clinician has talked with the member, however old', () => {
    const hiv = result({ stateLawKind: 'hiv-antibody' })
    const held = releaseOf(hiv, 'at-once', california, later(400))
    assert.equal(held.state === 'held' && held.reason, 'state-law')
    assert.equal(held.state === 'held' && held.reason === 'state-law' && held.law.name, 'an HIV test')
    // A review alone is not the talk the law asks for.
    assert.equal(releaseOf({ ...hiv, reviewedAt: later(1) }, null, california, later(2)).state, 'held')
    assert.deepEqual(releaseOf({ ...hiv, reviewedAt: later(1), discussedAt: later(1) }, null, california, later(2)), {
      state: 'released',
    })
  })

  it('has no state-law holds when the plan’s state has no table (the default)', () => {
    assert.deepEqual(releaseOf(result({ stateLawKind: 'hiv-antibody' }), null, noStateLaw, finalAt), {
      state: 'released',
    })
  })

  it('holds one result under a clinician’s hold until its end date, even if nobody acts, or until reviewed', () => {
    const held = result({ hold: { endsAt: later(5), liftedAt: null } })
    assert.deepEqual(releaseOf(held, null, california, later(4.9)), {
      state: 'held',
      reason: 'clinician',
      until: later(5),
    })
    assert.deepEqual(releaseOf(held, null, california, later(5)), { state: 'released' })
    assert.deepEqual(releaseOf({ ...held, reviewedAt: later(1) }, null, california, later(1)), { state: 'released' })
  })

  it('caps a clinician’s hold at 14 days from when it is set', () => {
    assert.equal(latestHoldEnd(finalAt).getTime(), later(14).getTime())
  })

  it('waits for the doctor’s review of sensitive results only when the member chose that', () => {
    const genetic = result({ sensitive: true })
    const waiting = releaseOf(genetic, 'sensitive-after-review', california, later(1))
    assert.deepEqual(waiting, {
      state: 'held',
      reason: 'member-choice',
      choice: 'sensitive-after-review',
      until: later(14),
    })
    assert.deepEqual(releaseOf(result(), 'sensitive-after-review', california, later(1)), { state: 'released' })
    assert.equal(releaseOf(result(), 'all-after-review', california, later(1)).state, 'held')
  })

  it('shows a waited-for result when reviewed, after 14 days at most, or when the member chooses to see it', () => {
    const genetic = result({ sensitive: true })
    assert.deepEqual(releaseOf({ ...genetic, reviewedAt: later(2) }, 'all-after-review', california, later(2)), {
      state: 'released',
    })
    assert.equal(releaseOf(genetic, 'all-after-review', california, new Date(later(14).getTime() - 1)).state, 'held')
    assert.deepEqual(releaseOf(genetic, 'all-after-review', california, later(14)), { state: 'released' })
    assert.deepEqual(releaseOf({ ...genetic, shownEarlyAt: later(1) }, 'all-after-review', california, later(1)), {
      state: 'released',
    })
  })

  it('applies the first reason that applies: state law, then the clinician, then the member’s choice', () => {
    const everything = result({
      sensitive: true,
      stateLawKind: 'malignancy',
      hold: { endsAt: later(5), liftedAt: null },
    })
    const first = releaseOf(everything, 'all-after-review', california, later(1))
    assert.equal(first.state === 'held' && first.reason, 'state-law')
    const second = releaseOf({ ...everything, stateLawKind: null }, 'all-after-review', california, later(1))
    assert.equal(second.state === 'held' && second.reason, 'clinician')
    const third = releaseOf({ ...everything, stateLawKind: null, hold: null }, 'all-after-review', california, later(1))
    assert.equal(third.state === 'held' && third.reason, 'member-choice')
  })

  it('keeps a released result released when the member later chooses to wait, unless a clinician holds it', () => {
    const shown = result({ releasedAt: finalAt })
    assert.deepEqual(releaseOf(shown, 'all-after-review', california, later(1)), { state: 'released' })
    const heldAgain = releaseOf({ ...shown, hold: { endsAt: later(3), liftedAt: null } }, null, california, later(1))
    assert.equal(heldAgain.state === 'held' && heldAgain.reason, 'clinician')
  })
})

import assert from 'node:assert/strict'
import { firstUnfinishedStep, redirectFor, registrationLapsed, stepNumber } from './wizard'

describe('the registration wizard order', () => {
  const matched = { memberId: 1, firstName: 'Maria', lastName: 'Garcia', lastActiveAt: 0 }

  it('starts at membership information', () => {
    assert.equal(firstUnfinishedStep(undefined), '/register')
    assert.equal(redirectFor(undefined, '/register/secure'), '/register')
  })

  it('sends a jump ahead back to the first unfinished step, and lets Back work', () => {
    const withTerms = { ...matched, termsAcceptedAt: 1 }
    assert.equal(redirectFor(matched, '/register/user-id'), '/register/terms')
    assert.equal(redirectFor(withTerms, '/register/secure/password'), '/register/user-id')
    assert.equal(redirectFor(withTerms, '/register/terms'), undefined)
    assert.equal(redirectFor(withTerms, '/register'), undefined)
  })

  it('needs the identity questions passed before the password', () => {
    const ready = { ...matched, termsAcceptedAt: 1, userId: 'maria.g', email: 'm@example.com' }
    assert.equal(redirectFor(ready, '/register/secure/password'), '/register/secure')
    const passed = { ...ready, identity: { questions: [], failedAttempts: 0, passed: true } }
    assert.equal(redirectFor(passed, '/register/secure/password'), undefined)
  })

  it('keeps a finished registration on the confirmation', () => {
    const done = { ...matched, completedUserId: 'maria.g' }
    assert.equal(redirectFor(done, '/register/terms'), '/register/done')
    assert.equal(redirectFor(done, '/register/done'), undefined)
  })

  it('keeps the answers for the whole window after the last page, and no longer', () => {
    const lastUsed = { ...matched, lastActiveAt: Date.parse('2026-11-25T15:00:00Z') }
    assert.equal(registrationLapsed(lastUsed, Date.parse('2026-11-25T16:00:00Z'), 60), false)
    assert.equal(registrationLapsed(lastUsed, Date.parse('2026-11-25T16:00:01Z'), 60), true)
  })

  it('numbers the five steps as the brochure does', () => {
    assert.deepEqual(
      (
        [
          '/register',
          '/register/terms',
          '/register/user-id',
          '/register/secure',
          '/register/secure/password',
          '/register/done',
        ] as const
      ).map(stepNumber),
      [1, 2, 3, 4, 4, 5],
    )
  })
})

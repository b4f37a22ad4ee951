import assert from 'node:assert/strict'
import { newMessageNotice } from './emails'
import { ageOn, waitedFor } from './service'

describe('what the office inbox shows', () => {
  it('gives the member’s age in whole years on the plan’s calendar day', () => {
    assert.equal(ageOn('1980-06-21', '2026-06-20'), 45)
    assert.equal(ageOn('1980-06-21', '2026-06-21'), 46)
    assert.equal(ageOn('2012-02-29', '2026-02-28'), 13)
    assert.equal(ageOn('2012-02-29', '2026-03-01'), 14)
  })

  it('says how long a thread has waited in minutes, then hours, then days', () => {
    const sent = new Date('2026-11-25T18:00:00Z')
    const after = (minutes: number) => waitedFor(sent, new Date(sent.getTime() + minutes * 60_000))
    assert.equal(after(0), 'less than a minute')
    assert.equal(after(1), '1 minute')
    assert.equal(after(59), '59 minutes')
    assert.equal(after(60), '1 hour')
    assert.equal(after(47 * 60 + 59), '47 hours')
    assert.equal(after(48 * 60), '2 days')
  })
})

describe('the office-reply email', () => {
  it('says only that a message is waiting and how to sign on', () => {
    const email = newMessageNotice('pat@example.com', 'https://portal.example/sign-on', '1-800-555-0100 (TTY 711)')
    assert.equal(email.to, 'pat@example.com')
    assert.equal(email.subject, 'You have a new message in Member Portal')
    assert.match(email.text, /sign on at https:\/\/portal\.example\/sign-on and open Messages/)
  })
})

import assert from 'node:assert/strict'
import { passwordProblem } from './password-policy'

describe('the password rules', () => {
  const member = { userId: 'maria.g85', firstName: 'María', lastName: 'Garcia' }

  it('accepts a passphrase of a few words, spaces and all', () => {
    assert.equal(passwordProblem('purple kettle on a windy dock', member), undefined)
    assert.equal(passwordProblem('Harbor-lights-2026'), undefined)
    assert.equal(passwordProblem('ünïcödé pässwörd wörks fïne'), undefined)
  })

  it('needs at least 15 and at most 128 characters', () => {
    assert.match(passwordProblem('short phrase', member)!, /at least 15 characters/)
    assert.match(passwordProblem('x'.repeat(129), member)!, /128 characters or fewer/)
    assert.equal(
      passwordProblem('tall ships sail past the old lighthouse at dawn '.padEnd(128, 'z'), member),
      undefined,
    )
  })

  it('refuses common and breached passwords, with digits or symbols added', () => {
    for (const candidate of [
      'passwordpassword',
      'Password123456789',
      'correct horse battery staple',
      'qwertyuiopasdfghjkl',
      '1qaz2wsx3edc4rfv',
      'iloveyou!!!!!!!!!!',
    ]) {
      assert.match(passwordProblem(candidate, member)!, /common or breached/, candidate)
    }
  })

  it('refuses numbers only and repeated characters', () => {
    assert.match(passwordProblem('123456789012345', member)!, /not only numbers/)
    assert.match(passwordProblem('abcabcabcabcabcabc', member)!, /repeats/)
  })

  it("refuses the member's name, user ID and the portal's name, whatever the case or accents", () => {
    assert.match(passwordProblem('my name is MARIA and i like tea', member)!, /your name/)
    assert.match(passwordProblem('garcia family dinner time', member)!, /your name/)
    assert.match(passwordProblem('login as Maria.G85 every day', member)!, /user ID/)
    assert.match(passwordProblem('my Member Portal password!', member)!, /name of this website/)
  })
})

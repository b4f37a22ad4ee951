import assert from 'node:assert/strict'
import { translateMessage, translatorFor } from '../platform/i18n'
import { passwordProblem, type PasswordContext } from './password-policy'

/** The reason as an English page shows it (the policy returns message keys). */
function problem(password: string, context?: PasswordContext): string | undefined {
  const reason = passwordProblem(password, context)
  return reason === undefined ? undefined : translateMessage(translatorFor('en'), reason)
}

describe('the password rules', () => {
  const member = { userId: 'maria.g85', firstName: 'María', lastName: 'Garcia' }

  it('accepts a passphrase of a few words, spaces and all', () => {
    assert.equal(problem('purple kettle on a windy dock', member), undefined)
    assert.equal(problem('Harbor-lights-2026'), undefined)
    assert.equal(problem('ünïcödé pässwörd wörks fïne'), undefined)
  })

  it('needs at least 15 and at most 128 characters', () => {
    assert.match(problem('short phrase', member)!, /at least 15 characters/)
    assert.match(problem('x'.repeat(129), member)!, /128 characters or fewer/)
    assert.equal(problem('tall ships sail past the old lighthouse at dawn '.padEnd(128, 'z'), member), undefined)
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
      assert.match(problem(candidate, member)!, /common or breached/, candidate)
    }
  })

  it('refuses numbers only and repeated characters', () => {
    assert.match(problem('123456789012345', member)!, /not only numbers/)
    assert.match(problem('abcabcabcabcabcabc', member)!, /repeats/)
  })

  it("refuses the member's name, user ID and the portal's name, whatever the case or accents", () => {
    assert.match(problem('my name is MARIA and i like tea', member)!, /your name/)
    assert.match(problem('garcia family dinner time', member)!, /your name/)
    assert.match(problem('login as Maria.G85 every day', member)!, /user ID/)
    assert.match(problem('my Member Portal password!', member)!, /name of this website/)
  })
})

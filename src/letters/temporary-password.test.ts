import assert from 'node:assert/strict'
import { verify } from '@node-rs/argon2'
import {
  generateTemporaryPassword,
  groupForPrint,
  hashTemporaryPassword,
  temporaryPasswordAlphabet,
} from './temporary-password'

describe('temporary passwords', () => {
  it('are 12 random characters without look-alikes', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const password = generateTemporaryPassword()
      assert.equal(password.length, 12)
      assert.doesNotMatch(password, /[0O1lIoiL]/)
      seen.add(password)
    }
    assert.equal(seen.size, 500)
    assert.doesNotMatch(temporaryPasswordAlphabet, /[0O1lIoiL]/)
  })

  it('are stored as argon2id hashes that verify', async () => {
    const password = generateTemporaryPassword()
    const stored = await hashTemporaryPassword(password)
    assert.match(stored, /^\$argon2id\$/)
    assert.ok(await verify(stored, password))
    assert.ok(!(await verify(stored, password.toLowerCase() + 'x')))
  })

  it('print in groups of four', () => {
    assert.equal(groupForPrint('ABCDEFGHJKMN'), 'ABCD EFGH JKMN')
  })
})

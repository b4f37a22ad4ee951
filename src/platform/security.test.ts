import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { maskToken, unmaskToken } from './security'

describe('masked CSRF tokens', () => {
  const token = randomBytes(128).toString('hex')

  it('give back the session token, from copies that all differ', () => {
    const copies = [maskToken(token), maskToken(token), maskToken(token)]
    assert.equal(new Set(copies).size, 3)
    for (const copy of copies) assert.equal(unmaskToken(copy), token)
  })

  it('never contain the token itself', () => {
    const copy = maskToken(token)
    assert.ok(!copy.includes(token.slice(0, 16)))
    assert.ok(!Buffer.from(copy.split('.')[1], 'base64url').toString('hex').includes(token.slice(0, 16)))
  })

  it('read anything that is not a masked token as no token', () => {
    for (const bad of ['', 'abc', token, 'a.b.c', 'AAAA.AA', `${'A'.repeat(500)}.${'A'.repeat(500)}`, 'é.é'])
      assert.equal(unmaskToken(bad), undefined, bad)
  })
})

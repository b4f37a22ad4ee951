import assert from 'node:assert/strict'
import { isValidNpi, npiCheckDigit, npiFor } from './npi'

describe('NPI check digit', () => {
  it('gives the check digit of CMS’s worked example (123456789 → 3)', () => {
    assert.equal(npiCheckDigit('123456789'), 3)
    assert.equal(isValidNpi('1234567893'), true)
  })

  it('refuses an NPI with a wrong last digit, the wrong length or letters', () => {
    assert.equal(isValidNpi('1234567890'), false)
    assert.equal(isValidNpi('123456789'), false)
    assert.equal(isValidNpi('12345678a3'), false)
  })

  it('completes any base into an NPI that passes', () => {
    for (const base of ['199000001', '199000002', '299000010', '100000000'])
      assert.equal(isValidNpi(npiFor(base)), true)
  })
})

import assert from 'node:assert/strict'
import { formatMoney, parseDollars } from './money'

describe('money', () => {
  it('shows cents as dollars', () => {
    assert.equal(formatMoney(0), '$0.00')
    assert.equal(formatMoney(125_050), '$1,250.50')
  })

  it('reads dollars as members type them, exactly', () => {
    assert.equal(parseDollars('1250'), 125_000)
    assert.equal(parseDollars('$1,250.5'), 125_050)
    assert.equal(parseDollars(' 0.07 '), 7)
    assert.equal(parseDollars('1,000,000.00'), 100_000_000)
  })

  it('refuses what is not an amount', () => {
    for (const typed of ['', 'abc', '-5', '12.345', '1,25', '1e3', '12.', '$', '1 250', '９９']) {
      assert.equal(parseDollars(typed), undefined, typed)
    }
  })
})

import assert from 'node:assert/strict'
import { estimateCost } from './estimate'

const plan = { deductibleCents: 200_000, outOfPocketMaxCents: 600_000 }
const twentyPercent = { kind: 'coinsurance', percent: 20 } as const

function paid(deductibleMetCents: number, outOfPocketMetCents: number) {
  return { ...plan, deductibleMetCents, outOfPocketMetCents }
}

describe('the cost estimate', () => {
  it('charges the copay for a copay service, whatever the deductible', () => {
    for (const accumulators of [paid(0, 0), paid(200_000, 300_000)]) {
      const estimate = estimateCost({ kind: 'copay', copayCents: 2_500 }, 18_000, accumulators)
      assert.equal(estimate.memberPaysCents, 2_500)
      assert.equal(estimate.planPaysCents, 15_500)
    }
  })

  it('stops copays at the out-of-pocket maximum and never charges more than the price', () => {
    const copay = { kind: 'copay', copayCents: 2_500 } as const
    assert.equal(estimateCost(copay, 18_000, paid(200_000, 600_000)).memberPaysCents, 0)
    const partly = estimateCost(copay, 18_000, paid(200_000, 599_000))
    assert.equal(partly.memberPaysCents, 1_000)
    assert.equal(partly.cappedByOutOfPocket, true)
    assert.equal(estimateCost(copay, 1_500, paid(0, 0)).memberPaysCents, 1_500)
  })

  it('puts the whole price toward the deductible when it is less than what is left', () => {
    const estimate = estimateCost(twentyPercent, 120_000, paid(0, 0))
    assert.equal(estimate.deductibleCents, 120_000)
    assert.equal(estimate.coinsuranceCents, 0)
    assert.equal(estimate.memberPaysCents, 120_000)
    assert.equal(estimate.planPaysCents, 0)
  })

  it('charges nothing but the deductible when the price is exactly what is left of it', () => {
    const estimate = estimateCost(twentyPercent, 75_000, paid(125_000, 125_000))
    assert.equal(estimate.deductibleCents, 75_000)
    assert.equal(estimate.coinsuranceCents, 0)
    assert.equal(estimate.memberPaysCents, 75_000)
  })

  it('charges coinsurance on the part of the price past the deductible', () => {
    // One cent past the deductible: 20% of 1 cent rounds to nothing; of 3 cents, to 1.
    assert.equal(estimateCost(twentyPercent, 75_001, paid(125_000, 125_000)).memberPaysCents, 75_000)
    assert.equal(estimateCost(twentyPercent, 75_003, paid(125_000, 125_000)).memberPaysCents, 75_001)
    const estimate = estimateCost(twentyPercent, 120_000, paid(125_000, 125_000))
    assert.equal(estimate.deductibleCents, 75_000)
    assert.equal(estimate.coinsuranceCents, 9_000)
    assert.equal(estimate.memberPaysCents, 84_000)
    assert.equal(estimate.planPaysCents, 36_000)
  })

  it('charges only coinsurance once the deductible is met', () => {
    const estimate = estimateCost(twentyPercent, 120_000, paid(200_000, 250_000))
    assert.equal(estimate.deductibleCents, 0)
    assert.equal(estimate.memberPaysCents, 24_000)
    assert.equal(estimate.deductibleLeftCents, 0)
  })

  it('never charges more than what is left of the out-of-pocket maximum', () => {
    const justBelow = estimateCost(twentyPercent, 120_000, paid(200_000, 576_000))
    assert.equal(justBelow.memberPaysCents, 24_000)
    assert.equal(justBelow.cappedByOutOfPocket, false)
    const oneCentOver = estimateCost(twentyPercent, 120_000, paid(200_000, 576_001))
    assert.equal(oneCentOver.memberPaysCents, 23_999)
    assert.equal(oneCentOver.planPaysCents, 96_001)
    assert.equal(oneCentOver.cappedByOutOfPocket, true)
    const met = estimateCost(twentyPercent, 120_000, paid(200_000, 600_000))
    assert.equal(met.memberPaysCents, 0)
    assert.equal(met.planPaysCents, 120_000)
  })

  it('caps the deductible part too when the out-of-pocket maximum is nearly met', () => {
    const estimate = estimateCost(twentyPercent, 120_000, paid(150_000, 590_000))
    assert.equal(estimate.deductibleCents, 50_000)
    assert.equal(estimate.memberPaysCents, 10_000)
    assert.equal(estimate.cappedByOutOfPocket, true)
  })

  it('treats more than met as met', () => {
    const estimate = estimateCost(twentyPercent, 10_000, paid(250_000, 700_000))
    assert.equal(estimate.deductibleLeftCents, 0)
    assert.equal(estimate.outOfPocketLeftCents, 0)
    assert.equal(estimate.memberPaysCents, 0)
  })
})

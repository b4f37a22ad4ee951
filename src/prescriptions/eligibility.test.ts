import assert from 'node:assert/strict'
import { translateMessage, translatorFor } from '../platform/i18n'
import {
  earliestRefillDate,
  eligibilityMessage,
  MedicationFacts,
  refillEligibility,
  renewalOffered,
} from './eligibility'

/** The rule as an English reader reads it. */
const inEnglish = (eligibility: Parameters<typeof eligibilityMessage>[0]) =>
  translateMessage(translatorFor('en'), eligibilityMessage(eligibility))

const today = '2026-11-25'
const refillable: MedicationFacts = {
  status: 'active',
  schedule: null,
  daysSupply: 30,
  refillsLeft: 2,
  lastFilledOn: '2026-10-30',
  expiresOn: '2027-06-01',
  refillUnderWay: false,
}

describe('refill eligibility', () => {
  it('allows a refill once 75% of the days’ supply has passed, rounded up to whole days', () => {
    assert.equal(earliestRefillDate('2026-11-01', 30), '2026-11-24')
    assert.equal(earliestRefillDate('2026-11-01', 90), '2027-01-08')
    assert.equal(earliestRefillDate('2026-11-01', 5), '2026-11-05')
    assert.equal(earliestRefillDate(null, 30), undefined)
    assert.deepEqual(refillEligibility({ ...refillable, lastFilledOn: '2026-11-02' }, today), { status: 'eligible' })
    assert.deepEqual(refillEligibility({ ...refillable, lastFilledOn: '2026-11-03' }, today), {
      status: 'too-soon',
      from: '2026-11-26',
    })
  })

  it('counts across month and year ends', () => {
    assert.equal(earliestRefillDate('2026-12-20', 30), '2027-01-12')
    assert.equal(earliestRefillDate('2028-02-20', 12), '2028-02-29')
  })

  it('refuses controlled substances of every schedule, before any other rule', () => {
    for (const schedule of ['II', 'III', 'IV', 'V'] as const) {
      assert.equal(refillEligibility({ ...refillable, schedule, refillsLeft: 0 }, today).status, 'controlled')
    }
  })

  it('refuses an expired prescription and one with no refills left, and offers a renewal for both', () => {
    const expired = refillEligibility({ ...refillable, expiresOn: '2026-11-24' }, today)
    assert.equal(expired.status, 'expired')
    assert.equal(refillEligibility({ ...refillable, expiresOn: today }, today).status, 'eligible')
    const none = refillEligibility({ ...refillable, refillsLeft: 0 }, today)
    assert.equal(none.status, 'no-refills')
    assert.equal(renewalOffered(expired), true)
    assert.equal(renewalOffered(none), true)
    assert.equal(renewalOffered({ status: 'controlled' }), false)
  })

  it('refuses a medicine already on its way and one no longer taken', () => {
    assert.equal(refillEligibility({ ...refillable, refillUnderWay: true }, today).status, 'under-way')
    assert.equal(refillEligibility({ ...refillable, status: 'inactive' }, today).status, 'inactive')
  })

  it('says each rule in plain words, with the date a too-soon refill can be asked for', () => {
    assert.equal(inEnglish({ status: 'eligible' }), 'You can request a refill')
    assert.equal(
      inEnglish({ status: 'too-soon', from: '2026-12-12' }),
      'Too soon to refill — you can ask from December 12, 2026',
    )
    assert.match(inEnglish({ status: 'controlled' }), /need a new prescription — call your doctor’s office/)
    assert.match(inEnglish({ status: 'no-refills' }), /No refills left — ask your doctor for a renewal/)
    assert.match(inEnglish({ status: 'expired' }), /This prescription has expired — ask for a renewal/)
  })

  it('says the rules in Spanish, with the date as a Spanish reader writes it', () => {
    const spanish = (eligibility: Parameters<typeof eligibilityMessage>[0]) =>
      translateMessage(translatorFor('es'), eligibilityMessage(eligibility))
    assert.equal(spanish({ status: 'eligible' }), 'Puede solicitar un resurtido')
    assert.equal(
      spanish({ status: 'too-soon', from: '2026-12-07' }),
      'Todavía es pronto para resurtirlo: puede solicitarlo a partir del 7 de diciembre de 2026',
    )
  })
})

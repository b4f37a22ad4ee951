import assert from 'node:assert/strict'
import { pub28Address, pub28Line } from './usps'

describe('USPS Publication 28 addresses', () => {
  it('upper-cases, drops punctuation and abbreviates suffixes and units', () => {
    assert.deepEqual(
      pub28Address({
        name: 'James Chen',
        line1: '88 Alder Street',
        line2: 'Apt. 4',
        city: 'Fremont',
        state: 'CA',
        zip: '94538',
      }),
      { name: 'JAMES CHEN', delivery: '88 ALDER ST APT 4', lastLine: 'FREMONT CA 94538' },
    )
  })

  it('abbreviates a unit on its own line', () => {
    assert.equal(
      pub28Address({
        name: 'A B',
        line1: '5 Oak Road',
        line2: 'Apartment 12',
        city: 'Hayward',
        state: 'CA',
        zip: '94541',
      }).delivery,
      '5 OAK RD APT 12',
    )
    assert.equal(pub28Line('Suite 210'), 'STE 210')
  })

  it('keeps a suffix word that is part of the street name', () => {
    assert.equal(pub28Line('1200 Harbor Way'), '1200 HARBOR WAY')
    assert.equal(pub28Line('17 Court Street'), '17 COURT ST')
    assert.equal(pub28Line('400 North Main Street, Suite 200'), '400 N MAIN ST STE 200')
  })

  it('folds accents and keeps a ZIP+4 hyphen', () => {
    assert.deepEqual(
      pub28Address({
        name: "María O'Connor-Díaz",
        line1: '9 Sequoia Dr.',
        line2: null,
        city: 'Union City',
        state: 'ca',
        zip: '94587-1234',
      }),
      { name: 'MARIA O CONNOR DIAZ', delivery: '9 SEQUOIA DR', lastLine: 'UNION CITY CA 94587-1234' },
    )
  })
})

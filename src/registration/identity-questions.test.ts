import assert from 'node:assert/strict'
import { decoyCandidates, identityQuestions } from './identity-questions'
import type { RosterMember } from './repository'

const member = (overrides: Partial<RosterMember>): RosterMember => ({
  id: 1,
  mrn: '11000001',
  first_name: 'Maria',
  last_name: 'Garcia',
  birth_date: '1985-03-14',
  address_line1: '1200 Harbor Way',
  city: 'Oakland',
  state: 'CA',
  zip: '94612',
  phone: '(510) 555-4417',
  pcp_name: 'Dr. Priya Natarajan',
  ...overrides,
})

// The shape of a value: digits become 9, letters a or A, so "1200 Harbor Way" reads "9999 Aaaaaa Aaa".
const shape = (value: string) => value.replace(/\d/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A')

describe('identity-question decoys', () => {
  it('are written like the member’s own answers, so the right one cannot be told by its form', () => {
    for (let run = 0; run < 20; run++) {
      const decoys = decoyCandidates(member({}))
      for (const address of decoys.addresses) assert.match(address, /^\d{4} [A-Z][a-z]+ [A-Z][a-z]+$/)
      for (const phone of decoys.phones) assert.match(phone, /^\(510\) 555-\d{4}$/)
      for (const doctor of decoys.doctors) assert.match(doctor, /^Dr\. [A-Z][a-z]+ [A-Z][a-z]+$/)
    }
  })

  it('follow the record’s own style: abbreviations, capitals, other phone formats, the fictional 01xx block', () => {
    const decoys = decoyCandidates(
      member({ address_line1: '9 ELM ST.', phone: '510.555.0142', pcp_name: 'Helen Ortiz, MD' }),
    )
    for (const address of decoys.addresses) {
      assert.match(address, /^[1-9] [A-Z]+ [A-Z]+\.?$/)
      assert.doesNotMatch(address, /STREET|AVENUE|BOULEVARD/)
    }
    for (const phone of decoys.phones) assert.match(phone, /^510\.555\.01\d\d$/)
    for (const doctor of decoys.doctors) assert.doesNotMatch(doctor, /^Dr/)
  })

  it('put the right answer among three different decoys, in a shuffled order', () => {
    const positions = new Set<number>()
    for (let run = 0; run < 40; run++) {
      const record = member({})
      const questions = identityQuestions(record, decoyCandidates(record))
      for (const question of questions) {
        assert.equal(new Set(question.options).size, 4)
        positions.add(question.answer)
      }
      assert.deepEqual(
        questions.map((question) => question.options[question.answer]),
        ['1200 Harbor Way', 'Dr. Priya Natarajan', '(510) 555-4417'],
      )
      const [address, doctor, phone] = questions
      assert.ok(address.options.every((option) => /^\d{4} /.test(option)))
      assert.ok(doctor.options.every((option) => option.startsWith('Dr. ')))
      assert.deepEqual(new Set(phone.options.map(shape)), new Set(['(999) 999-9999']))
    }
    assert.deepEqual([...positions].sort(), [0, 1, 2, 3])
  })

  it('never offer the right answer as a decoy, even when the generator lands on it', () => {
    const record = member({ phone: '(510) 555-0150' })
    const questions = identityQuestions(record, {
      addresses: ['1200 Harbor Way', '1200 harbor way', '12 Park Lane', '14 Park Lane', '16 Park Lane'],
      phones: ['(510) 555-0150', '(510) 555-0151', '(510) 555-0152', '(510) 555-0153'],
      doctors: ['Dr. Priya Natarajan', 'Dr. Ellen Brooks', 'Dr. Owen Petrov', 'Dr. Clara Moreau'],
    })
    for (const question of questions) {
      const right = question.options[question.answer]
      assert.equal(question.options.filter((option) => option.toLowerCase() === right.toLowerCase()).length, 1)
    }
  })
})

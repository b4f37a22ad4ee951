import { randomInt } from 'node:crypto'
import type { RosterMember } from './repository'

export interface IdentityQuestion {
  id: string
  // A message key ("registration:identity.address"): the page asks it in the reader's language.
  prompt: string
  options: string[]
  // Kept in the server-side session only: the page shows option numbers, never which one is right.
  answer: number
}

/** A random whole number from min to max inclusive; tests pass their own to pin the output. */
export type RandomInt = (min: number, max: number) => number
const secureRandom: RandomInt = (min, max) => randomInt(min, max + 1)

export interface DecoyCandidates {
  addresses: string[]
  phones: string[]
  doctors: string[]
}

// Common US street names, plausible in any town: decoys are made up, never read from anyone's record.
const streetNames = [
  'Park', 'Lake', 'Hillside', 'Walnut', 'Chestnut', 'Highland', 'Madison', 'Franklin', 'Jefferson', 'Spruce',
  'Meadow', 'Sycamore', 'Laurel', 'Orchard', 'Ridge', 'Valley', 'Magnolia', 'Juniper', 'Poplar', 'Elmwood',
  'Fairview', 'Garden', 'Prospect', 'Summit', 'Brookside', 'Hawthorne', 'Rosewood', 'Mission', 'Church', 'Mill',
] // prettier-ignore
const streetTypes: [full: string, short: string][] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Way', 'Way'],
  ['Court', 'Ct'],
  ['Drive', 'Dr'],
  ['Lane', 'Ln'],
  ['Road', 'Rd'],
  ['Place', 'Pl'],
  ['Boulevard', 'Blvd'],
]

// Invented clinicians' names; the service also drops any that match a provider or member on file.
const givenNames = [
  'Ellen', 'Victor', 'Hannah', 'Carlos', 'Miriam', 'Tobias', 'Grace', 'Rafael', 'Naomi', 'Owen', 'Ingrid', 'Felix',
  'Leah', 'Mateo', 'Yuki', 'Simone', 'Darius', 'Clara', 'Anton', 'Bianca',
] // prettier-ignore
const familyNames = [
  'Brooks', 'Osei', 'Levine', 'Mendes', 'Castellano', 'Whitfield', 'Sorensen', 'Abernathy', 'Kowalski', 'Delacroix',
  'Yamada', 'Fairbanks', 'Lindqvist', 'Moreau', 'Achebe', 'Halloran', 'Petrov', 'Quintero', 'Vasquez', 'Thornbury',
] // prettier-ignore

const pick = <T>(items: readonly T[], random: RandomInt): T => items[random(0, items.length - 1)]

/** Street addresses shaped like the member's own line: as many house-number digits, the same case and abbreviation style. */
function addressCandidates(real: string, count: number, random: RandomInt): string[] {
  const digits = /^(\d+)\s/.exec(real)?.[1].length ?? 0
  const lastWord = (real.trim().split(/\s+/).pop() ?? '').replace(/\.$/, '')
  const short = streetTypes.some(
    ([full, abbreviation]) => abbreviation.toLowerCase() === lastWord.toLowerCase() && full !== abbreviation,
  )
  const dotted = short && real.trim().endsWith('.')
  const upper = real === real.toUpperCase() && /[A-Z]/.test(real)
  return Array.from({ length: count }, () => {
    const number = digits === 0 ? '' : `${random(digits === 1 ? 1 : 10 ** (digits - 1), 10 ** digits - 1)} `
    const [full, abbreviation] = pick(streetTypes, random)
    const type = short ? abbreviation + (dotted && abbreviation !== full ? '.' : '') : full
    const line = `${number}${pick(streetNames, random)} ${type}`
    return upper ? line.toUpperCase() : line
  })
}

/**
 * Phone numbers written exactly like the member's own, with its area code and exchange, and only the last four
 * digits made up: from the fictional 0100–0199 block when the member's own number is in it, otherwise any four.
 */
function phoneCandidates(real: string, count: number, random: RandomInt): string[] {
  const digits = real.replace(/\D/g, '')
  const line = digits.slice(-4)
  const fictional = /^01\d\d$/.test(line)
  return Array.from({ length: count }, () => {
    const last = String(fictional ? random(100, 199) : random(0, 9999)).padStart(4, '0')
    if (digits.length < 7) return `(510) 555-${last}`
    let index = 0
    const wanted = digits.slice(0, -4) + last
    return real.replace(/\d/g, () => wanted[index++])
  })
}

function doctorCandidates(real: string, count: number, random: RandomInt): string[] {
  const title = /^Dr\.?\s/i.exec(real)?.[0] ?? ''
  return Array.from({ length: count }, () => `${title}${pick(givenNames, random)} ${pick(familyNames, random)}`)
}

/** More made-up decoys than a question needs, so any that clash with something on file can be dropped. */
export function decoyCandidates(member: RosterMember, count = 12, random: RandomInt = secureRandom): DecoyCandidates {
  return {
    addresses: addressCandidates(member.address_line1, count, random),
    phones: phoneCandidates(member.phone, count, random),
    doctors: doctorCandidates(member.pcp_name, count, random),
  }
}

function shuffle<T>(items: T[], random: RandomInt): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random(0, i)
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

function question(
  id: string,
  prompt: string,
  correct: string,
  candidates: string[],
  random: RandomInt,
): IdentityQuestion {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()
  const decoys: string[] = []
  for (const candidate of candidates) {
    if (decoys.length === 3) break
    if (!same(candidate, correct) && !decoys.some((decoy) => same(decoy, candidate))) decoys.push(candidate)
  }
  if (decoys.length < 3) throw new Error(`Not enough decoys for the ${id} question`)
  const options = shuffle([correct, ...decoys], random)
  return { id, prompt, options, answer: options.indexOf(correct) }
}

/**
 * Three multiple-choice questions from the member's own record, each with three made-up decoys of the same form
 * (none of them anyone's data: the service has removed any that match a record on file), in a random order.
 */
export function identityQuestions(
  member: RosterMember,
  decoys: DecoyCandidates,
  random: RandomInt = secureRandom,
): IdentityQuestion[] {
  return [
    question('address', 'registration:identity.address', member.address_line1, decoys.addresses, random),
    question('doctor', 'registration:identity.doctor', member.pcp_name, decoys.doctors, random),
    question('phone', 'registration:identity.phone', member.phone, decoys.phones, random),
  ]
}

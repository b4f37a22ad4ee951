import { randomInt } from 'node:crypto'
import type { RosterMember } from './repository'

export interface IdentityQuestion {
  id: string
  prompt: string
  options: string[]
  // Kept in the server-side session only: the page shows option numbers, never which one is right.
  answer: number
}

// Used when the roster is too small to supply enough decoys of its own.
const fallbackDecoys = {
  addresses: [
    '1450 Grand Avenue',
    '77 Willow Street',
    '3021 Fruitvale Avenue',
    '610 Sunset Boulevard',
    '18 Pine Court',
  ],
  doctors: ['Dr. Ellen Brooks', 'Dr. Victor Osei', 'Dr. Hannah Levine', 'Dr. Carlos Mendes'],
  phones: ['(510) 555-0147', '(510) 555-3382', '(415) 555-2290', '(925) 555-7613'],
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

function question(id: string, prompt: string, correct: string, pool: string[], fallback: string[]): IdentityQuestion {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()
  const decoys: string[] = []
  for (const candidate of [...shuffle(pool), ...shuffle(fallback)]) {
    if (decoys.length === 3) break
    if (!same(candidate, correct) && !decoys.some((decoy) => same(decoy, candidate))) decoys.push(candidate)
  }
  const options = shuffle([correct, ...decoys])
  return { id, prompt, options, answer: options.indexOf(correct) }
}

/**
 * Three multiple-choice questions from the member's own record, each with three plausible decoys drawn from
 * other members and doctors, in a fresh random order each time.
 */
export function identityQuestions(
  member: RosterMember,
  pool: { addresses: string[]; phones: string[]; doctors: string[] },
): IdentityQuestion[] {
  return [
    question(
      'address',
      'Which of these addresses is your mailing address?',
      member.address_line1,
      pool.addresses,
      fallbackDecoys.addresses,
    ),
    question('doctor', 'Who is your primary care doctor?', member.pcp_name, pool.doctors, fallbackDecoys.doctors),
    question('phone', 'Which of these phone numbers is yours?', member.phone, pool.phones, fallbackDecoys.phones),
  ]
}

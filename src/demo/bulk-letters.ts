import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { hashSecret } from '../accounts/passwords'
import { userIdKey } from '../accounts/users'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'

// Rows per INSERT and per transaction: large enough to be quick, small enough for MySQL's packet limit.
const insertChunk = 500

// Real city, state and ZIP code combinations, some with punctuation or accents the USPS form must drop.
const places = [
  { city: 'Oakland', state: 'CA', zip: '94612', areaCode: '510' },
  { city: 'Fremont', state: 'CA', zip: '94538', areaCode: '510' },
  { city: 'San Leandro', state: 'CA', zip: '94577', areaCode: '510' },
  { city: 'Sacramento', state: 'CA', zip: '95814', areaCode: '916' },
  { city: 'Fresno', state: 'CA', zip: '93721-2701', areaCode: '559' },
  { city: 'Portland', state: 'OR', zip: '97205', areaCode: '503' },
  { city: 'Seattle', state: 'WA', zip: '98101', areaCode: '206' },
  { city: 'Coeur d’Alene', state: 'ID', zip: '83814', areaCode: '208' },
  { city: 'Phoenix', state: 'AZ', zip: '85004', areaCode: '602' },
  { city: 'Salt Lake City', state: 'UT', zip: '84111', areaCode: '801' },
  { city: 'Denver', state: 'CO', zip: '80202', areaCode: '303' },
  { city: 'Cañon City', state: 'CO', zip: '81212', areaCode: '719' },
  { city: 'Albuquerque', state: 'NM', zip: '87102', areaCode: '505' },
  { city: 'Austin', state: 'TX', zip: '78701-1432', areaCode: '512' },
  { city: 'St. Louis', state: 'MO', zip: '63101', areaCode: '314' },
  { city: 'Minneapolis', state: 'MN', zip: '55401', areaCode: '612' },
  { city: 'Chicago', state: 'IL', zip: '60601', areaCode: '312' },
  { city: 'Columbus', state: 'OH', zip: '43215', areaCode: '614' },
  { city: 'Atlanta', state: 'GA', zip: '30303', areaCode: '404' },
  { city: 'Philadelphia', state: 'PA', zip: '19103', areaCode: '215' },
  { city: 'New York', state: 'NY', zip: '10001', areaCode: '212' },
  { city: 'Boston', state: 'MA', zip: '02108', areaCode: '617' },
  { city: 'Honolulu', state: 'HI', zip: '96813', areaCode: '808' },
  { city: 'Anchorage', state: 'AK', zip: '99501', areaCode: '907' },
] as const

const streets = [
  'Elm',
  'Oak',
  'Maple',
  'Cedar',
  'Alder',
  'Linden',
  'Willow',
  'Juniper',
  'Magnolia',
  'Chestnut',
  'Washington',
  'Lincoln',
  'Jefferson',
  'Madison',
  'Franklin',
  'Harbor',
  'Bayview',
  'Foothill',
  'Highland',
  'Sunset',
  'Lakeshore',
  'Mission',
  'Park',
  'Church',
  'Spring',
  'Ridge',
] as const
const suffixes = ['Street', 'Avenue', 'Boulevard', 'Court', 'Drive', 'Lane', 'Road', 'Way', 'Place', 'Terrace'] as const
const directions = ['North', 'South', 'East', 'West'] as const
const secondaryUnits = ['Apt', 'Apt', 'Apt', 'Unit', 'Ste', '#'] as const

/** A well-mixed 32-bit number from the member's number and a salt, so neighbouring members differ. */
function mix(n: number, salt: number): number {
  let x = Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d)
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b)
  return (x ^ (x >>> 16)) >>> 0
}

function pick<T>(items: readonly T[], n: number, salt: number): T {
  return items[mix(n, salt) % items.length]
}

/**
 * The roster details of bulk member number n: the same every time, varied like a real roster (street
 * numbers, directions, suffixes, a PO box now and then, an apartment or unit line for about a third, ZIP+4
 * for some), and short enough for the envelope window.
 */
export function bulkMember(n: number) {
  const place = pick(places, n, 1)
  const number = 1 + (mix(n, 2) % 19_999)
  const direction = mix(n, 3) % 5 === 0 ? `${pick(directions, n, 4)} ` : ''
  const line1 =
    mix(n, 5) % 40 === 0
      ? `PO Box ${100 + (mix(n, 6) % 9_900)}`
      : `${number} ${direction}${pick(streets, n, 7)} ${pick(suffixes, n, 8)}`
  const unit = pick(secondaryUnits, n, 9)
  const unitNumber = `${1 + (mix(n, 10) % 30)}${mix(n, 11) % 4 === 0 ? 'B' : ''}`
  const line2 = !line1.startsWith('PO Box') && mix(n, 12) % 3 === 0 ? `${unit} ${unitNumber}` : null
  const birth = new Date(Date.UTC(1940, 0, 1) + (mix(n, 13) % (65 * 365)) * 86_400_000)
  return {
    address_line1: line1,
    address_line2: line2,
    city: place.city,
    state: place.state,
    zip: place.zip,
    phone: `(${place.areaCode}) 555-${String(mix(n, 14) % 10_000).padStart(4, '0')}`,
    birth_date: birth.toISOString().slice(0, 10),
  }
}

/** MRNs of one prefix: 9, three digits from the prefix, then the member's number; never like the demo's 11000001. */
function mrnFor(prefix: string, n: number): string {
  let code = 0
  for (const char of prefix) code = (code * 31 + char.charCodeAt(0)) % 1000
  return `9${String(code).padStart(3, '0')}${String(n).padStart(8, '0')}`
}

/**
 * Roster members with accounts made by mail and waiting for tonight's letter, inserted in bulk: for batch
 * tests and the benchmark. Members are named Test<n> Member<prefix>, user IDs are <prefix>.test<n>, and
 * each account has an unusable password and one pending registration letter. Returns the accounts' ids.
 */
export async function createPendingLetters(db: Db, clock: Clock, count: number, prefix = 'bulk'): Promise<number[]> {
  if (!/^[a-z0-9]{1,12}$/.test(prefix)) throw new Error('The prefix must be 1 to 12 lowercase letters or digits')
  if (!Number.isInteger(count) || count < 0 || count > 99_999_999) throw new Error('The count must be 0 to 99999999')
  const clinic = await db('clinics').first<{ id: number } | undefined>('id')
  const provider = await db('providers').where({ clinic_id: clinic?.id }).first<{ id: number } | undefined>('id')
  if (!clinic || !provider) throw new Error('Load the demo plan first: bulk members need a clinic and a provider')
  // Nobody knows the random secret behind this hash, so no password signs these accounts on.
  const unusable = await hashSecret(randomBytes(32).toString('base64url'))
  const ids: number[] = []
  for (let start = 0; start < count; start += insertChunk) {
    const numbers = Array.from({ length: Math.min(insertChunk, count - start) }, (_v, i) => start + i)
    const now = clock()
    await db.transaction(async (trx: Knex.Transaction) => {
      const mrns = numbers.map((n) => mrnFor(prefix, n))
      await trx('members').insert(
        numbers.map((n, index) => ({
          created_at: now,
          mrn: mrns[index],
          first_name: `Test${n}`,
          last_name: `Member${prefix}`,
          ...bulkMember(n),
          clinic_id: clinic.id,
          pcp_provider_id: provider.id,
        })),
      )
      const members: { id: number; first_name: string }[] = await trx('members')
        .whereIn('mrn', mrns)
        .select('id', 'first_name')
      await trx('users').insert(
        members.map((member) => {
          const userId = `${prefix}.${member.first_name.toLowerCase()}`
          return {
            created_at: now,
            user_id: userId,
            user_id_key: userIdKey(userId),
            password_hash: unusable,
            role: 'member',
            display_name: `${member.first_name} Member${prefix}`,
            member_id: member.id,
            credentials_pending: true,
          }
        }),
      )
      const users: { id: number; member_id: number }[] = await trx('users')
        .whereIn(
          'member_id',
          members.map((member) => member.id),
        )
        .orderBy('id')
        .select('id', 'member_id')
      await trx('temp_password_requests').insert(
        users.map((user) => ({
          user_id: user.id,
          member_id: user.member_id,
          reason: 'registration',
          status: 'pending',
          requested_at: now,
        })),
      )
      ids.push(...users.map((user) => user.id))
    })
  }
  return ids
}

import type { Knex } from 'knex'
import { hashSecret } from '../accounts/passwords'
import { userIdKey } from '../accounts/users'
import { normaliseAnswer } from '../accounts/secret-questions'
import { termsVersion } from '../registration/service'
import { TwoStepKeys } from '../two-step/codes'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { seedAppointments } from './appointments'
import { seedHealthRecords, SeededMember } from './health-records'
import { seedMessages } from './messages'
import { seedPrescriptions } from './prescriptions'
import { seedPriorAuthorizations } from './prior-authorizations'
import { npiFor } from '../fhir/npi'

export const demoPassword = 'Harbor-lights-2026'

// The demo staff accounts' authenticator app key (staff always have a second step): add it to any
// authenticator app, or compute the code with appCodeAt in src/two-step/codes.ts.
export const demoAuthenticatorKey = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

// Every demo member account's secret answers (for trying "Forgot password").
export const demoSecretAnswers = [
  { questionKey: 'first-pet', answer: 'Rusty' },
  { questionKey: 'parents-met', answer: 'Sacramento' },
  { questionKey: 'first-car', answer: 'Ford Focus' },
]

export const demoAccounts = [
  { userId: 'alex.rivera', role: 'member', who: 'Alex Rivera (MRN 11000003), parent of Sam and Jordan' },
  {
    userId: 'pat.rivera',
    role: 'member',
    who: 'Pat Rivera (MRN 11000006), who gave Alex her appointments and prescriptions',
  },
  {
    userId: 'office.nurse',
    role: 'office',
    who: 'doctor’s office staff, Family Medicine at San Leandro (Alex’s care team)',
  },
  {
    userId: 'office.geriatrics',
    role: 'office',
    who: 'doctor’s office staff, Geriatrics at Oakland (Pat’s care team)',
  },
  { userId: 'ops.admin', role: 'ops', who: 'operations' },
  { userId: 'mailroom.clerk', role: 'mailroom', who: 'mailroom' },
] as const

const clinics = [
  {
    key: 'oakland',
    npi: '299000011',
    name: 'Oakland Medical Center',
    address_line1: '3600 Broadway',
    city: 'Oakland',
    state: 'CA',
    zip: '94611',
    phone: '(510) 555-0100',
  },
  {
    key: 'fremont',
    npi: '299000012',
    name: 'Fremont Medical Center',
    address_line1: '39400 Paseo Padre Parkway',
    city: 'Fremont',
    state: 'CA',
    zip: '94538',
    phone: '(510) 555-0200',
  },
  {
    key: 'san-leandro',
    npi: '299000013',
    name: 'San Leandro Medical Center',
    address_line1: '2500 Merced Street',
    city: 'San Leandro',
    state: 'CA',
    zip: '94577',
    phone: '(510) 555-0300',
  },
  // Places that bill the plan for imaging and surgery: no doctors of the portal's directory work there.
  {
    key: 'bay-imaging',
    npi: '299000014',
    name: 'Bay Imaging Center',
    address_line1: '3100 Telegraph Avenue',
    city: 'Oakland',
    state: 'CA',
    zip: '94609',
    phone: '(510) 555-0400',
  },
  {
    key: 'east-bay-orthopedics',
    npi: '299000015',
    name: 'East Bay Orthopedics',
    address_line1: '2450 Ashby Avenue',
    city: 'Berkeley',
    state: 'CA',
    zip: '94705',
    phone: '(510) 555-0500',
  },
]

// Demo NPIs: made up, marked as demo data (npi_is_demo), each completed with its check digit so it passes the
// NPI check as a real one would (src/fhir/npi.ts). None is a real provider's.
const providers = [
  { key: 'natarajan', name: 'Dr. Priya Natarajan', specialty: 'Family Medicine', clinic: 'oakland', npi: '199000001' },
  { key: 'ortiz', name: 'Dr. Helen Ortiz', specialty: 'Internal Medicine', clinic: 'oakland', npi: '199000002' },
  { key: 'haddad', name: 'Dr. Amir Haddad', specialty: 'Geriatrics', clinic: 'oakland', npi: '199000003' },
  { key: 'okafor', name: 'Dr. Samuel Okafor', specialty: 'Internal Medicine', clinic: 'fremont', npi: '199000004' },
  { key: 'bell', name: 'Dr. Marcus Bell', specialty: 'Family Medicine', clinic: 'san-leandro', npi: '199000005' },
  { key: 'park', name: 'Dr. Lena Park', specialty: 'Pediatrics', clinic: 'san-leandro', npi: '199000006' },
]

interface DemoMember {
  mrn: string
  first: string
  last: string
  born: string | { yearsOld: number }
  address: [string, string | null, string, string, string]
  phone: string
  email?: string
  pcp: string
  /** FHIR administrative gender as the enrolment file gives it; absent where it gives none. */
  gender?: 'male' | 'female' | 'other'
  /** The language the member asked the plan to use (BCP 47); English when absent. */
  language?: string
}

const riversHome: DemoMember['address'] = ['455 Linden Avenue', null, 'San Leandro', 'CA', '94577']

const members: DemoMember[] = [
  {
    mrn: '11000001',
    gender: 'female',
    language: 'es',
    first: 'Maria',
    last: 'Garcia',
    born: '1985-03-14',
    address: ['1200 Harbor Way', null, 'Oakland', 'CA', '94612'],
    phone: '(510) 555-4417',
    pcp: 'natarajan',
  },
  {
    mrn: '11000002',
    gender: 'male',
    first: 'James',
    last: 'Chen',
    born: '1972-11-02',
    address: ['88 Alder Street', 'Apt 4', 'Fremont', 'CA', '94538'],
    phone: '(510) 555-2381',
    pcp: 'okafor',
  },
  {
    mrn: '11000003',
    gender: 'other',
    first: 'Alex',
    last: 'Rivera',
    born: '1980-06-21',
    address: riversHome,
    phone: '(510) 555-7702',
    email: 'alex.rivera@example.com',
    pcp: 'bell',
  },
  {
    mrn: '11000004',
    gender: 'male',
    first: 'Sam',
    last: 'Rivera',
    born: { yearsOld: 8 },
    address: riversHome,
    phone: '(510) 555-7702',
    pcp: 'park',
  },
  {
    mrn: '11000005',
    gender: 'female',
    first: 'Jordan',
    last: 'Rivera',
    born: { yearsOld: 15 },
    address: riversHome,
    phone: '(510) 555-7702',
    pcp: 'park',
  },
  {
    mrn: '11000006',
    gender: 'female',
    first: 'Pat',
    last: 'Rivera',
    born: '1948-09-30',
    address: ['17 Bayview Court', null, 'Alameda', 'CA', '94501'],
    phone: '(510) 555-3190',
    email: 'pat.rivera@example.com',
    pcp: 'haddad',
  },
  // Members without accounts whose records supply plausible decoys for identity questions.
  {
    mrn: '11000007',
    gender: 'female',
    language: 'vi',
    first: 'Linh',
    last: 'Nguyen',
    born: '1990-01-08',
    address: ['742 Maple Court', null, 'Hayward', 'CA', '94541'],
    phone: '(510) 555-6120',
    pcp: 'ortiz',
  },
  {
    mrn: '11000008',
    gender: 'male',
    first: 'Robert',
    last: 'Johnson',
    born: '1965-07-19',
    address: ['31 Cedar Lane', 'Unit B', 'Berkeley', 'CA', '94703'],
    phone: '(510) 555-8834',
    pcp: 'natarajan',
  },
  {
    mrn: '11000009',
    gender: 'female',
    first: 'Aisha',
    last: 'Khan',
    born: '1978-12-03',
    address: ['2210 Oak Street', null, 'Alameda', 'CA', '94501'],
    phone: '(510) 555-5567',
    pcp: 'okafor',
  },
  {
    mrn: '11000010',
    first: 'David',
    last: 'Kim',
    born: '1995-04-27',
    address: ['9 Sequoia Drive', null, 'Union City', 'CA', '94587'],
    phone: '(510) 555-9041',
    pcp: 'bell',
  },
]

const staff = [
  // Office staff answer the messages of one department: a specialty at a clinic.
  { userId: 'office.nurse', role: 'office', displayName: 'Nurse Joy Adams', department: 'bell' },
  { userId: 'office.geriatrics', role: 'office', displayName: 'Nurse Dana Brooks', department: 'haddad' },
  { userId: 'ops.admin', role: 'ops', displayName: 'Ops Admin' },
  { userId: 'mailroom.clerk', role: 'mailroom', displayName: 'Mailroom Clerk' },
] as const

/** A birth date that makes the member this many years old today (with their birthday 100 days away). */
export function birthDateForAge(today: Date, yearsOld: number): string {
  const date = new Date(Date.UTC(today.getUTCFullYear() - yearsOld - 1, today.getUTCMonth(), today.getUTCDate()))
  date.setUTCDate(date.getUTCDate() + 100)
  return date.toISOString().slice(0, 10)
}

/**
 * Alex is Sam's and Jordan's parent (Sam is 8, Jordan 15 on the seed's clock, so one shows a child's full
 * access and the other a teen's); Pat has given Alex her appointments and prescriptions, with no end date.
 */
async function seedFamily(trx: Knex.Transaction, today: Date, seeded: SeededMember[]): Promise<void> {
  const id = (mrn: string) => seeded.find((member) => member.mrn === mrn)!.id
  const [alex, sam, jordan, pat] = ['11000003', '11000004', '11000005', '11000006'].map(id)
  await trx('guardianships').insert([
    { guardian_member_id: alex, child_member_id: sam, relationship: 'parent', created_at: today },
    { guardian_member_id: alex, child_member_id: jordan, relationship: 'parent', created_at: today },
  ])
  const [grantId] = await trx('proxy_grants').insert({
    grantor_member_id: pat,
    grantee_member_id: alex,
    ends_on: null,
    created_at: today,
    updated_at: today,
  })
  await trx('proxy_grant_tools').insert(
    ['appointments', 'prescriptions'].map((tool) => ({ grant_id: Number(grantId), tool })),
  )
}

export async function demoPlanLoaded(db: Db): Promise<boolean> {
  return Boolean(await db('members').where({ mrn: '11000001' }).first('id'))
}

/** Loads the demo plan in one transaction. Refuses in production; the caller checks it is not loaded yet. */
export async function seedDemoPlan(
  db: Db,
  clock: Clock,
  environment: string,
  options: { twoStepKey: string },
): Promise<void> {
  if (environment === 'production') throw new Error('The demo plan is never loaded in production.')
  const passwordHash = await hashSecret(demoPassword)
  const answerHashes = await Promise.all(demoSecretAnswers.map((answer) => hashSecret(normaliseAnswer(answer.answer))))
  const today = clock()
  await db.transaction(async (trx: Knex.Transaction) => {
    const clinicIds = new Map<string, number>()
    for (const { key, npi, ...clinic } of clinics) {
      const [id] = await trx('clinics').insert({ ...clinic, npi: npiFor(npi), npi_is_demo: true, updated_at: today })
      clinicIds.set(key, Number(id))
    }
    const providerIds = new Map<string, { id: number; clinicId: number }>()
    const departmentIds = new Map<string, number>()
    const providerDepartments = new Map<string, number>()
    for (const { key, clinic, npi, ...provider } of providers) {
      const clinicId = clinicIds.get(clinic)!
      const departmentKey = `${clinic}/${provider.specialty}`
      if (!departmentIds.has(departmentKey)) {
        const [departmentId] = await trx('departments').insert({ clinic_id: clinicId, name: provider.specialty })
        departmentIds.set(departmentKey, Number(departmentId))
      }
      const departmentId = departmentIds.get(departmentKey)!
      const [id] = await trx('providers').insert({
        ...provider,
        clinic_id: clinicId,
        department_id: departmentId,
        npi: npiFor(npi),
        npi_is_demo: true,
        updated_at: today,
      })
      providerIds.set(key, { id: Number(id), clinicId })
      providerDepartments.set(key, departmentId)
    }
    const seeded: SeededMember[] = []
    for (const member of members) {
      const pcp = providerIds.get(member.pcp)!
      const birthDate = typeof member.born === 'string' ? member.born : birthDateForAge(today, member.born.yearsOld)
      const [id] = await trx('members').insert({
        created_at: today,
        mrn: member.mrn,
        first_name: member.first,
        last_name: member.last,
        birth_date: birthDate,
        address_line1: member.address[0],
        address_line2: member.address[1],
        city: member.address[2],
        state: member.address[3],
        zip: member.address[4],
        phone: member.phone,
        email: member.email ?? null,
        administrative_gender: member.gender ?? 'unknown',
        preferred_language: member.language ?? 'en',
        clinic_id: pcp.clinicId,
        pcp_provider_id: pcp.id,
      })
      seeded.push({ id: Number(id), mrn: member.mrn, firstName: member.first, lastName: member.last, birthDate })
      const account = demoAccounts.find(
        (candidate) => candidate.userId === `${member.first}.${member.last}`.toLowerCase(),
      )
      if (account) {
        const [userId] = await trx('users').insert({
          created_at: today,
          user_id: account.userId,
          user_id_key: userIdKey(account.userId),
          password_hash: passwordHash,
          role: 'member',
          display_name: `${member.first} ${member.last}`,
          member_id: Number(id),
          email: member.email ?? null,
          email_verified_at: today,
          password_changed_at: today,
          terms_version: termsVersion,
          terms_accepted_at: today,
        })
        await trx('secret_answers').insert(
          demoSecretAnswers.map((answer, index) => ({
            user_id: Number(userId),
            position: index + 1,
            question_key: answer.questionKey,
            answer_hash: answerHashes[index],
          })),
        )
      }
    }
    const sealedKey = new TwoStepKeys(options.twoStepKey).encrypt(demoAuthenticatorKey)
    for (const person of staff) {
      const [staffId] = await trx('users').insert({
        created_at: today,
        user_id: person.userId,
        user_id_key: userIdKey(person.userId),
        password_hash: passwordHash,
        role: person.role,
        display_name: person.displayName,
        department_id: 'department' in person ? providerDepartments.get(person.department) : null,
        password_changed_at: today,
      })
      await trx('two_step_methods').insert({
        user_id: Number(staffId),
        kind: 'app',
        label: 'Authenticator app',
        secret_encrypted: sealedKey,
        created_at: today,
      })
    }
    await seedFamily(trx, today, seeded)
    // The pharmacies first: the pharmacy claims name the one that filled each.
    await seedPrescriptions(trx, today, seeded, providerIds)
    await seedHealthRecords(trx, today, seeded, providerIds, clinicIds)
    await seedAppointments(trx, today, seeded, providerIds)
    await seedPriorAuthorizations(trx, today, seeded, providerIds)
    await seedMessages(trx, today)
  })
}

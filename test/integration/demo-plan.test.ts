import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import supertest from 'supertest'
import { birthDateForAge, seedDemoPlan } from '../../src/demo/seed'
import { fixedClock } from '../../src/platform/clock'
import { closeServices, resetData, resetWithDemoPlan, signOn, testServices, useTestApp } from '../helpers/app'

const root = path.resolve(__dirname, '..', '..')

function yearsBetween(born: string, on: Date): number {
  const birth = new Date(`${born}T00:00:00Z`)
  let years = on.getUTCFullYear() - birth.getUTCFullYear()
  const beforeBirthday =
    on.getUTCMonth() < birth.getUTCMonth() ||
    (on.getUTCMonth() === birth.getUTCMonth() && on.getUTCDate() < birth.getUTCDate())
  if (beforeBirthday) years -= 1
  return years
}

describe('the demo plan', () => {
  const clock = fixedClock(new Date('2026-02-28T12:00:00Z'))
  const services = testServices({ clock })
  after(() => closeServices(services))

  it('makes Sam 8 and Jordan 15 on the day it is loaded', async () => {
    await resetWithDemoPlan(services, clock)
    const children = await services
      .db('members')
      .whereIn('mrn', ['11000004', '11000005'])
      .orderBy('mrn')
      .select('first_name', 'birth_date')
    assert.deepEqual(
      children.map((child) => [child.first_name, yearsBetween(child.birth_date, clock())]),
      [
        ['Sam', 8],
        ['Jordan', 15],
      ],
    )
    for (const day of ['2024-02-29', '2026-01-01', '2026-12-31']) {
      assert.equal(yearsBetween(birthDateForAge(new Date(`${day}T12:00:00Z`), 8), new Date(`${day}T12:00:00Z`)), 8, day)
    }
  })

  it('holds the documented members, each with address, phone, clinic and doctor', async () => {
    await resetWithDemoPlan(services, clock)
    const maria = await services
      .db('members as m')
      .join('providers as p', 'p.id', 'm.pcp_provider_id')
      .join('clinics as c', 'c.id', 'm.clinic_id')
      .where('m.mrn', '11000001')
      .first(
        'm.first_name',
        'm.birth_date',
        'm.address_line1',
        'm.city',
        'm.zip',
        'm.phone',
        'p.name as doctor',
        'c.name as clinic',
      )
    assert.deepEqual(maria, {
      first_name: 'Maria',
      birth_date: '1985-03-14',
      address_line1: '1200 Harbor Way',
      city: 'Oakland',
      zip: '94612',
      phone: '(510) 555-4417',
      doctor: 'Dr. Priya Natarajan',
      clinic: 'Oakland Medical Center',
    })
    const accounts = await services.db('users').orderBy('user_id').pluck('user_id')
    assert.deepEqual(accounts, [
      'alex.rivera',
      'mailroom.clerk',
      'office.geriatrics',
      'office.nurse',
      'ops.admin',
      'pat.rivera',
    ])
    // Each office account answers one department's messages: the nurse is on Alex's primary care team.
    const departments = await services
      .db('users as u')
      .join('departments as d', 'd.id', 'u.department_id')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .where('u.role', 'office')
      .orderBy('u.user_id')
      .select('u.user_id', 'd.name', 'c.name as clinic')
    assert.deepEqual(
      departments.map((row) => `${row.user_id}: ${row.name} at ${row.clinic}`),
      [
        'office.geriatrics: Geriatrics at Oakland Medical Center',
        'office.nurse: Family Medicine at San Leandro Medical Center',
      ],
    )
  })

  it('refuses to load in production', async () => {
    await resetData(services)
    await assert.rejects(
      seedDemoPlan(services.db, clock, 'production', { twoStepKey: services.config.twoStep.key }),
      /never loaded in production/,
    )
    assert.equal((await services.db('members').count({ n: '*' }))[0].n, 0)
  })

  it('refuses through npm run seed when NODE_ENV is production', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(40),
        PHARMACY_WEBHOOK_SECRET: 'y'.repeat(40),
        TWO_STEP_KEY: 'z'.repeat(40),
      },
      encoding: 'utf8',
    })
    assert.equal(result.status, 1)
    assert.match(result.stderr, /Refusing to load demo data: NODE_ENV is production/)
  })
})

describe('the staff account script', () => {
  const { app } = useTestApp({ keepRedis: true })

  const createStaff = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/create-staff.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })

  it('creates an office account that can sign on', async () => {
    const result = createStaff(
      [
        '--user-id',
        'nurse.lee',
        '--role',
        'office',
        '--name',
        'Nurse Kim Lee',
        '--department',
        'Pediatrics at San Leandro Medical Center',
      ],
      { STAFF_PASSWORD: 'a long staff passphrase here' },
    )
    assert.equal(result.status, 0, result.stderr)
    assert.match(
      result.stdout,
      /Created office account nurse.lee for Nurse Kim Lee in Pediatrics at San Leandro Medical Center/,
    )
    const response = await signOn(supertest.agent(app), 'nurse.lee', 'a long staff passphrase here')
    // The password is right; a new staff account is then walked through setting up 2-step verification.
    assert.equal(response.headers.location, '/sign-on/set-up')
  })

  it('prints a generated password once when none is given', () => {
    const result = createStaff(['--user-id', 'ops.river', '--role', 'ops', '--name', 'River Ops'])
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /Password \(shown once, pass it on securely\): \S{24}/)
  })

  it('refuses a bad role, a bad user ID and a taken one', () => {
    assert.match(
      createStaff(['--user-id', 'someone', '--role', 'member', '--name', 'X']).stderr,
      /The role must be one of office, ops, mailroom/,
    )
    assert.match(
      createStaff(['--user-id', 'a b', '--role', 'ops', '--name', 'X']).stderr,
      /The user ID must be 6 to 32/,
    )
    assert.match(createStaff(['--user-id', 'NURSE.LEE', '--role', 'ops', '--name', 'X']).stderr, /already taken/)
  })

  it('needs a department for office staff, and lists the departments when it is missing or unknown', () => {
    const missing = createStaff(['--user-id', 'nurse.kim', '--role', 'office', '--name', 'X'])
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /Office staff need --department/)
    assert.match(missing.stderr, /Family Medicine at San Leandro Medical Center/)
    const unknown = createStaff([
      '--user-id',
      'nurse.kim',
      '--role',
      'office',
      '--name',
      'X',
      '--department',
      'Oncology',
    ])
    assert.match(unknown.stderr, /There is no department "Oncology"/)
    assert.match(
      createStaff(['--user-id', 'ops.kim', '--role', 'ops', '--name', 'X', '--department', '1']).stderr,
      /Only office staff work in a department/,
    )
  })
})

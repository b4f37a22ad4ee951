import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { hashSecret } from '../src/accounts/passwords'
import { UserRepository } from '../src/accounts/repository'
import { loadConfig } from '../src/config'
import { createDb, Db } from '../src/platform/db'

const usage = `Usage: npm run create-staff -- --user-id ID --role office|ops|mailroom --name "Full Name" [--department DEPARTMENT]
Office staff need --department: the department's number or its name as "Specialty at Clinic"
(for example "Family Medicine at San Leandro Medical Center").
The password is read from STAFF_PASSWORD, or a random one is made and printed once.`

const roles = ['office', 'ops', 'mailroom'] as const

/** The plan's departments, as the script names them. */
async function departments(db: Db): Promise<{ id: number; label: string }[]> {
  const rows: { id: number; name: string; clinic: string }[] = await db('departments as d')
    .join('clinics as c', 'c.id', 'd.clinic_id')
    .orderBy(['c.name', 'd.name'])
    .select('d.id', 'd.name', 'c.name as clinic')
  return rows.map((row) => ({ id: Number(row.id), label: `${row.name} at ${row.clinic}` }))
}

/** Creates a staff account: office, ops and mailroom people never register through the member pages. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'user-id': { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      department: { type: 'string' },
    },
  })
  const userId = values['user-id'] ?? ''
  const role = roles.find((candidate) => candidate === values.role)
  const name = (values.name ?? '').trim()
  if (!/^[A-Za-z0-9._-]{6,32}$/.test(userId))
    throw new Error(`The user ID must be 6 to 32 letters, digits, . _ or -\n${usage}`)
  if (!role) throw new Error(`The role must be one of ${roles.join(', ')}\n${usage}`)
  if (name.length < 1 || name.length > 120) throw new Error(`Give the person's name (up to 120 characters)\n${usage}`)
  if (role !== 'office' && values.department !== undefined)
    throw new Error('Only office staff work in a department: leave out --department')

  const given = process.env.STAFF_PASSWORD
  if (given !== undefined && (given.length < 15 || given.length > 128))
    throw new Error('STAFF_PASSWORD must be 15 to 128 characters')
  const password = given ?? randomBytes(18).toString('base64url')

  const db = createDb(loadConfig().databaseUrl)
  try {
    let departmentId: number | undefined
    if (role === 'office') {
      const known = await departments(db)
      const wanted = (values.department ?? '').trim().toLowerCase()
      const found = known.find(
        (department) => String(department.id) === wanted || department.label.toLowerCase() === wanted,
      )
      if (!found) {
        const list = known.map((department) => `  ${department.id}  ${department.label}`).join('\n')
        throw new Error(
          `${wanted ? `There is no department "${values.department}"` : 'Office staff need --department'}. The departments are:\n${list || '  (none yet: load the plan first)'}`,
        )
      }
      departmentId = found.id
    }
    const users = new UserRepository(db)
    if (await users.findByUserId(userId)) throw new Error(`The user ID ${userId} is already taken`)
    await users.create({
      userId,
      passwordHash: await hashSecret(password),
      role,
      displayName: name,
      departmentId,
      // A one-off command run by an administrator: the real time is the time the account was made.
      at: new Date(),
    })
    const where =
      departmentId === undefined ? '' : ` in ${(await departments(db)).find((d) => d.id === departmentId)?.label}`
    console.log(`Created ${role} account ${userId} for ${name}${where}.`)
    if (given === undefined) console.log(`Password (shown once, pass it on securely): ${password}`)
  } finally {
    await db.destroy()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})

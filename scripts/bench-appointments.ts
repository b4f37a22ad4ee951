import os from 'node:os'
import mysql from 'mysql2/promise'
import { loadConfig } from '../src/config'
import { AppointmentRepository } from '../src/appointments/repository'
import { SlotTakenError } from '../src/appointments/service'
import { reminderWindows } from '../src/appointments/rules'
import { seedDemoPlan } from '../src/demo/seed'
import { systemClock } from '../src/platform/clock'
import { databaseName, migrateToLatest } from '../src/platform/db'
import { closeInfrastructure, createInfrastructure, createServices } from '../src/services'

/**
 * `npm run bench:appointments` (also run by `npm run bench`): how long the reminder sweep takes to find the
 * due reminders among 100,000 upcoming appointments, and how many bookings a second the service takes with
 * many members booking at once, with and without several of them racing for the same slot. Works in a
 * database of its own (`member_portal_bench_appointments`, or BENCH_APPOINTMENTS_DATABASE_URL), emptied first.
 */
const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs

const seconds = (started: number) => (performance.now() - started) / 1000

async function main(): Promise<void> {
  const upcoming = Number(process.env.BENCH_APPOINTMENTS ?? 100_000)
  const databaseUrl =
    process.env.BENCH_APPOINTMENTS_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/member_portal_bench_appointments'
  const name = databaseName(databaseUrl)
  // Every table is emptied: a database not named for the bench is someone's data.
  if (!name.includes('bench')) throw new Error(`The bench database must have "bench" in its name (got "${name}")`)
  const server = new URL(databaseUrl)
  server.pathname = '/'
  const connection = await mysql.createConnection({ uri: server.toString() })
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await connection.end()

  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: 'portal-bench',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  })
  if (config.production) throw new Error('Refusing to run the benchmark with NODE_ENV=production')
  const services = createServices(createInfrastructure(config))
  const { db } = services
  try {
    console.log(
      `Appointments benchmark: ${os.cpus().length} CPU cores, Node ${process.version}, database ${name}, ` +
        `load average ${os.loadavg()[0].toFixed(1)}`,
    )
    await migrateToLatest(db)
    const [tables] = (await db.raw(
      "select table_name as name from information_schema.tables where table_schema = database() and table_name not like 'knex_migrations%'",
    )) as [{ name: string }[]]
    await db.transaction(async (trx) => {
      await trx.raw('SET FOREIGN_KEY_CHECKS = 0')
      for (const table of tables) await trx.raw('DELETE FROM ??', [table.name])
      await trx.raw('SET FOREIGN_KEY_CHECKS = 1')
    })
    await seedDemoPlan(db, systemClock, config.environment, { twoStepKey: config.twoStep.key })
    const now = systemClock()

    // 100,000 more upcoming appointments spread over the providers and the coming five weeks, at minutes no
    // demo slot uses (odd minutes), booked a month ago so every reminder lead applies.
    const providers = (await db('providers').orderBy('id').pluck('id')).map(Number)
    const members = (await db('members').orderBy('id').pluck('id')).map(Number)
    const visitType = await db('visit_types').where({ code: 'office-visit' }).first('id', 'duration_minutes')
    const firstStart = Math.ceil(now.getTime() / (20 * minuteMs)) * 20 * minuteMs + minuteMs
    const perProvider = Math.ceil(upcoming / providers.length)
    const spacing = Math.max(1, Math.floor((35 * dayMs) / perProvider / (2 * minuteMs))) * 2 * minuteMs
    let made = performance.now()
    for (let start = 0; start < upcoming; start += 5000) {
      const size = Math.min(5000, upcoming - start)
      const slots = Array.from({ length: size }, (_unused, offset) => {
        const index = start + offset
        return {
          provider_id: providers[index % providers.length],
          starts_at: new Date(firstStart + Math.floor(index / providers.length) * spacing),
          length_minutes: 20,
        }
      })
      const [firstId] = await db('appointment_slots').insert(slots)
      const booked = new Date(now.getTime() - 30 * dayMs)
      await db('appointments').insert(
        slots.map((slot, offset) => ({
          member_id: members[(start + offset) % members.length],
          slot_id: Number(firstId) + offset,
          provider_id: slot.provider_id,
          visit_type_id: visitType.id,
          starts_at: slot.starts_at,
          ends_at: new Date(slot.starts_at.getTime() + visitType.duration_minutes * minuteMs),
          reason: 'Routine visit',
          status: 'booked',
          scheduled_at: booked,
          created_at: booked,
        })),
      )
    }
    await db.raw('ANALYZE TABLE appointments, appointment_reminders')
    console.log(`${upcoming.toLocaleString('en-US')} upcoming appointments made in ${seconds(made).toFixed(1)} s`)

    // Finding the due reminders: the query each sweep runs per lead time (the (status, starts_at) index).
    const repository = new AppointmentRepository(db)
    const leads = config.appointments.reminderLeadMinutes
    const rows: string[][] = []
    for (const window of reminderWindows(leads, now)) {
      const started = performance.now()
      // Every due one, not only the 5,000 a sweep takes at a time.
      const due = await repository.dueForReminder(window.leadMinutes, window, upcoming)
      rows.push([
        `find every due reminder (${window.leadMinutes / 1440}-day lead)`,
        seconds(started).toFixed(3),
        `${due.length} due`,
      ])
    }
    made = performance.now()
    const first = await services.appointments.sweepReminders()
    rows.push([
      'first sweep: find, record, queue (5,000 a lead at most)',
      seconds(made).toFixed(3),
      `${first.queued} queued`,
    ])
    made = performance.now()
    let sweeps = 0
    let queued = first.queued
    for (let last = first.queued; last > 0; sweeps++) {
      last = (await services.appointments.sweepReminders()).queued
      queued += last
    }
    rows.push([
      `the next sweeps, until none is left`,
      seconds(made).toFixed(3),
      `${sweeps} more (the last finds none), ${queued} queued in all`,
    ])
    made = performance.now()
    const idle = await services.appointments.sweepReminders()
    rows.push(['a sweep with nothing new due', seconds(made).toFixed(3), `${idle.queued} queued`])

    // Booking: members booking different slots at once, then 20 racing for each slot.
    const alex = await db('users').where({ user_id: 'alex.rivera' }).first('id', 'member_id')
    const viewing = { actorUserId: Number(alex.id), memberId: Number(alex.member_id) }
    const bell = await db('providers').where({ name: 'Dr. Marcus Bell' }).first('id')
    const makeSlots = async (count: number, fromDay: number) => {
      const slots = Array.from({ length: count }, (_unused, index) => ({
        provider_id: bell.id,
        starts_at: new Date(firstStart + fromDay * dayMs + index * 2 * minuteMs + 2 * minuteMs - minuteMs / 2),
        length_minutes: 20,
      }))
      const [firstId] = await db('appointment_slots').insert(slots)
      return slots.map((_slot, index) => String(Number(firstId) + index))
    }
    const bookAll = async (slotIds: string[], concurrency: number) => {
      let next = 0
      let booked = 0
      let taken = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < slotIds.length) {
            const slot = slotIds[next++]
            try {
              await services.appointments.book(viewing, {
                visitType: 'office-visit',
                provider: String(bell.id),
                slot,
                reason: 'Bench',
              })
              booked += 1
            } catch (error) {
              if (!(error instanceof SlotTakenError)) throw error
              taken += 1
            }
          }
        }),
      )
      return { booked, taken, seconds: seconds(started) }
    }
    const distinct = await bookAll(await makeSlots(2000, 40), 20)
    rows.push([
      `book 2,000 different slots, 20 at a time`,
      distinct.seconds.toFixed(2),
      `${distinct.booked} booked, ${(distinct.booked / distinct.seconds).toFixed(0)}/s`,
    ])
    const contested = (await makeSlots(100, 45)).flatMap((slot) => Array<string>(20).fill(slot))
    const race = await bookAll(contested, 20)
    rows.push([
      `2,000 requests for 100 slots (20 each), 20 at a time`,
      race.seconds.toFixed(2),
      `${race.booked} booked, ${race.taken} told it was taken, ${(contested.length / race.seconds).toFixed(0)} requests/s`,
    ])
    if (race.booked !== 100) throw new Error(`Expected exactly 100 bookings, got ${race.booked}`)

    console.log('')
    console.log('| step | seconds | result |')
    console.log('|---|---:|---|')
    for (const row of rows) console.log(`| ${row.join(' | ')} |`)
    console.log(`\nload average ${os.loadavg()[0].toFixed(1)} at the end`)
  } finally {
    await closeInfrastructure(services)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})

import type { Db } from '../../src/platform/db'

/** Appointment lookups for tests, by what a person would name them. */
export async function providerIdOf(db: Db, name: string): Promise<number> {
  const row = await db('providers').where({ name }).first('id')
  if (!row) throw new Error(`No provider ${name}`)
  return Number(row.id)
}

/** A provider's open slots after `after`, soonest first, at least `minLength` minutes long. */
export async function openSlotsOf(
  db: Db,
  providerName: string,
  after: Date,
  minLength = 20,
): Promise<{ id: number; startsAt: Date }[]> {
  const rows = await db('appointment_slots as s')
    .join('providers as p', 'p.id', 's.provider_id')
    .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
    .whereNull('a.id')
    .andWhere('p.name', providerName)
    .andWhere('s.starts_at', '>', after)
    .andWhere('s.length_minutes', '>=', minLength)
    .orderBy('s.starts_at')
    .select('s.id', 's.starts_at')
  return rows.map((row: { id: number; starts_at: Date }) => ({ id: Number(row.id), startsAt: row.starts_at }))
}

/** A member's appointments, soonest first. */
export async function appointmentsOf(db: Db, mrn: string) {
  return db('appointments as a')
    .join('members as m', 'm.id', 'a.member_id')
    .where('m.mrn', mrn)
    .orderBy('a.starts_at')
    .select('a.*')
}

/** Unfolds an iCalendar file into its content lines, refusing a bare LF. */
export function calendarLines(ics: string): string[] {
  if (/[^\r]\n/.test(ics)) throw new Error('A line ends without CR')
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean)
}

export function calendarProperty(ics: string, name: string): string | undefined {
  const line = calendarLines(ics).find(
    (candidate) => candidate.startsWith(`${name}:`) || candidate.startsWith(`${name};`),
  )
  return line?.slice(line.indexOf(':') + 1)
}

/** 20261201T172000Z → the instant. */
export function calendarInstant(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!match) throw new Error(`Not a UTC date-time: ${value}`)
  const [, y, mo, d, h, mi, s] = match.map(Number)
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s))
}

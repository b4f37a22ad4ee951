import fs from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import { z } from 'zod'
import { addDays, clinicTime, isoWeekday, planDate } from '../appointments/times'
import { bookingWeeks } from '../appointments/rules'
import type { SeededMember } from './health-records'

/**
 * The demo clinics' appointments, from `data/appointments.json`: visit types, who offers them, weekly hours,
 * the open slots made from those hours for the coming weeks (a share already taken), and the demo members'
 * own past and upcoming visits. Days are offsets from the seed's clock, so Alex always has one a few hours
 * away — too late to cancel online.
 */

const text = z.string().min(1)
const clock = z.string().regex(/^\d{2}:\d{2}$/)
const visit = {
  provider: text,
  visit: text,
  reason: text,
  cancelled: z.boolean().optional(),
  about: text.optional(),
}
const schema = z.object({
  visitTypes: z.array(z.object({ code: text, name: text, minutes: z.number().int().min(5), bring: text })),
  providers: z.object({
    about: text,
    schedules: z.record(
      text,
      z.object({
        offers: z.array(text),
        hours: z.array(z.tuple([z.array(z.number().int().min(1).max(7)), clock, clock, z.number().int().min(5)])),
      }),
    ),
  }),
  alreadyBooked: z.object({ about: text, every: z.number().int().min(2), mrns: z.array(z.string().regex(/^\d{8}$/)) }),
  members: z.record(
    z.string().regex(/^\d{8}$/),
    z.array(
      z.union([
        z.object({ ...visit, hoursFromSeed: z.number().int() }),
        z.object({ ...visit, daysFromSeed: z.number().int(), at: clock }),
      ]),
    ),
  ),
})

export type DemoAppointments = z.infer<typeof schema>

export function loadDemoAppointments(): DemoAppointments {
  const file = path.join(__dirname, 'data', 'appointments.json')
  const parsed = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')))
  if (!parsed.success) throw new Error(`src/demo/data/appointments.json: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

const minuteMs = 60_000

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number)
  return hours * 60 + minutes
}

function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** Every slot of a provider's weekly hours on the days from `firstDay` for `days` days. */
export function slotsFromSchedule(
  hours: DemoAppointments['providers']['schedules'][string]['hours'],
  firstDay: string,
  days: number,
): { startsAt: Date; lengthMinutes: number }[] {
  const slots: { startsAt: Date; lengthMinutes: number }[] = []
  for (let offset = 0; offset < days; offset++) {
    const date = addDays(firstDay, offset)
    for (const [weekdays, starts, ends, length] of hours) {
      if (!weekdays.includes(isoWeekday(date))) continue
      for (let at = minutesOf(starts); at + length <= minutesOf(ends); at += length) {
        slots.push({ startsAt: clinicTime(date, timeOf(at)), lengthMinutes: length })
      }
    }
  }
  return slots
}

/** The clinics see routine visits Monday to Friday: a demo visit that would fall on a weekend moves to Monday. */
function clinicDayFrom(date: string): string {
  let day = date
  while (isoWeekday(day) > 5) day = addDays(day, 1)
  return day
}

export async function seedAppointments(
  trx: Knex.Transaction,
  now: Date,
  members: SeededMember[],
  providerIds: Map<string, { id: number }>,
): Promise<void> {
  const data = loadDemoAppointments()
  const visitTypes = new Map<string, { id: number; minutes: number }>()
  for (const [order, type] of data.visitTypes.entries()) {
    const [id] = await trx('visit_types').insert({
      code: type.code,
      name: type.name,
      duration_minutes: type.minutes,
      what_to_bring: type.bring,
      sort_order: order,
    })
    visitTypes.set(type.code, { id: Number(id), minutes: type.minutes })
  }
  const providerId = (key: string) => {
    const provider = providerIds.get(key)
    if (!provider) throw new Error(`src/demo/data/appointments.json: unknown provider ${key}`)
    return provider.id
  }
  const visitType = (code: string) => {
    const type = visitTypes.get(code)
    if (!type) throw new Error(`src/demo/data/appointments.json: unknown visit type ${code}`)
    return type
  }

  const today = planDate(now)
  for (const [key, schedule] of Object.entries(data.providers.schedules)) {
    const id = providerId(key)
    await trx('provider_visit_types').insert(
      schedule.offers.map((code) => ({ provider_id: id, visit_type_id: visitType(code).id })),
    )
    await trx('provider_schedules').insert(
      schedule.hours.flatMap(([weekdays, starts, ends, length]) =>
        weekdays.map((weekday) => ({ provider_id: id, weekday, starts, ends, slot_minutes: length })),
      ),
    )
    const slots = slotsFromSchedule(schedule.hours, today, bookingWeeks * 7 + 7).filter(
      (slot) => slot.startsAt.getTime() > now.getTime(),
    )
    await trx.batchInsert(
      'appointment_slots',
      slots.map((slot) => ({ provider_id: id, starts_at: slot.startsAt, length_minutes: slot.lengthMinutes })),
      500,
    )
  }

  const memberIds = new Map(members.map((member) => [member.mrn, member.id]))
  const book = async (
    memberId: number,
    slotId: number,
    startsAt: Date,
    provider: number,
    code: string,
    reason: string,
    cancelled = false,
  ) => {
    const type = visitType(code)
    const scheduledAt = new Date(Math.min(now.getTime(), startsAt.getTime()) - 21 * 24 * 60 * minuteMs)
    await trx('appointments').insert({
      member_id: memberId,
      slot_id: slotId,
      provider_id: provider,
      visit_type_id: type.id,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + type.minutes * minuteMs),
      reason,
      status: cancelled ? 'cancelled' : 'booked',
      scheduled_at: scheduledAt,
      cancelled_at: cancelled ? scheduledAt : null,
      // A cancellation is a change to the booking: its calendar file's SEQUENCE is above the booking's 0.
      sequence: cancelled ? 1 : 0,
      created_at: scheduledAt,
    })
  }

  for (const [mrn, visits] of Object.entries(data.members)) {
    const memberId = memberIds.get(mrn)
    if (!memberId) continue
    for (const planned of visits) {
      const provider = providerId(planned.provider)
      const startsAt =
        'hoursFromSeed' in planned
          ? new Date(
              Math.ceil((now.getTime() + planned.hoursFromSeed * 60 * minuteMs) / (20 * minuteMs)) * 20 * minuteMs,
            )
          : clinicTime(clinicDayFrom(addDays(today, planned.daysFromSeed)), planned.at)
      const length = Math.max(20, visitType(planned.visit).minutes)
      const existing = await trx('appointment_slots').where({ provider_id: provider, starts_at: startsAt }).first('id')
      const slotId = existing
        ? Number(existing.id)
        : Number(
            (
              await trx('appointment_slots').insert({
                provider_id: provider,
                starts_at: startsAt,
                length_minutes: length,
              })
            )[0],
          )
      await book(memberId, slotId, startsAt, provider, planned.visit, planned.reason, planned.cancelled)
    }
  }

  // A share of the open slots is already taken by members without accounts.
  const others = data.alreadyBooked.mrns.map((mrn) => memberIds.get(mrn)).filter((id): id is number => id !== undefined)
  if (others.length === 0) return
  const open = await trx('appointment_slots as s')
    .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
    .whereNull('a.id')
    .orderBy('s.id')
    .select('s.id', 's.provider_id', 's.starts_at', 's.length_minutes')
  const rows = open
    .filter((_slot, index) => index % data.alreadyBooked.every === 0)
    .map((slot: { id: number; provider_id: number; starts_at: Date; length_minutes: number }, index) => {
      const code = slot.length_minutes >= 40 ? 'annual-physical' : 'office-visit'
      const type = visitType(code)
      const scheduledAt = new Date(now.getTime() - 7 * 24 * 60 * minuteMs)
      return {
        member_id: others[index % others.length],
        slot_id: slot.id,
        provider_id: slot.provider_id,
        visit_type_id: type.id,
        starts_at: slot.starts_at,
        ends_at: new Date(slot.starts_at.getTime() + type.minutes * minuteMs),
        reason: 'Routine visit',
        status: 'booked',
        scheduled_at: scheduledAt,
        created_at: scheduledAt,
      }
    })
  await trx.batchInsert('appointments', rows, 500)
}

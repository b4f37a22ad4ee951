import type { Express } from 'express'
import type { Db } from '../../src/platform/db'
import { newIdempotencyKey } from '../../src/prescriptions/repository'
import { type Agent, csrfTokenIn } from './app'

export interface AppRoute {
  method: 'get' | 'post'
  path: string
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> }
  handle?: { stack?: RouterLayer[] }
  /** Where a router was mounted (express 5's router keeps it); "/" for the feature routers. */
  rawPath?: unknown
}

/**
 * Every GET and POST route the app has, read from express's own router (the routers the features mount, and
 * routers mounted under a path, such as the ops dashboard), so a route added later is in every list built
 * from this without anyone remembering to add it.
 */
export function appRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = []
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const method of ['get', 'post'] as const)
          if (layer.route.methods[method]) routes.push({ method, path: `${prefix}${layer.route.path}` })
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
        walk(layer.handle.stack, `${prefix}${mount}`)
      }
    }
  }
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '')
  return routes
}

/** Chooses whose records to see in "You are viewing", as the switcher's form does. */
export async function chooseMember(agent: Agent, memberId: number, returnTo = '/home') {
  const page = await agent.get('/family')
  return agent
    .post('/viewing')
    .type('form')
    .send({ memberId: String(memberId), returnTo, _csrf: csrfTokenIn(page.text) })
}

/** A booked appointment for the member in an open slot of the doctor, at least `afterDays` days ahead. */
export async function bookDirectly(db: Db, memberId: number, now: Date, afterDays = 3): Promise<number> {
  const slot = await db('appointment_slots as s')
    .join('provider_visit_types as pv', 'pv.provider_id', 's.provider_id')
    .join('visit_types as v', 'v.id', 'pv.visit_type_id')
    .leftJoin('appointments as a', 'a.active_slot_id', 's.id')
    .whereNull('a.id')
    .andWhere('v.code', 'office-visit')
    .andWhere('s.starts_at', '>', new Date(now.getTime() + afterDays * 86_400_000))
    .andWhereRaw('s.length_minutes >= v.duration_minutes')
    .orderBy('s.starts_at')
    .first('s.id', 's.provider_id', 's.starts_at', 'v.id as visit_type_id', 'v.duration_minutes')
  if (!slot) throw new Error('No open slot to book')
  const [id] = await db('appointments').insert({
    member_id: memberId,
    slot_id: slot.id,
    provider_id: slot.provider_id,
    visit_type_id: slot.visit_type_id,
    starts_at: slot.starts_at,
    ends_at: new Date(new Date(slot.starts_at).getTime() + Number(slot.duration_minutes) * 60_000),
    reason: 'Check-up',
    status: 'booked',
    scheduled_at: now,
    created_at: now,
  })
  return Number(id)
}

/** A refill request of the member's first active medicine, as if made earlier. */
export async function refillRequestFor(db: Db, memberId: number, userId: number, now: Date): Promise<number> {
  const medication = await db('medications').where({ member_id: memberId, status: 'active' }).first('id')
  const pharmacy = await db('pharmacies').where({ kind: 'retail' }).first('id')
  const [id] = await db('refill_requests').insert({
    idempotency_key: newIdempotencyKey(),
    member_id: memberId,
    requested_by_user_id: userId,
    form_token: `matrix-${memberId}-${now.getTime()}`,
    delivery: 'pickup',
    pharmacy_id: pharmacy.id,
    status: 'requested',
    created_at: now,
    status_changed_at: now,
  })
  await db('refill_request_items').insert({ refill_request_id: id, medication_id: medication.id })
  await db('refill_request_events').insert({ refill_request_id: id, status: 'requested', at: now })
  return Number(id)
}

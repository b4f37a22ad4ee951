import type { Server } from 'node:http'
import * as cheerio from 'cheerio'
import { PharmacySimulator, startPharmacySimulator } from '../../src/devtools/pharmacy-simulator'
import type { Clock } from '../../src/platform/clock'
import type { Db } from '../../src/platform/db'
import { Agent, csrfTokenIn, listen } from './app'
import type { BackgroundContext } from './background'

export interface PharmacyHarness {
  simulator: PharmacySimulator
  /** Calls one of the simulator's test controls over HTTP, as an operator would. */
  control(path: string, body?: Record<string, unknown>): Promise<unknown>
}

/**
 * The pharmacy simulator on a loopback port, started before the services so their config points at it, with
 * the test's clock for its webhook signatures. Call before `useBackground`, then `receiveWebhooks` after it.
 */
export function usePharmacy(clock: Clock): PharmacyHarness {
  const harness = {} as PharmacyHarness
  const previousUrl = process.env.PHARMACY_URL
  before(async () => {
    harness.simulator = await startPharmacySimulator({
      webhookSecret: 'development-only-pharmacy-webhook-secret',
      clock,
    })
    process.env.PHARMACY_URL = harness.simulator.url
    harness.control = async (path, body = {}) => {
      const response = await fetch(`${harness.simulator.url}/control/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`control ${path}: ${response.status}`)
      return response.json()
    }
  })
  beforeEach(() => harness.control('reset'))
  after(async () => {
    if (previousUrl === undefined) delete process.env.PHARMACY_URL
    else process.env.PHARMACY_URL = previousUrl
    await harness.simulator?.close()
  })
  return harness
}

/** The app on a real port, so the simulator's webhooks reach it. */
export function receiveWebhooks(context: BackgroundContext, pharmacy: PharmacyHarness): { url: string } {
  const listening = { url: '' }
  let server: Server
  before(async () => {
    const started = await listen(context.app)
    server = started.server
    listening.url = started.url
    pharmacy.simulator.setWebhookUrl(`${started.url}/pharmacy/webhook`)
  })
  after(() => server?.close())
  return listening
}

/** A member's medication ids by name, for the form. */
export async function medicationIdsOf(db: Db, mrn: string): Promise<Record<string, number>> {
  const rows = await db('medications as md')
    .join('members as m', 'm.id', 'md.member_id')
    .where('m.mrn', mrn)
    .select('md.id', 'md.name')
  return Object.fromEntries(rows.map((row: { id: number; name: string }) => [row.name, Number(row.id)]))
}

export async function pharmacyIdOf(db: Db, code: string): Promise<number> {
  return Number((await db('pharmacies').where({ code }).first('id')).id)
}

/** Fills in the refill form and its check page, as a browser would; returns the last response. */
export async function requestRefill(agent: Agent, medicationIds: (number | string)[], delivery: string) {
  const form = await agent.get('/prescriptions/refill')
  const token = cheerio.load(form.text)('input[name="requestToken"]').val() as string
  const chosen = await agent
    .post('/prescriptions/refill')
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), requestToken: token, medications: medicationIds.map(String), delivery })
  if (chosen.status !== 303) return { response: chosen, token }
  const check = await agent.get('/prescriptions/refill/check')
  const sent = await agent
    .post('/prescriptions/refill/check')
    .type('form')
    .send({ _csrf: csrfTokenIn(check.text), requestToken: token })
  return { response: sent, token, csrf: csrfTokenIn(check.text) }
}

export function requestIdFrom(location: string | undefined): number {
  const match = /^\/prescriptions\/requests\/(\d+)\/confirmation$/.exec(location ?? '')
  if (!match) throw new Error(`Not a confirmation: ${location}`)
  return Number(match[1])
}

/** Polls until `check` holds: for what happens in the background (a worker, a webhook), never for business dates. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  // The monotonic clock: a wait is a duration, whatever date the wall clock says.
  const until = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

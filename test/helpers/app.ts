import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as cheerio from 'cheerio'
import type { Express } from 'express'
import supertest from 'supertest'
import { createApp } from '../../src/app'
import { type Config, loadConfig } from '../../src/config'
import { seedDemoPlan } from '../../src/demo/seed'
import type { Clock } from '../../src/platform/clock'
import type { Db } from '../../src/platform/db'
import { closeInfrastructure, createInfrastructure, createServices, Infrastructure, Services } from '../../src/services'

import { demoPassword } from '../../src/demo/seed'
import { nextAppCode } from './two-step'

export { demoPassword }

/** Services against the test database and Redis db, with whatever pieces a test swaps in (a fixed clock, a dead Redis). */
export function testServices(overrides: Partial<Infrastructure> = {}): Services {
  return createServices(createInfrastructure(loadConfig(), overrides))
}

export async function closeServices(services: Services): Promise<void> {
  await closeInfrastructure(services)
}

/** Empties every table and Redis key of the test run. */
export async function resetData(services: Services): Promise<void> {
  const [rows] = (await services.db.raw(
    "select table_name as name from information_schema.tables where table_schema = database() and table_name not like 'knex_migrations%'",
  )) as [{ name: string }[]]
  await services.db.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0')
    for (const { name } of rows) await trx.raw('DELETE FROM ??', [name])
    await trx.raw('SET FOREIGN_KEY_CHECKS = 1')
  })
  await services.redis.flushdb()
}

export async function resetWithDemoPlan(services: Services, clock?: Clock): Promise<void> {
  await resetData(services)
  await seedDemoPlan(services.db, clock ?? services.clock, 'test', { twoStepKey: services.config.twoStep.key })
}

// Which services built each app, so a sign-on can complete the second step on the app's own clock.
const servicesOfApp = new WeakMap<object, Services>()
// Each account's remembered-browser cookie, so signing the same staff member on again skips the second step
// the way a real browser that ticked "Remember this browser" does (each app code works only once).
const rememberedBrowsers = new WeakMap<Services, Map<string, string>>()

export function buildApp(services: Services): Express {
  const app = createApp(services)
  servicesOfApp.set(app, services)
  return app
}

/**
 * The set-up most suites share, registered as the suite's hooks where it is called: services on the test database
 * and Redis (on `clock` when given), the app built on them, the demo plan seeded once before the suite's tests,
 * Redis emptied before each test (sessions, throttles; `keepRedis` when the suite's tokens must outlive a test) and
 * everything closed after. Hooks the suite adds after the call run after these.
 */
export function useTestApp(options: { clock?: Clock; keepRedis?: boolean } = {}): { services: Services; app: Express } {
  const services = testServices(options.clock ? { clock: options.clock } : {})
  const app = buildApp(services)
  before(() => resetWithDemoPlan(services))
  if (!options.keepRedis) beforeEach(() => services.redis.flushdb())
  after(() => closeServices(services))
  return { services, app }
}

/** The hidden CSRF token of the first form on the page. */
export function csrfTokenIn(html: string): string {
  const token = cheerio.load(html)('input[name="_csrf"]').first().val()
  if (typeof token !== 'string' || token.length === 0) throw new Error('The page has no CSRF token')
  return token
}

export type Agent = ReturnType<typeof supertest.agent>

/** Fetches the form page, then posts it with its CSRF token, the way a browser would. */
export async function submitForm(
  agent: Agent,
  formPath: string,
  fields: Record<string, string | string[]>,
  action = formPath,
) {
  const page = await agent.get(formPath)
  return agent
    .post(action)
    .type('form')
    .send({ ...fields, _csrf: csrfTokenIn(page.text) })
}

/**
 * Signs on as a person would: the password, then, when the portal asks (staff always do), the code from the
 * authenticator app with "Remember this browser" ticked. Returns the response that finished sign-on.
 */
export async function signOn(agent: Agent, userId: string, password: string) {
  // supertest wraps the app in an HTTP server of its own: the app is that server's request listener.
  const server = (agent as unknown as { app: { listeners?(event: string): object[] } }).app
  const services = servicesOfApp.get(server.listeners?.('request')[0] ?? server)
  const remembered = services && rememberedBrowsers.get(services)?.get(userId.toLowerCase())
  if (remembered) (agent as unknown as CookieAgent).jar.setCookie(`portal.rb=${remembered}; Path=/`, '127.0.0.1', '/')
  const response = await submitForm(agent, '/sign-on', { userId, password })
  if (response.status !== 303 || response.headers.location !== '/sign-on/verify' || !services) return response
  const code = await nextAppCode(services, userId)
  const verified = await submitForm(agent, '/sign-on/verify', { oneTimeCode: code, remember: 'yes' })
  const cookie = String(verified.headers['set-cookie'] ?? '').match(/portal\.rb=([^;]+)/)?.[1]
  if (cookie) {
    const cache = rememberedBrowsers.get(services) ?? new Map<string, string>()
    cache.set(userId.toLowerCase(), cookie)
    rememberedBrowsers.set(services, cache)
  }
  return verified
}

interface CookieAgent {
  jar: { setCookie(cookie: string, domain: string, path: string): void }
}

/** A browser-like agent signed on as a demo account (every demo account has the demo password). */
export async function signedOnAgent(app: Express, userId = 'alex.rivera'): Promise<Agent> {
  const agent = supertest.agent(app)
  await signOn(agent, userId, demoPassword)
  return agent
}

/** A member signed on who chose Spanish with the switch link (kept on their account, so every page follows). */
export async function spanishAgent(app: Express, userId?: string): Promise<Agent> {
  const agent = await signedOnAgent(app, userId)
  await agent.get('/language?to=es').expect(303)
  return agent
}

export function pageText(html: string, selector = 'main'): string {
  return cheerio.load(html)(selector).text().replace(/\s+/g, ' ').trim()
}

export function errorSummary(html: string): string[] {
  const $ = cheerio.load(html)
  return $('.error-summary-list a')
    .map((_i, element) => $(element).text().trim())
    .get()
}

export function titleOf(html: string): string {
  return cheerio.load(html)('head > title').text().trim()
}

/**
 * Services whose PUBLIC_URL is `publicUrl` (a server from `openServer`), with any other config changed: the portal
 * makes every address it gives out from PUBLIC_URL, so a client that follows them must find the portal there.
 */
export function testServicesAt(publicUrl: string, change: (config: Config) => Config = (config) => config): Services {
  return createServices(createInfrastructure(change({ ...loadConfig(), publicUrl })))
}

/** A loopback server whose address is known before the app it serves is built (see `testServicesAt`). */
export async function openServer(): Promise<{ server: Server; url: string; serve(app: Express): void }> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}`, serve: (app) => server.on('request', app) }
}

/** A real HTTP server on a free loopback port, for the browser tests. */
export async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}` }
}

export async function countRows(db: Db, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const row = await db(table).where(where).count<{ n: number }[]>({ n: '*' }).first()
  return Number(row?.n ?? 0)
}

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
  await seedDemoPlan(services.db, clock ?? services.clock, 'test')
}

export function buildApp(services: Services): Express {
  return createApp(services)
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

export async function signOn(agent: Agent, userId: string, password: string) {
  return submitForm(agent, '/sign-on', { userId, password })
}

/** A browser-like agent signed on as a demo account (every demo account has the demo password). */
export async function signedOnAgent(app: Express, userId = 'alex.rivera'): Promise<Agent> {
  const agent = supertest.agent(app)
  await signOn(agent, userId, demoPassword)
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

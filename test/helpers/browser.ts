import assert from 'node:assert/strict'
import fs from 'node:fs'
import type { Server } from 'node:http'
import type { Services } from '../../src/services'
import { buildApp, closeServices, openServer } from './app'
import { collectPageHtml } from './html-checker'
import puppeteer, { Browser, Page, Target } from 'puppeteer-core'

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

/** Debian's Chromium, headless, with its phoning-home switched off (this machine has no internet). */
export async function launchBrowser(): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  })
  // Every tab, however a test opens it, keeps its pages' HTML for the W3C checker at the end of the run.
  browser.on('targetcreated', (target: Target) => {
    void target.page().then((page) => page && collectPageHtml(page))
  })
  return browser
}

/** A page with JavaScript off, as many members' browsers are: every task must work like this. */
export async function newScriptlessPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage()
  collectPageHtml(page)
  await page.setJavaScriptEnabled(false)
  return page
}

interface AxeViolation {
  id: string
  impact: string
  help: string
  nodes: { target: string[] }[]
}

/**
 * Runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA) on the HTML the server sent: script goes on only for the
 * check and off again after it.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.setJavaScriptEnabled(true)
  try {
    await page.evaluate(axeSource)
    const violations = (await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> }
        }
      ).axe
      const results = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      })
      return results.violations
    })) as AxeViolation[]
    return violations.map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    )
  } finally {
    await page.setJavaScriptEnabled(false)
  }
}

/** Picks a radio button or checkbox by the first words of its label, as a person would. */
export async function tickByLabel(page: Page, words: string): Promise<void> {
  const id = await page.$$eval(
    'label',
    (labels, wanted) =>
      labels.find((element) => element.textContent?.trim().startsWith(wanted))?.getAttribute('for') ?? null,
    words,
  )
  if (!id) throw new Error(`No choice "${words}"`)
  await page.click(`#${id}`)
}

/** Fills a field found by its visible label, as a person would. */
export async function fillByLabel(page: Page, label: string, value: string): Promise<void> {
  const id = await page.$$eval(
    'label',
    (labels, wanted) => labels.find((element) => element.textContent?.trim() === wanted)?.getAttribute('for') ?? null,
    label,
  )
  if (!id) throw new Error(`No field labelled "${label}"`)
  const field = await page.$(`#${id}`)
  if (!field) throw new Error(`The label "${label}" points at no field`)
  await field.click({ clickCount: 3 })
  await field.type(value)
}

/** Chooses an option of a select found by its visible label, by the option's visible words. */
export async function chooseByLabel(page: Page, label: string, optionText: string): Promise<void> {
  const id = await page.$$eval(
    'label',
    (labels, wanted) => labels.find((element) => element.textContent?.trim() === wanted)?.getAttribute('for') ?? null,
    label,
  )
  if (!id) throw new Error(`No field labelled "${label}"`)
  const value = await page.$$eval(
    `#${id} option`,
    (options, wanted) => options.find((option) => option.textContent?.trim() === wanted)?.getAttribute('value') ?? null,
    optionText,
  )
  if (value === null) throw new Error(`"${label}" has no option "${optionText}"`)
  await page.select(`#${id}`, value)
}

/** Ticks a radio button or checkbox found by its visible label. */
export async function checkByLabel(page: Page, label: string): Promise<void> {
  const id = await page.$$eval(
    'label',
    (labels, wanted) => labels.find((element) => element.textContent?.trim() === wanted)?.getAttribute('for') ?? null,
    label,
  )
  if (!id) throw new Error(`No field labelled "${label}"`)
  await page.click(`#${id}`)
}

/** Presses a button by its visible words and waits for the page the form leads to. */
export async function pressButton(page: Page, words: string): Promise<void> {
  const buttons = await page.$$('button')
  for (const button of buttons) {
    const text = await button.evaluate((element) => element.textContent?.trim())
    if (text === words) {
      await Promise.all([page.waitForNavigation(), button.click()])
      return
    }
  }
  throw new Error(`No button "${words}"`)
}

export async function clickLink(page: Page, words: string): Promise<void> {
  const links = await page.$$('a')
  for (const link of links) {
    const text = await link.evaluate((element) => element.textContent?.trim())
    if (text === words) {
      await Promise.all([page.waitForNavigation(), link.click()])
      return
    }
  }
  throw new Error(`No link "${words}"`)
}

export async function headingText(page: Page): Promise<string> {
  return page.$eval('h1', (element) => element.textContent?.trim() ?? '')
}

export interface ScriptlessBrowser {
  url: string
  page: Page
  assertAccessible(what: string): Promise<void>
  signOnAs(userId: string, password: string): Promise<void>
}

/**
 * The browser tests' shared set-up, as mocha hooks: the app on a loopback port, one Chromium, and a fresh
 * page with JavaScript off for each test. `prepare` runs before each test (reset data, sign on, …). Given a
 * function rather than services, it builds them for the server's own address as PUBLIC_URL (`testServicesAt`),
 * for tests that follow the addresses the portal gives out.
 */
export function useScriptlessBrowser(
  given: Services | ((publicUrl: string) => Services),
  options: {
    prepare?: (browser: ScriptlessBrowser) => Promise<void>
    prepareOnce?: (services: Services) => Promise<void>
  } = {},
): ScriptlessBrowser {
  let chromium: Browser
  let server: Server
  let services: Services | undefined
  const harness = {
    url: '',
    page: undefined as unknown as Page,
    async assertAccessible(what: string) {
      assert.deepEqual(await accessibilityViolations(harness.page), [], `${what} has accessibility problems`)
    },
    async signOnAs(userId: string, password: string) {
      await harness.page.goto(`${harness.url}/sign-on`)
      await fillByLabel(harness.page, 'User ID', userId)
      await fillByLabel(harness.page, 'Password', password)
      await pressButton(harness.page, 'Sign on')
    },
  }
  before(async () => {
    const opened = await openServer()
    server = opened.server
    harness.url = opened.url
    services = typeof given === 'function' ? given(opened.url) : given
    await options.prepareOnce?.(services)
    opened.serve(buildApp(services))
    chromium = await launchBrowser()
  })
  beforeEach(async () => {
    harness.page = await newScriptlessPage(chromium)
    await options.prepare?.(harness)
  })
  afterEach(() => harness.page.close())
  after(async () => {
    await chromium?.close()
    server?.close()
    if (services) await closeServices(services)
  })
  return harness
}

import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { Browser, Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { buildApp, closeServices, demoPassword, listen, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  chooseByLabel,
  clickLink,
  fillByLabel,
  headingText,
  launchBrowser,
  newScriptlessPage,
  pressButton,
} from '../helpers/browser'

describe('the member tools in a browser with JavaScript off', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  let browser: Browser
  let server: Server
  let url: string
  let page: Page

  before(async () => {
    await resetWithDemoPlan(services, clock)
    ;({ server, url } = await listen(buildApp(services)))
    browser = await launchBrowser()
  })
  beforeEach(async () => {
    await services.redis.flushdb()
    page = await newScriptlessPage(browser)
    await page.goto(`${url}/sign-on`)
    await fillByLabel(page, 'User ID', 'alex.rivera')
    await fillByLabel(page, 'Password', demoPassword)
    await pressButton(page, 'Sign on')
  })
  afterEach(() => page.close())
  after(async () => {
    await browser?.close()
    server?.close()
    await closeServices(services)
  })

  async function assertAccessible(what: string): Promise<void> {
    assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility problems`)
  }

  const mainText = () => page.$eval('main', (element) => element.textContent?.replace(/\s+/g, ' ') ?? '')

  it('reads lab results: the list, a filter, pages, a result with its trend chart', async () => {
    await clickLink(page, 'Lab results')
    assert.equal(await headingText(page), 'Lab results')
    assert.match(await mainText(), /You may see a result before your doctor has reviewed it/)
    await assertAccessible('the lab results list')

    await clickLink(page, 'Next page')
    assert.equal(await page.title(), 'Lab results (page 2 of 3) – Member Portal')
    await assertAccessible('the second page of lab results')

    await chooseByLabel(page, 'Test', 'LDL cholesterol')
    await pressButton(page, 'Show results')
    assert.equal(new URL(page.url()).search, '?test=LDL')
    assert.match(await mainText(), /4 results for LDL cholesterol/)
    await assertAccessible('the filtered lab results')

    await clickLink(page, 'LDL cholesterol')
    assert.equal(await headingText(page), 'LDL cholesterol')
    const chart = await page.$('figure.trend-chart svg[role="img"]')
    assert.ok(chart, 'the trend chart is drawn without script')
    const box = await chart.boundingBox()
    assert.ok(box && box.width > 200 && box.height > 80, 'the chart has a visible size')
    await assertAccessible('a lab result with its trend')
  })

  it('explains a result that is not shown online yet, accessibly', async () => {
    await page.goto(`${url}/labs?test=SKINPATH`)
    await clickLink(page, 'Skin biopsy pathology report')
    assert.match(await mainText(), /It will appear here on December 2, 2026/)
    assert.doesNotMatch(await page.content(), /Seborrheic/)
    await assertAccessible('a held lab result')
    await page.goto(`${url}/labs?test=NOPE`)
    assert.equal(await page.title(), 'Error: Lab results (page 1 of 3) – Member Portal')
    await assertAccessible('the lab results with a bad filter')
  })

  it('prints the vaccination record without the site navigation', async () => {
    await clickLink(page, 'Vaccination records')
    assert.equal(await headingText(page), 'Vaccination records')
    await assertAccessible('the vaccination records page')

    const visible = (selector: string) =>
      page.$eval(
        selector,
        (element) => getComputedStyle(element).display !== 'none' && element.getClientRects().length > 0,
      )
    assert.equal(await visible('.account-bar'), true)
    await page.emulateMediaType('print')
    try {
      for (const hidden of [
        '.account-bar',
        '.skip-link',
        '.site-footer',
        'a[href="/vaccinations/record.pdf"]',
        'main > p.no-print',
      ]) {
        assert.equal(await visible(hidden), false, `${hidden} is hidden in print`)
      }
      assert.equal(await visible('.record-table'), true)
      assert.equal(await visible('.record-details'), true)
    } finally {
      await page.emulateMediaType('screen')
    }
  })

  it('shows coverage, estimates a cost with the form, and explains a mistake', async () => {
    await clickLink(page, 'Coverage and costs')
    assert.equal(await headingText(page), 'Coverage and costs')
    assert.match(await mainText(), /\$1,640\.00 of \$2,000\.00 met \(82%\)/)
    await assertAccessible('the coverage page')

    await pressButton(page, 'Estimate my cost')
    assert.equal(await page.title(), 'Error: Estimate your costs – Member Portal')
    const summary = await page.$$eval('.error-summary a', (links) =>
      links.map((link) => [link.textContent, link.getAttribute('href')]),
    )
    assert.deepEqual(summary, [['Choose the service you want an estimate for', '#service']])
    await assertAccessible('the estimate form with an error')

    await chooseByLabel(page, 'Service', 'MRI or CT scan')
    await fillByLabel(page, 'Price quoted by your provider (optional)', 'a lot')
    await pressButton(page, 'Estimate my cost')
    assert.equal(await page.$eval('#price', (input) => (input as HTMLInputElement).value), 'a lot')
    assert.equal(await page.$eval('#service', (select) => (select as HTMLSelectElement).value), 'mri-ct')

    await fillByLabel(page, 'Price quoted by your provider (optional)', '1200')
    await pressButton(page, 'Estimate my cost')
    assert.match(await mainText(), /MRI or CT scan: you would pay about \$528\.00/)
    await assertAccessible('an estimate')
  })

  it('lists claims and opens one', async () => {
    await page.goto(`${url}/coverage`)
    await clickLink(page, 'All your claims (15)')
    assert.equal(await page.title(), 'Your claims (page 1 of 2) – Member Portal')
    await assertAccessible('the claims list')
    await clickLink(page, 'MRI, lower back')
    assert.match(await headingText(page), /^Claim C11000003\d{3}$/)
    assert.match(await mainText(), /You owe\s*\$1,200\.00/)
    await assertAccessible('a claim')
  })
})

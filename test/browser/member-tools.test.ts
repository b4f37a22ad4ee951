import assert from 'node:assert/strict'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  chooseByLabel,
  clickLink,
  fillByLabel,
  headingText,
  pressButton,
  useScriptlessBrowser,
} from '../helpers/browser'

describe('the member tools in a browser with JavaScript off', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepareOnce: () => resetWithDemoPlan(services, clock),
    prepare: async () => {
      await services.redis.flushdb()
      await h.signOnAs('alex.rivera', demoPassword)
    },
  })

  const mainText = () => h.page.$eval('main', (element) => element.textContent?.replace(/\s+/g, ' ') ?? '')

  it('reads lab results: the list, a filter, pages, a result with its trend chart', async () => {
    await clickLink(h.page, 'Lab results')
    assert.equal(await headingText(h.page), 'Lab results')
    assert.match(await mainText(), /You may see a result before your doctor has reviewed it/)
    await h.assertAccessible('the lab results list')

    await clickLink(h.page, 'Next page')
    assert.equal(await h.page.title(), 'Lab results (page 2 of 3) – Member Portal')
    await h.assertAccessible('the second page of lab results')

    await chooseByLabel(h.page, 'Test', 'LDL cholesterol')
    await pressButton(h.page, 'Show results')
    assert.equal(new URL(h.page.url()).search, '?test=LDL')
    assert.match(await mainText(), /4 results for LDL cholesterol/)
    await h.assertAccessible('the filtered lab results')

    await clickLink(h.page, 'LDL cholesterol')
    assert.equal(await headingText(h.page), 'LDL cholesterol')
    const chart = await h.page.$('figure.trend-chart svg[role="img"]')
    assert.ok(chart, 'the trend chart is drawn without script')
    const box = await chart.boundingBox()
    assert.ok(box && box.width > 200 && box.height > 80, 'the chart has a visible size')
    await h.assertAccessible('a lab result with its trend')
  })

  it('explains a result that is not shown online yet, accessibly', async () => {
    await h.page.goto(`${h.url}/labs?test=SKINPATH`)
    await clickLink(h.page, 'Skin biopsy pathology report')
    assert.match(await mainText(), /It will appear here after that talk/)
    assert.doesNotMatch(await h.page.content(), /carcinoma/)
    await h.assertAccessible('a held lab result')
    await h.page.goto(`${h.url}/labs?test=NOPE`)
    assert.equal(await h.page.title(), 'Error: Lab results (page 1 of 3) – Member Portal')
    await h.assertAccessible('the lab results with a bad filter')
  })

  it('prints the vaccination record without the site navigation', async () => {
    await clickLink(h.page, 'Vaccination records')
    assert.equal(await headingText(h.page), 'Vaccination records')
    await h.assertAccessible('the vaccination records page')

    const visible = (selector: string) =>
      h.page.$eval(
        selector,
        (element) => getComputedStyle(element).display !== 'none' && element.getClientRects().length > 0,
      )
    assert.equal(await visible('.account-bar'), true)
    await h.page.emulateMediaType('print')
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
      await h.page.emulateMediaType('screen')
    }
  })

  it('shows coverage, estimates a cost with the form, and explains a mistake', async () => {
    await clickLink(h.page, 'Coverage and costs')
    assert.equal(await headingText(h.page), 'Coverage and costs')
    assert.match(await mainText(), /\$1,640\.00 of \$2,000\.00 met \(82%\)/)
    await h.assertAccessible('the coverage page')

    await pressButton(h.page, 'Estimate my cost')
    assert.equal(await h.page.title(), 'Error: Estimate your cost – Member Portal')
    const summary = await h.page.$$eval('.error-summary a', (links) =>
      links.map((link) => [link.textContent, link.getAttribute('href')]),
    )
    assert.deepEqual(summary, [['Choose the service you want an estimate for', '#service']])
    await h.assertAccessible('the estimate form with an error')

    await chooseByLabel(h.page, 'Service', 'MRI or CT scan')
    await fillByLabel(h.page, 'Price quoted by your provider (optional)', 'a lot')
    await pressButton(h.page, 'Estimate my cost')
    assert.equal(await h.page.$eval('#price', (input) => (input as HTMLInputElement).value), 'a lot')
    assert.equal(await h.page.$eval('#service', (select) => (select as HTMLSelectElement).value), 'mri-ct')

    await fillByLabel(h.page, 'Price quoted by your provider (optional)', '1200')
    await pressButton(h.page, 'Estimate my cost')
    assert.match(await mainText(), /MRI or CT scan: you would pay about \$528\.00/)
    await h.assertAccessible('an estimate')
  })

  it('lists claims and opens one', async () => {
    await h.page.goto(`${h.url}/coverage`)
    await clickLink(h.page, 'All your claims (15)')
    assert.equal(await h.page.title(), 'Your claims (page 1 of 2) – Member Portal')
    await h.assertAccessible('the claims list')
    await clickLink(h.page, 'MRI, lower back')
    assert.match(await headingText(h.page), /^Claim C11000003\d{3}$/)
    assert.match(await mainText(), /You owe\s*\$1,200\.00/)
    await h.assertAccessible('a claim')
  })
})

import assert from 'node:assert/strict'
import type { Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  chooseByLabel,
  clickLink,
  fillByLabel,
  headingText,
  pressButton,
  tickByLabel,
  useScriptlessBrowser,
} from '../helpers/browser'

const textOf = (page: Page, selector = 'main') =>
  page.$eval(selector, (element) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '')

/** The page fits a 320 px screen without sideways scrolling (WCAG 1.4.10), then the viewport goes back. */
async function assertFitsPhone(page: Page, what: string) {
  await page.setViewport({ width: 320, height: 640 })
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `${what} fits a 320 px screen (${width} px wide)`)
  await page.setViewport({ width: 1024, height: 768 })
}

describe('new lab results in a browser with JavaScript off: the office reviews or holds, the member reads', () => {
  const seedDay = new Date('2026-11-25T18:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
    },
  })

  it('the office nurse holds one result and reviews another with a note; the member sees each as the rule says', async function () {
    this.timeout(120_000)
    const office = h.page
    await h.signOnAs('office.nurse', demoPassword)
    await clickLink(office, 'New lab results to review')
    assert.equal(await headingText(office), 'New lab results for Family Medicine')
    assert.match(await textOf(office, 'main table'), /Skin biopsy pathology report Abnormal Alex Rivera MRN 11000003/)
    await h.assertAccessible('the office’s new results')
    await assertFitsPhone(office, 'the office’s new results')

    await clickLink(office, 'Triglycerides')
    assert.equal(await headingText(office), 'Triglycerides')
    await h.assertAccessible('a result to review')
    await assertFitsPhone(office, 'a result to review')
    await pressButton(office, 'Hold to talk first')
    assert.match(await office.title(), /^Error: /)
    assert.match(await textOf(office, '.error-summary'), /Enter why the care team wants to talk with the member first/)
    await h.assertAccessible('the hold form with errors')
    await fillByLabel(office, 'Why the care team wants to talk first', 'Dr. Bell wants to go over the diet plan first.')
    await chooseByLabel(office, 'Hold it for', '3 days')
    await pressButton(office, 'Hold to talk first')
    assert.match(await textOf(office), /The result is held until the date you chose/)

    await clickLink(office, 'HDL cholesterol')
    await fillByLabel(office, 'Note to the member (optional)', 'Your HDL is up again — keep walking.')
    await pressButton(office, 'Mark reviewed')
    assert.match(await textOf(office), /The result was marked reviewed/)
    assert.doesNotMatch(await textOf(office, 'main table'), /HDL cholesterol/)
    await h.assertAccessible('the list after a review')

    // The member, in a browser of their own.
    const { page: member, close } = await h.signOnElsewhere('alex.rivera', demoPassword)
    try {
      await member.goto(`${h.url}/labs`)
      assert.match(await textOf(member), /When do you want to see new results\?/)
      assert.deepEqual(await accessibilityViolations(member), [], 'the lab page asking once')
      await tickByLabel(member, 'Show my results as soon as they are ready')
      await pressButton(member, 'Save my choice')
      assert.match(await textOf(member), /Your choice is saved/)
      assert.match(
        await textOf(member, 'main table'),
        /Triglycerides Lipid panel .* Waiting: your care team will talk with you first, until November 28, 2026/,
      )
      await clickLink(member, 'HDL cholesterol')
      assert.match(await textOf(member), /A note from your care team Your HDL is up again — keep walking\./)
      assert.deepEqual(await accessibilityViolations(member), [], 'a result with the doctor’s note')
      await member.goto(`${h.url}/labs?test=SKINPATH`)
      await clickLink(member, 'Skin biopsy pathology report')
      assert.match(await textOf(member), /State law does not allow results of this kind/)
      assert.deepEqual(await accessibilityViolations(member), [], 'a result under California’s rule')
      await assertFitsPhone(member, 'a result under California’s rule')
      await member.goto(`${h.url}/account/lab-results`)
      assert.deepEqual(await accessibilityViolations(member), [], 'the lab result settings')
      await tickByLabel(member, 'No, I will check Lab results myself')
      await pressButton(member, 'Save')
      assert.match(await textOf(member), /Your lab result settings are saved/)
    } finally {
      await close()
    }
  })

  it('a member waiting for the review sees a waiting result now with one button', async function () {
    this.timeout(60_000)
    const page = h.page
    await h.signOnAs('pat.rivera', demoPassword)
    await page.goto(`${h.url}/labs?test=PGX`)
    await clickLink(page, 'Pharmacogenomic panel (CYP2C19)')
    assert.match(await textOf(page), /You asked to wait until your doctor has reviewed sensitive results/)
    await h.assertAccessible('a result waiting for the review')
    await assertFitsPhone(page, 'a result waiting for the review')
    await pressButton(page, 'See this result now')
    assert.match(await textOf(page), /Here is your result\. Your doctor may not have reviewed it yet\./)
    assert.match(await textOf(page), /intermediate metabolizer/)
    await h.assertAccessible('the result seen early')
  })
})

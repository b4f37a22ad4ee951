import assert from 'node:assert/strict'
import type { Browser, Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword } from '../helpers/app'
import { useBackground } from '../helpers/background'
import {
  accessibilityViolations,
  clickLink,
  fillByLabel,
  headingText,
  launchBrowser,
  newScriptlessPage,
  pressButton,
} from '../helpers/browser'
import { receiveWebhooks, usePharmacy, waitUntil } from '../helpers/pharmacy'

describe('prescriptions and refills in a browser with JavaScript off', () => {
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const pharmacy = usePharmacy(clock)
  const context = useBackground({ clock, startAt: new Date('2026-11-25T18:00:00Z') })
  const site = receiveWebhooks(context, pharmacy)
  let chromium: Browser
  let page: Page
  before(async () => {
    chromium = await launchBrowser()
  })
  beforeEach(async () => {
    page = await newScriptlessPage(chromium)
  })
  afterEach(() => page.close())
  after(() => chromium?.close())

  const assertAccessible = async (what: string) =>
    assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility problems`)
  const mainText = () => page.$eval('main', (element) => element.textContent?.replace(/\s+/g, ' ') ?? '')
  /** Ticks a checkbox or radio by the start of its label's words, as a person reads it. */
  const choose = async (labelStart: string) => {
    const id = await page.$$eval(
      'label',
      (labels, wanted) =>
        labels.find((label) => label.textContent?.replace(/\s+/g, ' ').trim().startsWith(wanted))?.getAttribute('for'),
      labelStart,
    )
    if (!id) throw new Error(`No choice labelled "${labelStart}"`)
    await page.click(`#${id}`)
  }
  const signOn = async () => {
    await page.goto(`${site.url}/sign-on`)
    await fillByLabel(page, 'User ID', 'alex.rivera')
    await fillByLabel(page, 'Password', demoPassword)
    await pressButton(page, 'Sign on')
  }

  it('lists medicines, requests a refill, confirms it and follows it to ready for pickup', async () => {
    await signOn()
    await clickLink(page, 'Prescriptions')
    assert.equal(await headingText(page), 'Prescriptions')
    assert.match(await mainText(), /Too soon to refill — you can ask from December 13, 2026/)
    await assertAccessible('the prescriptions list')
    await page.setViewport({ width: 320, height: 640 })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(overflow <= 320, `the list fits a 320 px screen (${overflow} px wide)`)
    await page.setViewport({ width: 1024, height: 768 })

    await clickLink(page, 'Request a refill')
    await pressButton(page, 'Continue')
    assert.equal(await page.title(), 'Error: Request a refill – Member Portal')
    await assertAccessible('the refill form with errors')
    await choose('Atorvastatin 40 mg tablet')
    await choose('Pick up at San Leandro Medical Center Pharmacy (your preferred pharmacy)')
    await pressButton(page, 'Continue')
    assert.equal(await headingText(page), 'Check your refill request')
    assert.match(await mainText(), /Atorvastatin 40 mg tablet, 90 tablets/)
    await assertAccessible('the check page')
    await pressButton(page, 'Send refill request')
    assert.equal(await headingText(page), 'Refill request sent')
    await assertAccessible('the confirmation')

    const requestNumber = /Your request number is (\d+)/.exec(await mainText())![1]
    await waitUntil('the order at the pharmacy', () => pharmacy.simulator.orders().length === 1)
    await pharmacy.control(`orders/${pharmacy.simulator.orders()[0].id}/advance`, { status: 'ready' })
    const status = () => context.background.services.db('refill_requests').where({ id: requestNumber }).first('status')
    await waitUntil('the webhook', async () => (await status()).status === 'ready')
    await clickLink(page, 'See the status of this request')
    assert.equal(await headingText(page), `Refill request ${requestNumber}`)
    assert.match(await mainText(), /Your medicines are ready to pick up at San Leandro Medical Center Pharmacy/)
    await assertAccessible('the request status')
  })

  it('asks for a renewal of a prescription with no refills left', async () => {
    await signOn()
    await page.goto(`${site.url}/prescriptions`)
    await pressButton(page, 'Ask for a renewal of Lisinopril 10 mg tablet')
    assert.match(await mainText(), /We sent your renewal request to your doctor's office/)
    assert.match(await mainText(), /You asked for a renewal on November 25, 2026/)
    await assertAccessible('the list after a renewal request')
  })
  it('requests a refill in Spanish: the rules and errors in Spanish, accessible, on a 320 px screen', async () => {
    await signOn()
    await page.goto(`${site.url}/language?to=es&return=/prescriptions`)
    assert.equal(await headingText(page), 'Recetas')
    assert.match(
      await mainText(),
      /Todavía es pronto para resurtirlo: puede solicitarlo a partir del 13 de diciembre de 2026/,
    )
    await assertAccessible('the prescriptions list in Spanish')
    await page.setViewport({ width: 320, height: 640 })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(overflow <= 320, `the list in Spanish fits a 320 px screen (${overflow} px wide)`)
    await clickLink(page, 'Solicitar un resurtido')
    await pressButton(page, 'Continuar')
    assert.equal(await page.title(), 'Error: Solicitar un resurtido – Member Portal')
    assert.match(await mainText(), /Elija al menos un medicamento para resurtir/)
    await assertAccessible('the refill form in Spanish, with errors')
    await choose('Atorvastatin 40 mg tablet')
    await choose('Recoger en San Leandro Medical Center Pharmacy (su farmacia preferida)')
    await pressButton(page, 'Continuar')
    assert.equal(await headingText(page), 'Revise su solicitud de resurtido')
    await pressButton(page, 'Enviar la solicitud de resurtido')
    assert.equal(await headingText(page), 'Se envió la solicitud de resurtido')
    // The worker may have sent it to the pharmacy before the page was drawn.
    assert.match(await mainText(), /Estado ?(Solicitada|Enviada a la farmacia)/)
    await assertAccessible('the confirmation in Spanish')
  })
})

import assert from 'node:assert/strict'
import type { Page } from 'puppeteer-core'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { labResultIds } from '../helpers/records'
import { clickLink, fillByLabel, headingText, pressButton, tickByLabel, useScriptlessBrowser } from '../helpers/browser'

/** The page fits a 320 px screen without sideways scrolling (WCAG 1.4.10), then the viewport goes back. */
async function assertFitsPhone(page: Page, what: string) {
  await page.setViewport({ width: 320, height: 640 })
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `${what} fits a 320 px screen (${width} px wide)`)
  await page.setViewport({ width: 1024, height: 768 })
}

describe('lab results and appointments in Spanish, in a browser with JavaScript off', () => {
  const seedDay = new Date('2026-11-25T15:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
      // The browser keeps the language cookie between tests: each one starts as a new visitor.
      await h.page.deleteCookie(...(await h.page.cookies(h.url)))
      await h.signOnAs('alex.rivera', demoPassword)
      // The switch link every page has.
      await clickLink(h.page, 'Español')
    },
  })
  const lang = () => h.page.$eval('html', (html) => html.lang)

  /** Accessible (axe), one h1, in Spanish, and fits a phone. */
  async function check(what: string) {
    assert.equal(await lang(), 'es', what)
    assert.equal(await h.page.$$eval('h1', (headings) => headings.length), 1, `${what} has one h1`)
    await h.assertAccessible(what)
    await assertFitsPhone(h.page, what)
  }

  it('reads lab results, a result with its chart, and one held by the care team, in Spanish', async () => {
    await h.page.goto(`${h.url}/labs`)
    assert.equal(await headingText(h.page), 'Resultados de laboratorio')
    await check('the lab results list')
    await pressButton(h.page, 'Guardar mi elección')
    assert.match(await h.page.title(), /^Error: Resultados de laboratorio/)
    await check('the lab results list with an error')
    const [, , , latest] = await labResultIds(services.db, '11000003', 'LDL')
    await h.page.goto(`${h.url}/labs/${latest}`)
    await check('a result with its trend')
    const [magnesium] = await labResultIds(services.db, '11000003', 'MG')
    await h.page.goto(`${h.url}/labs/${magnesium}`)
    await check('a result held by the care team')
  })

  it('books a visit in Spanish, with an error on the way', async () => {
    await h.page.goto(`${h.url}/appointments`)
    assert.equal(await headingText(h.page), 'Citas')
    await check('the appointments list')
    await clickLink(h.page, 'Programar una cita')
    await pressButton(h.page, 'Continuar')
    assert.equal(await h.page.title(), 'Error: Programar una cita: tipo de visita – Member Portal')
    await check('the visit type step with an error')
    await tickByLabel(h.page, 'Consulta en el consultorio')
    await pressButton(h.page, 'Continuar')
    await check('the doctor and location step')
    await pressButton(h.page, 'Continuar')
    assert.match(await h.page.title(), /^Programar una cita: día y hora \(Semana del 23 de noviembre de 2026\)/)
    await check('the open times')
    await h.page.click('input[name="slot"]')
    await pressButton(h.page, 'Continuar')
    assert.equal(await headingText(h.page), '¿Cuál es el motivo de su visita?')
    await pressButton(h.page, 'Continuar')
    assert.match(await h.page.title(), /^Error: /)
    await check('the reason step with an error')
    await fillByLabel(h.page, '¿Cuál es el motivo de su visita?', 'Me duele la rodilla')
    await pressButton(h.page, 'Continuar')
    assert.equal(await headingText(h.page), 'Revise su cita')
    await check('the check page')
    await pressButton(h.page, 'Reservar la cita')
    await check('the booked appointment')
  })
})

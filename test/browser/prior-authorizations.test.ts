import assert from 'node:assert/strict'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { clickLink, headingText, pressButton, useScriptlessBrowser } from '../helpers/browser'

describe('prior authorizations in a browser with JavaScript off, on a 320 px screen', () => {
  const services = testServices()
  const h = useScriptlessBrowser(services, {
    prepareOnce: () => resetWithDemoPlan(services),
    prepare: async () => {
      await services.redis.flushdb()
      await h.page.setViewport({ width: 320, height: 800 })
      await h.signOnAs('alex.rivera', demoPassword)
    },
  })

  const mainText = () => h.page.$eval('main', (element) => element.textContent?.replace(/\s+/g, ' ') ?? '')
  const pageWidth = () => h.page.evaluate(() => document.documentElement.scrollWidth)

  it('finds the requests from Coverage and costs, reads a denial and how to appeal, all accessible and fitting', async () => {
    await clickLink(h.page, 'Coverage and costs')
    await clickLink(h.page, 'See your prior authorization requests and decisions')
    assert.equal(await h.page.title(), 'Prior authorizations – Member Portal')
    assert.equal(await headingText(h.page), 'Your prior authorizations')
    assert.ok((await pageWidth()) <= 320, 'the list fits 320 px without sideways scrolling')
    await h.assertAccessible('the prior authorizations list at 320 px')

    await clickLink(h.page, 'Overnight sleep study in a sleep center')
    assert.equal(await h.page.title(), 'Prior authorization PA-2026-000103: Denied – Member Portal')
    assert.match(await mainText(), /Why it was denied A home sleep test is covered first/)
    assert.match(await mainText(), /How to appeal/)
    assert.ok((await pageWidth()) <= 320, 'the denial fits 320 px')
    await h.assertAccessible('a denied prior authorization at 320 px')

    await clickLink(h.page, 'Back to prior authorizations')
    await clickLink(h.page, 'Physical therapy: therapeutic exercise, 15-minute sessions')
    assert.match(await mainText(), /The plan will decide by/)
    assert.ok((await pageWidth()) <= 320, 'the pending request fits 320 px')
    await h.assertAccessible('a pending prior authorization at 320 px')
  })

  it('reads coverage, an estimate’s mistake and a denial in Spanish, all accessible and fitting 320 px', async () => {
    await clickLink(h.page, 'Español')
    try {
      await clickLink(h.page, 'Cobertura y costos')
      assert.equal(await h.page.$eval('html', (html) => html.lang), 'es')
      assert.equal(await headingText(h.page), 'Cobertura y costos')
      assert.match(await mainText(), /\$1,640\.00 de \$2,000\.00 cubierto \(82%\)/)
      assert.ok((await pageWidth()) <= 320, 'the coverage page in Spanish fits 320 px')
      await h.assertAccessible('the coverage page in Spanish at 320 px')

      await pressButton(h.page, 'Calcular mi costo')
      assert.equal(await h.page.title(), 'Error: Calcule su costo – Member Portal')
      assert.deepEqual(await h.page.$$eval('.error-summary a', (links) => links.map((link) => link.textContent)), [
        'Elija el servicio del que quiere un estimado',
      ])
      assert.ok((await pageWidth()) <= 320, 'the estimate form in Spanish fits 320 px')
      await h.assertAccessible('the estimate form with an error in Spanish at 320 px')

      await clickLink(h.page, 'Volver a cobertura y costos')
      await clickLink(h.page, 'Vea sus solicitudes de autorización previa y las decisiones')
      assert.equal(await headingText(h.page), 'Sus autorizaciones previas')
      assert.ok((await pageWidth()) <= 320, 'the list in Spanish fits 320 px')
      await h.assertAccessible('the prior authorizations list in Spanish at 320 px')

      await clickLink(h.page, 'Overnight sleep study in a sleep center')
      assert.equal(await h.page.title(), 'Autorización previa PA-2026-000103: Denegada – Member Portal')
      assert.match(await mainText(), /Cómo presentar una apelación/)
      assert.ok((await pageWidth()) <= 320, 'the denial in Spanish fits 320 px')
      await h.assertAccessible('a denied prior authorization in Spanish at 320 px')
    } finally {
      await clickLink(h.page, 'English')
    }
  })
})

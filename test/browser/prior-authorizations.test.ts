import assert from 'node:assert/strict'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { clickLink, headingText, useScriptlessBrowser } from '../helpers/browser'

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
})

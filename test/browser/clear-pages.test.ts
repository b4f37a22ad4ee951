import assert from 'node:assert/strict'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { fillByLabel, pressButton, useScriptlessBrowser } from '../helpers/browser'
import { fillMembership } from '../helpers/portal-pages'
import { james } from '../helpers/registration'

describe('focus, jumps and phone numbers in a browser with JavaScript off', () => {
  const services = testServices()
  const h = useScriptlessBrowser(services, {
    prepareOnce: () => resetWithDemoPlan(services),
    prepare: () => services.redis.flushdb().then(() => undefined),
  })

  it('styles only the skip link, not the whole page it jumps to', async () => {
    await h.page.goto(`${h.url}/sign-on`)
    await h.page.keyboard.press('Tab')
    const link = await h.page.evaluate(() => {
      const focused = document.activeElement!
      return { text: focused.textContent?.trim(), outline: getComputedStyle(focused).outlineStyle }
    })
    assert.deepEqual(link, { text: 'Skip to main content', outline: 'solid' })
    await h.page.keyboard.press('Enter')
    await h.page.waitForFunction(() => location.hash === '#main-content')
    const main = await h.page.evaluate(() => {
      const focused = document.activeElement!
      const style = getComputedStyle(focused)
      return { id: focused.id, outline: style.outlineStyle, shadow: style.boxShadow }
    })
    assert.deepEqual(main, { id: 'main-content', outline: 'none', shadow: 'none' })
  })

  it('makes every phone number a tel: link that stays on one line on a phone', async () => {
    await h.page.setViewport({ width: 320, height: 640 })
    await h.signOnAs('alex.rivera', demoPassword)
    for (const path of ['/home', '/labs?test=MG', '/account']) {
      await h.page.goto(`${h.url}${path}`)
      const phones = await h.page.$$eval('a[href^="tel:"]', (links) =>
        links.map((link) => ({
          text: link.textContent,
          dials: link.getAttribute('href'),
          lines: new Set([...link.getClientRects()].map((rect) => Math.round(rect.top))).size,
        })),
      )
      assert.ok(phones.length >= 2, `${path} has phone numbers`)
      for (const phone of phones) {
        assert.equal(phone.lines, 1, `${phone.text} on ${path} is on one line`)
        assert.equal(phone.dials, `tel:${phone.text!.replace(/[^\d+]/g, '')}`)
      }
      const bare = await h.page.$eval('body', (body) =>
        (body.innerText.match(/\(?\d{3}\)?[ -]\d{3}-\d{4}/g) ?? []).filter(
          (number) =>
            ![...document.querySelectorAll('a[href^="tel:"]')].some((link) => link.textContent!.includes(number)),
        ),
      )
      assert.deepEqual(bare, [], `phone numbers on ${path} that are not links`)
    }
  })

  /**
   * Follows every link of the error summary on the page, as a person would, and says for each whether the
   * field's group (its label or legend, hint and message) is on screen after the jump.
   */
  async function jumpsFromTheSummary(): Promise<string[]> {
    const hrefs = await h.page.$$eval('.error-summary-list a', (links) =>
      links.map((link) => link.getAttribute('href')!),
    )
    assert.ok(hrefs.length > 0, 'the page has an error summary')
    const hidden: string[] = []
    for (const href of hrefs) {
      await h.page.evaluate(() => window.scrollTo(0, 0))
      await h.page.click(`.error-summary-list a[href="${href}"]`)
      await h.page.waitForFunction((id) => location.hash === id, {}, href)
      const seen = await h.page.evaluate((id) => {
        const field = document.querySelector(id)!
        const group = field.closest('.form-group')!
        const top = group.getBoundingClientRect().top
        const fieldBottom = field.getBoundingClientRect().bottom
        return { moved: window.scrollY > 0, groupOnScreen: top >= 0, fieldOnScreen: fieldBottom <= innerHeight }
      }, href)
      if (!seen.groupOnScreen || !seen.fieldOnScreen) hidden.push(`${href}: ${JSON.stringify(seen)}`)
    }
    return hidden
  }

  for (const [width, height] of [
    [320, 568],
    [1024, 600],
  ]) {
    it(`keeps the label and message in view after an error-summary jump, ${width} px wide`, async () => {
      await h.page.setViewport({ width, height })
      await h.page.goto(`${h.url}/register`)
      await pressButton(h.page, 'Continue')
      assert.deepEqual(await jumpsFromTheSummary(), [], 'step 1')

      await fillMembership(h.page, james)
      await pressButton(h.page, 'Continue')
      await pressButton(h.page, 'Continue')
      assert.deepEqual(await jumpsFromTheSummary(), [], 'terms')
      await h.page.click('#accept')
      await pressButton(h.page, 'Continue')
      await pressButton(h.page, 'Continue')
      assert.deepEqual(await jumpsFromTheSummary(), [], 'user ID')
      await fillByLabel(h.page, 'User ID', `james.chen.${width}`)
      await fillByLabel(h.page, 'Email address', 'james.chen@example.com')
      await pressButton(h.page, 'Continue')
      await pressButton(h.page, 'Continue')
      assert.deepEqual(await jumpsFromTheSummary(), [], 'identity questions')
      await h.page.goto(`${h.url}/register/by-mail`)
      await pressButton(h.page, 'Continue')
      assert.deepEqual(await jumpsFromTheSummary(), [], 'by mail')
    })
  }
})

import * as cheerio from 'cheerio'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { useScriptlessBrowser } from '../helpers/browser'
import { englishOnlyFragments, memberTemplates, wordsOutsideMessages } from '../helpers/english-leftovers'

const viewsDirectory = path.join(__dirname, '..', '..', 'views')

// Downloads, and links that act rather than show (sign-out is a form; the switch would turn the page English).
const notPages = /^\/(language|sign-out)\b|\.(pdf|ics|csv)$|\/(pdf|ics|download)(\?|$)/i

describe('every member page in Spanish, JavaScript off', function () {
  this.timeout(600_000)
  const seedDay = new Date('2026-11-25T18:00:00Z')
  const clock = fixedClock(seedDay)
  const services = testServices({ clock })
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      clock.set(seedDay)
      await resetWithDemoPlan(services, clock)
    },
  })

  it('prints no word of its own in a member template: every word comes from the message files', () => {
    const leftovers = memberTemplates(viewsDirectory).flatMap((file) =>
      wordsOutsideMessages(readFileSync(file, 'utf8')).map(
        (words) => `${path.relative(viewsDirectory, file)}: ${words}`,
      ),
    )
    assert.deepEqual(leftovers, [])
  })

  it('shows no English of the message files on any page each member can reach, for themselves or those they act for', async () => {
    const fragments = englishOnlyFragments()
    const problems: string[] = []
    let visited = 0
    for (const userId of ['alex.rivera', 'pat.rivera']) {
      await h.page.deleteCookie(...(await h.page.cookies(h.url)))
      await h.signOnAs(userId, demoPassword)
      await h.page.goto(`${h.url}/language?to=es&return=/home`)
      const people = await h.page.$$eval('#viewing-member option', (options) =>
        options.map((option) => (option as HTMLOptionElement).value),
      )
      for (const memberId of people.length > 0 ? people : ['']) {
        if (memberId) {
          await h.page.goto(`${h.url}/home`)
          await h.page.select('#viewing-member', memberId)
          await Promise.all([h.page.waitForNavigation(), h.page.click('.viewing-form button')])
        }
        const queue = ['/home']
        const seen = new Set(queue)
        while (queue.length > 0 && seen.size < 400) {
          const address = queue.shift()!
          const response = await h.page.goto(`${h.url}${address}`)
          if (!response || !(response.headers()['content-type'] ?? '').startsWith('text/html')) continue
          visited += 1
          const $ = cheerio.load(await response.text())
          if ($('html').attr('lang') !== 'es')
            problems.push(`${userId} ${address}: <html lang="${$('html').attr('lang')}">`)
          // Passages marked as another language (the switch link, the taglines) are meant to be there.
          $('[lang]:not([lang="es"])').not('html').remove()
          $('script, style').remove()
          const text = $('body').text().replace(/\s+/g, ' ')
          for (const fragment of fragments) {
            if (text.includes(fragment)) problems.push(`${userId} ${address}: "${fragment}"`)
          }
          $('a[href^="/"]').each((_i, link) => {
            const href = ($(link).attr('href') ?? '').split('#')[0]
            if (href && !notPages.test(href) && !seen.has(href)) {
              seen.add(href)
              queue.push(href)
            }
          })
        }
      }
    }
    assert.ok(visited > 40, `crawled ${visited} pages`)
    assert.deepEqual([...new Set(problems)], [])
  })
})

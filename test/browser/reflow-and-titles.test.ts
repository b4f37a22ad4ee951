import assert from 'node:assert/strict'
import fs from 'node:fs'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { useScriptlessBrowser } from '../helpers/browser'
import { openPortalPage, portalPages, PortalRole, walkRegistration } from '../helpers/portal-pages'
import { createPendingLetters, lettersIn } from '../helpers/letters'

interface Visited {
  address: string
  title: string
  width: number
  smallestChartText: number | undefined
  /** The first heading in the page but the error summary's, hidden ones included (a heading list starts there). */
  firstHeading: string | undefined
  lang: string
}

describe('every page of every role on a phone, with JavaScript off', function () {
  // A role's every page (about 35 for a member, with axe at 320 px) is one test: more than 30 s on a busy machine.
  this.timeout(180_000)
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  let batchId = ''
  // A temporary password works once: each visit of the first sign-on page takes its own letter.
  let unusedLetters: { userId: string; password: string }[] = []
  /** The demo plan with one letter batch, one of its letters returned: registration walks need it fresh. */
  async function freshPlan() {
    await resetWithDemoPlan(services, clock)
    fs.rmSync(services.config.letters.directory, { recursive: true, force: true })
    await createPendingLetters(services.db, clock, 4, 'phone')
    const batch = (await services.letterBatches.runBatch())!
    batchId = batch.batchId
    unusedLetters = lettersIn(batch.directory).slice(1)
    const clerk = await services.db('users').where({ user_id: 'mailroom.clerk' }).first<{ id: number }>('id')
    await services.mailroom.markReturned(batchId, 1, clerk.id)
  }
  const h = useScriptlessBrowser(services, {
    prepareOnce: freshPlan,
    prepare: () => services.redis.flushdb().then(() => undefined),
  })

  /** What a person on this screen gets: how wide the page is, its title, its smallest chart text. */
  async function look(checkAccessibility: boolean): Promise<Visited> {
    // Stacked tables and wrapped words must not cost anything axe can see.
    if (checkAccessibility) await h.assertAccessible(`${await h.page.title()} at ${h.page.viewport()?.width} px`)
    return h.page.evaluate(() => {
      const sizes = [...document.querySelectorAll('svg text')]
        .filter((text) => text.getClientRects().length > 0)
        .map((text) => {
          const svg = text.closest('svg')!
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
          return parseFloat(getComputedStyle(text).fontSize) * scale
        })
      return {
        address: location.pathname + location.search,
        lang: document.documentElement.lang,
        title: document.title,
        width: document.documentElement.scrollWidth,
        smallestChartText: sizes.length > 0 ? Math.min(...sizes) : undefined,
        // The error summary's heading comes first on purpose (GOV.UK: at the top of the main area).
        firstHeading: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
          .find((heading) => !heading.closest('.error-summary'))
          ?.tagName.toLowerCase(),
      }
    })
  }

  async function visitRole(role: PortalRole, width: number): Promise<Visited[]> {
    await h.page.setViewport({ width, height: 800 })
    const visited: Visited[] = []
    if (role.userId) await h.signOnAs(role.userId, demoPassword)
    if (role.mailedLetter) {
      const letter = unusedLetters.shift()
      assert.ok(letter, 'a mailed letter not used yet')
      await h.signOnAs(letter.userId, letter.password)
      assert.equal(new URL(h.page.url()).pathname, '/first-sign-on')
    }
    for (const entry of role.pages) {
      await openPortalPage(h.page, h.url, entry, batchId)
      visited.push(await look(width === 320))
    }
    if (role.registration) {
      await freshPlan()
      await walkRegistration(h.page, h.url, async () => void visited.push(await look(width === 320)))
    }
    return visited
  }

  for (const width of [320, 390]) {
    for (const role of portalPages) {
      it(`fits every ${role.role} page in a ${width} px wide screen, chart text at least 12 px`, async () => {
        const visited = await visitRole(role, width)
        assert.ok(visited.length >= role.pages.length)
        const tooWide = visited.filter((page) => page.width > width).map((page) => `${page.address}: ${page.width} px`)
        assert.deepEqual(tooWide, [], `pages wider than ${width} px`)
        const smallText = visited
          .filter((page) => page.smallestChartText !== undefined && page.smallestChartText < 12)
          .map((page) => `${page.address}: ${page.smallestChartText?.toFixed(1)} px`)
        assert.deepEqual(smallText, [], 'charts with text smaller than 12 px')
        if (role.pages.some((entry) => ('from' in entry ? entry.from : entry.path).startsWith('/labs')))
          assert.ok(
            visited.some((page) => page.smallestChartText !== undefined),
            'a trend chart was measured',
          )
      })
    }
  }

  // Spanish runs about a quarter longer than English: every member page again, read in Spanish, at 320 px with axe.
  for (const role of portalPages.filter((entry) => entry.role.startsWith('member ') && entry.userId)) {
    it(`fits every ${role.role} page in Spanish in a 320 px wide screen, every page accessible`, async () => {
      const before = await services
        .db('members')
        .select<{ id: number; preferred_language: string }[]>('id', 'preferred_language')
      await services.db('members').update({ preferred_language: 'es' })
      try {
        const visited = await visitRole(role, 320)
        assert.deepEqual(
          visited.filter((page) => page.lang !== 'es').map((page) => `${page.address}: ${page.lang}`),
          [],
          'pages not in Spanish',
        )
        const tooWide = visited.filter((page) => page.width > 320).map((page) => `${page.address}: ${page.width} px`)
        assert.deepEqual(tooWide, [], 'pages wider than 320 px')
      } finally {
        for (const member of before)
          await services
            .db('members')
            .where({ id: member.id })
            .update({ preferred_language: member.preferred_language })
      }
    })
  }

  for (const role of portalPages) {
    it(`gives every ${role.role} page a title of its own, and its h1 before any other heading`, async () => {
      const visited = await visitRole(role, 1024)
      assert.deepEqual(
        visited.filter((page) => page.firstHeading !== 'h1').map((page) => `${page.address}: ${page.firstHeading}`),
        [],
        'pages whose first heading is not their h1',
      )
      // The same form shown again with errors keeps its title (with "Error:" before it).
      const pages = visited.filter((page) => !page.title.startsWith('Error:'))
      const addressesByTitle = new Map<string, Set<string>>()
      for (const page of pages) {
        const addresses = addressesByTitle.get(page.title) ?? new Set()
        addresses.add(page.address)
        addressesByTitle.set(page.title, addresses)
      }
      const shared = [...addressesByTitle].filter(([, addresses]) => addresses.size > 1)
      assert.deepEqual(
        shared.map(([title, addresses]) => `${title}: ${[...addresses].join(', ')}`),
        [],
        'titles shared by different pages',
      )
    })
  }
})

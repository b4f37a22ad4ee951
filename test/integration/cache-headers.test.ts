import assert from 'node:assert/strict'
import fs from 'node:fs'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { Agent, demoPassword, signOn, submitForm } from '../helpers/app'
import { linkIn, localPart, useBackground } from '../helpers/background'
import { createPendingLetters, lettersIn } from '../helpers/letters'
import { identityAnswers, james, mariaCredentials, mariaRecord, registerUpToSecure } from '../helpers/registration'

type Response = Awaited<ReturnType<Agent['get']>>

/** A page that may hold personal data: stored by no cache, with no validator to revalidate a copy. */
function assertNotStored(path: string, response: Response): void {
  assert.match(String(response.headers['cache-control']), /\bno-store\b/, `${path} is not no-store`)
  assert.equal(response.headers.etag, undefined, `${path} has an ETag`)
  assert.equal(response.headers['last-modified'], undefined, `${path} has a Last-Modified date`)
  assert.notEqual(response.status, 304, `${path} answered 304`)
}

/**
 * Every page a signed-on person can reach by following links from their pages (plus the addresses given), each
 * checked; returns the paths visited.
 */
async function crawl(agent: Agent, start: string[]): Promise<Set<string>> {
  const visited = new Set<string>()
  const queue = [...start]
  while (queue.length > 0 && visited.size < 250) {
    const path = queue.shift()!
    if (visited.has(path)) continue
    visited.add(path)
    // Sent as a browser revalidating a kept copy would: a 304 would mean the copy could be reused.
    const response = await agent
      .get(path)
      .set('If-None-Match', 'W/"kept-copy"')
      .set('If-Modified-Since', new Date(0).toUTCString())
    assertNotStored(path, response)
    if (!String(response.headers['content-type']).startsWith('text/html')) continue
    const $ = cheerio.load(response.text)
    $('a[href^="/"]').each((_i, link) => {
      const href = $(link).attr('href')!.split('#')[0]
      if (href && !href.startsWith('/public/') && !href.startsWith('//') && !visited.has(href)) queue.push(href)
    })
  }
  return visited
}

describe('pages are never cached', function () {
  // A crawl of up to 250 pages a person can reach (the member tools, family pages, the access history's pages).
  this.timeout(180_000)
  const clock = fixedClock(new Date('2026-11-25T20:00:00Z'))
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T20:00:00Z'),
    prepare: async () => {
      fs.rmSync(context.background.services.config.letters.directory, { recursive: true, force: true })
    },
  })
  const signedOn = async (userId: string) => {
    const agent = supertest.agent(context.app)
    await signOn(agent, userId, demoPassword)
    return agent
  }

  const memberPages = [
    '/home',
    '/account',
    '/account/password',
    '/account/email',
    '/account/secret-questions',
    '/labs',
    '/vaccinations',
    '/vaccinations/record.pdf',
    '/coverage',
    '/coverage/estimate?service=mri-ct&price=1250',
    '/coverage/claims',
    '/verify-email',
  ]

  for (const userId of ['alex.rivera', 'pat.rivera']) {
    it(`holds on every page ${userId} can reach`, async () => {
      const visited = await crawl(await signedOn(userId), memberPages)
      // The crawl went through the lists to the records themselves.
      for (const pattern of [/^\/labs\/\d+$/, /^\/coverage\/claims\/\d+$/, /^\/labs\?.*page=2/])
        assert.ok(
          [...visited].some((path) => pattern.test(path)),
          `no page like ${pattern}`,
        )
    })
  }

  it('holds on every staff page: office, ops, and the mailroom with its batch and files', async () => {
    await createPendingLetters(context.background.services.db, context.background.services.clock, 2)
    const batch = (await context.background.services.letterBatches.runBatch())!
    const office = await crawl(await signedOn('office.nurse'), ['/office', '/account'])
    const ops = await crawl(await signedOn('ops.admin'), ['/ops', '/account'])
    const mailroom = await crawl(await signedOn('mailroom.clerk'), ['/mailroom', '/mailroom/returned', '/account'])
    assert.ok(office.has('/office') && ops.has('/ops'))
    for (const path of [`/mailroom/batches/${batch.batchId}`, `/mailroom/batches/${batch.batchId}/files/letters.pdf`])
      assert.ok(mailroom.has(path), `the crawl missed ${path}`)
  })

  it('holds on every registration step, on the email link, and on first sign-on', async () => {
    const registrant = supertest.agent(context.app)
    const check = async (agent: Agent, path: string) => {
      const response = await agent.get(path)
      assert.equal(response.status, 200, path)
      assertNotStored(path, response)
    }
    await check(registrant, '/register')
    await registerUpToSecure(registrant)
    await check(registrant, '/register/terms')
    await check(registrant, '/register/user-id')
    await check(registrant, '/register/by-mail')
    const questions = await registrant.get('/register/secure')
    assertNotStored('/register/secure', questions)
    await submitForm(registrant, '/register/secure', identityAnswers(questions.text, mariaRecord))
    await check(registrant, '/register/secure/password')
    await submitForm(registrant, '/register/secure/password', mariaCredentials)
    await check(registrant, '/register/done')
    const verify = await context.background.mail.waitFor((email) => /verify-email/.test(email.text))
    await check(supertest.agent(context.app), localPart(linkIn(verify, '/verify-email')))

    // A temporary password from a letter leads to the first sign-on page.
    const byMail = supertest.agent(context.app)
    await submitForm(byMail, '/register', james)
    await submitForm(byMail, '/register/terms', { accept: 'yes' })
    await submitForm(byMail, '/register/user-id', { userId: 'james.chen', email: 'james.chen@example.com' })
    await submitForm(byMail, '/register/by-mail', { addressCurrent: 'yes' })
    await check(byMail, '/register/by-mail/requested')
    const batch = (await context.background.services.letterBatches.runBatch())!
    const [letter] = lettersIn(batch.directory)
    const firstSignOn = supertest.agent(context.app)
    await signOn(firstSignOn, 'james.chen', letter.password)
    await check(firstSignOn, '/first-sign-on')
  })

  it('holds on every step of a password reset, whose addresses carry its token', async () => {
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/forgot-password', { userId: 'alex.rivera' })
    await agent.get('/forgot-password/sent')
    const email = await context.background.mail.waitFor((message) => /forgot-password\/reset/.test(message.text))
    const link = localPart(linkIn(email, '/forgot-password/reset'))
    const opened = await agent.get(link)
    assert.equal(opened.headers.location, '/forgot-password/questions')
    assertNotStored(link, opened)
    const questions = await agent.get('/forgot-password/questions').expect(200)
    assertNotStored('/forgot-password/questions', questions)
  })

  it('holds on public pages too, which carry a per-visitor form token; static files stay cacheable', async () => {
    const visitor = supertest.agent(context.app)
    for (const path of ['/', '/sign-on', '/forgot-user-id', '/forgot-password', '/forgot-password/by-mail', '/nope'])
      assertNotStored(path, await visitor.get(path))
    const stylesheet = await visitor.get('/public/css/portal.css').expect(200)
    assert.doesNotMatch(String(stylesheet.headers['cache-control']), /no-store/)
  })
})

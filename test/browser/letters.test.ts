import assert from 'node:assert/strict'
import fs from 'node:fs'
import type { Server } from 'node:http'
import type { Browser, Page } from 'puppeteer-core'
import { buildApp, closeServices, demoPassword, listen, resetWithDemoPlan, testServices } from '../helpers/app'
import {
  accessibilityViolations,
  fillByLabel,
  headingText,
  launchBrowser,
  newScriptlessPage,
  pressButton,
} from '../helpers/browser'
import { lettersIn } from '../helpers/letters'
import { mariaCredentials } from '../helpers/registration'

describe('registration by mail, first sign-on and the mailroom in a browser with JavaScript off', () => {
  const services = testServices()
  let browser: Browser
  let server: Server
  let url: string
  let page: Page

  before(async () => {
    ;({ server, url } = await listen(buildApp(services)))
    browser = await launchBrowser()
  })
  beforeEach(async () => {
    await resetWithDemoPlan(services)
    fs.rmSync(services.config.letters.directory, { recursive: true, force: true })
    page = await newScriptlessPage(browser)
  })
  afterEach(() => page.close())
  after(async () => {
    await browser?.close()
    server?.close()
    await closeServices(services)
  })

  async function assertAccessible(what: string): Promise<void> {
    assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility problems`)
  }

  async function signOnAs(userId: string, password: string): Promise<void> {
    await page.goto(`${url}/sign-on`)
    await fillByLabel(page, 'User ID', userId)
    await fillByLabel(page, 'Password', password)
    await pressButton(page, 'Sign on')
  }

  it('takes James from step 3 to a mailed letter, a first sign-on and his home page', async () => {
    await page.goto(`${url}/register`)
    await fillByLabel(page, 'First name', 'James')
    await fillByLabel(page, 'Last name', 'Chen')
    await fillByLabel(page, 'Day', '2')
    await fillByLabel(page, 'Month', '11')
    await fillByLabel(page, 'Year', '1972')
    await fillByLabel(page, 'Medical record number (MRN)', '11000002')
    await pressButton(page, 'Continue')
    await page.click('#accept')
    await pressButton(page, 'Continue')
    await fillByLabel(page, 'User ID', 'james.chen')
    await fillByLabel(page, 'Email address', 'james.chen@example.com')
    await pressButton(page, 'Continue')
    await Promise.all([page.waitForNavigation(), page.click('a[href="/register/by-mail"]')])
    assert.equal(await headingText(page), 'Finish registering by mail')
    await assertAccessible('the by-mail page')
    await pressButton(page, 'Continue')
    await assertAccessible('the by-mail page with an error')
    await page.click('#addressCurrent-yes')
    await pressButton(page, 'Continue')
    assert.equal(await headingText(page), 'Your letter is on its way')
    await assertAccessible('the letter-requested page')

    const batch = (await services.letterBatches.runBatch())!
    const [letter] = lettersIn(batch.directory)
    await signOnAs('james.chen', letter.password)
    assert.equal(await headingText(page), 'Create your password and secret questions')
    await assertAccessible('first sign-on')
    await page.goto(`${url}/home`)
    assert.equal(new URL(page.url()).pathname, '/first-sign-on')
    await pressButton(page, 'Save and continue')
    await assertAccessible('first sign-on with errors')
    await fillByLabel(page, 'New password', mariaCredentials.password)
    await fillByLabel(page, 'Type the new password again', mariaCredentials.password)
    for (const n of [1, 2, 3]) {
      await page.select(`#question${n}`, mariaCredentials[`question${n}` as 'question1'])
      await page.type(`#answer${n}`, mariaCredentials[`answer${n}` as 'answer1'])
    }
    await pressButton(page, 'Save and continue')
    assert.equal(await headingText(page), 'Welcome, James')
  })

  it('lets a clerk work a batch, every page accessible', async () => {
    await services.db.transaction(async (trx) => {
      const member = await trx('members').where({ mrn: '11000002' }).first()
      const [userId] = await trx('users').insert({
        user_id: 'james.chen',
        user_id_key: 'james.chen',
        password_hash: 'x',
        role: 'member',
        display_name: 'James Chen',
        member_id: member.id,
        credentials_pending: true,
      })
      await trx('temp_password_requests').insert({
        user_id: userId,
        member_id: member.id,
        reason: 'registration',
        status: 'pending',
        requested_at: new Date(),
      })
    })
    const batch = (await services.letterBatches.runBatch())!
    await signOnAs('mailroom.clerk', demoPassword)
    assert.equal(await headingText(page), 'Mailroom')
    await assertAccessible('the mailroom list')
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/mailroom/batches/${batch.batchId}"]`)])
    await assertAccessible('a batch')
    await pressButton(page, 'Mark printed')
    await assertAccessible('a printed batch')
    await pressButton(page, 'Mark letter 1 returned')
    await page.goto(`${url}/mailroom/returned`)
    await assertAccessible('returned letters')
    await page.goto(`${url}/mailroom/batches/${batch.batchId}`)
    await pressButton(page, 'Mark mailed today')
    assert.match(await page.$eval('main', (main) => main.textContent ?? ''), /files of this batch have been deleted/)
    await assertAccessible('a mailed batch')
    await page.goto(`${url}/mailroom/batches/${batch.batchId}/files/letters.pdf`)
    assert.equal(await headingText(page), 'These files have been deleted')
    await assertAccessible('the files-deleted page')
  })

  it('shows ops the queues and the on-demand batch accessibly', async () => {
    await signOnAs('ops.admin', demoPassword)
    await assertAccessible('the ops page')
    await pressButton(page, 'Run the letter batch now')
    assert.match(await page.$eval('.notice', (notice) => notice.textContent ?? ''), /letter batch will start/)
    await assertAccessible('the ops page after a request')
  })
})

import assert from 'node:assert/strict'
import fs from 'node:fs'
import { demoPassword, resetWithDemoPlan, testServices } from '../helpers/app'
import { clickLink, fillByLabel, headingText, pressButton, useScriptlessBrowser } from '../helpers/browser'
import { lettersIn } from '../helpers/letters'
import { mariaCredentials } from '../helpers/registration'

describe('registration by mail, first sign-on and the mailroom in a browser with JavaScript off', () => {
  const services = testServices()
  const h = useScriptlessBrowser(services, {
    prepare: async () => {
      await resetWithDemoPlan(services)
      fs.rmSync(services.config.letters.directory, { recursive: true, force: true })
    },
  })

  it('takes James from step 3 to a mailed letter, a first sign-on and his home page', async () => {
    await h.page.goto(`${h.url}/register`)
    await fillByLabel(h.page, 'First name', 'James')
    await fillByLabel(h.page, 'Last name', 'Chen')
    await fillByLabel(h.page, 'Day', '2')
    await fillByLabel(h.page, 'Month', '11')
    await fillByLabel(h.page, 'Year', '1972')
    await fillByLabel(h.page, 'Medical record number (MRN)', '11000002')
    await pressButton(h.page, 'Continue')
    await h.page.click('#accept')
    await pressButton(h.page, 'Continue')
    await fillByLabel(h.page, 'User ID', 'james.chen')
    await fillByLabel(h.page, 'Email address', 'james.chen@example.com')
    await pressButton(h.page, 'Continue')
    await Promise.all([h.page.waitForNavigation(), h.page.click('a[href="/register/by-mail"]')])
    assert.equal(await headingText(h.page), 'Finish registering by mail')
    await h.assertAccessible('the by-mail page')
    await pressButton(h.page, 'Continue')
    await h.assertAccessible('the by-mail page with an error')
    await h.page.click('#addressCurrent-yes')
    await pressButton(h.page, 'Continue')
    assert.equal(await headingText(h.page), 'Your letter is on its way')
    await h.assertAccessible('the letter-requested page')

    const batch = (await services.letterBatches.runBatch())!
    const [letter] = lettersIn(batch.directory)
    await h.signOnAs('james.chen', letter.password)
    assert.equal(await headingText(h.page), 'Create your password and secret questions')
    await h.assertAccessible('first sign-on')
    await h.page.goto(`${h.url}/home`)
    assert.equal(new URL(h.page.url()).pathname, '/first-sign-on')
    await pressButton(h.page, 'Save and continue')
    await h.assertAccessible('first sign-on with errors')
    await fillByLabel(h.page, 'New password', mariaCredentials.password)
    await fillByLabel(h.page, 'Type the new password again', mariaCredentials.password)
    for (const n of [1, 2, 3]) {
      await h.page.select(`#question${n}`, mariaCredentials[`question${n}` as 'question1'])
      await h.page.type(`#answer${n}`, mariaCredentials[`answer${n}` as 'answer1'])
    }
    await pressButton(h.page, 'Save and continue')
    assert.equal(await headingText(h.page), 'Welcome, James')
  })

  it('lets a clerk work a batch, every page accessible', async () => {
    await services.db.transaction(async (trx) => {
      const member = await trx('members').where({ mrn: '11000002' }).first()
      const [userId] = await trx('users').insert({
        created_at: services.clock(),
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
        requested_at: services.clock(),
      })
    })
    const batch = (await services.letterBatches.runBatch())!
    await h.signOnAs('mailroom.clerk', demoPassword)
    assert.equal(await headingText(h.page), 'Mailroom')
    await h.assertAccessible('the mailroom list')
    await Promise.all([h.page.waitForNavigation(), h.page.click(`a[href="/mailroom/batches/${batch.batchId}"]`)])
    await h.assertAccessible('a batch')
    await pressButton(h.page, 'Mark printed')
    await h.assertAccessible('a printed batch')
    await pressButton(h.page, 'Mark letter 1 returned')
    await h.page.goto(`${h.url}/mailroom/returned`)
    await h.assertAccessible('returned letters')
    await h.page.goto(`${h.url}/mailroom/batches/${batch.batchId}`)
    await clickLink(h.page, 'Mark mailed today')
    assert.equal(await headingText(h.page), `Mark batch ${batch.batchId} mailed today?`)
    await h.assertAccessible('the check before marking mailed')
    await clickLink(h.page, 'No, go back to the batch')
    assert.equal(await headingText(h.page), `Batch ${batch.batchId}`)
    await clickLink(h.page, 'Mark mailed today')
    await pressButton(h.page, 'Yes, mark it mailed and delete the files')
    assert.match(await h.page.$eval('main', (main) => main.textContent ?? ''), /files of this batch have been deleted/)
    await h.assertAccessible('a mailed batch')
    await h.page.goto(`${h.url}/mailroom/batches/${batch.batchId}/files/letters.pdf`)
    assert.equal(await headingText(h.page), 'These files have been deleted')
    await h.assertAccessible('the files-deleted page')
  })

  it('shows ops the queues and the on-demand batch accessibly', async () => {
    await h.signOnAs('ops.admin', demoPassword)
    await h.assertAccessible('the ops page')
    await pressButton(h.page, 'Run the letter batch now')
    assert.match(await h.page.$eval('.notice', (notice) => notice.textContent ?? ''), /letter batch will start/)
    await h.assertAccessible('the ops page after a request')
  })
})

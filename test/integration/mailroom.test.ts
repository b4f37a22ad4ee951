import assert from 'node:assert/strict'
import fs from 'node:fs'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { Agent, countRows, demoPassword, pageText, signOn, submitForm, titleOf } from '../helpers/app'
import { useBackground } from '../helpers/background'
import { createPendingLetters, lettersIn } from '../helpers/letters'

describe('the mailroom', () => {
  const clock = fixedClock(new Date('2026-11-25T20:00:00Z'))
  let clerk: Agent
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T20:00:00Z'),
    prepare: async () => {
      fs.rmSync(context.background.services.config.letters.directory, { recursive: true, force: true })
      clerk = supertest.agent(context.app)
      await signOn(clerk, 'mailroom.clerk', demoPassword)
    },
  })

  const db = () => context.background.services.db
  const makeBatch = async (count = 3) => {
    await createPendingLetters(db(), clock, count)
    return (await context.background.services.letterBatches.runBatch())!
  }

  it('lists batches with their counts and status', async () => {
    const batch = await makeBatch(3)
    const page = await clerk.get('/mailroom').expect(200)
    assert.match(
      pageText(page.text),
      new RegExp(
        `${batch.batchId} November 25, 2026 at .* Pacific time 3 3 November 26, 2026 Ready to print Available`,
      ),
    )
  })

  it('keeps members and other staff out', async () => {
    const member = supertest.agent(context.app)
    await signOn(member, 'alex.rivera', demoPassword)
    await member.get('/mailroom').expect(403)
    const ops = supertest.agent(context.app)
    await signOn(ops, 'ops.admin', demoPassword)
    const batch = await makeBatch(1)
    await ops.get(`/mailroom/batches/${batch.batchId}/files/letters.pdf`).expect(403)
    assert.equal((await supertest(context.app).get('/mailroom')).headers.location, '/sign-on')
  })

  it('records every download in the audit log', async () => {
    const batch = await makeBatch(2)
    const download = await clerk.get(`/mailroom/batches/${batch.batchId}/files/manifest.csv`).expect(200)
    assert.match(download.text, /^sequence,batch_id/)
    assert.match(String(download.headers['content-disposition']), new RegExp(`${batch.batchId}-manifest.csv`))
    await clerk.get(`/mailroom/batches/${batch.batchId}/files/letters.pdf`).expect(200)
    const clerkId = (await context.background.services.users.findByUserId('mailroom.clerk'))!.id
    const rows = await db()('audit_log').where({ action: 'letters.download', actor_user_id: clerkId }).orderBy('id')
    assert.deepEqual(
      rows.map((row) => [row.target_id, (typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail).file]),
      [
        [batch.batchId, 'manifest.csv'],
        [batch.batchId, 'letters.pdf'],
      ],
    )
    await clerk.get(`/mailroom/batches/${batch.batchId}/files/..%2F..%2Fetc%2Fpasswd`).expect(404)
    await clerk.get('/mailroom/batches/not-a-batch').expect(404)
    await clerk.get('/mailroom/batches/20991231-01').expect(404)
  })

  it('marks a batch printed, then mailed: the mail date goes on each letter and the files are deleted', async () => {
    const batch = await makeBatch(3)
    await submitForm(clerk, `/mailroom/batches/${batch.batchId}`, {}, `/mailroom/batches/${batch.batchId}/printed`)
    const batchPage = await clerk.get(`/mailroom/batches/${batch.batchId}`)
    assert.match(pageText(batchPage.text), /is marked printed/)
    assert.match(pageText(batchPage.text), /3 letters, 3 pages/)
    // Marking mailed deletes the files: the batch page only links to a page that asks first.
    assert.equal(cheerio.load(batchPage.text)(`form[action$="/mailed"]`).length, 0)
    const check = await clerk.get(`/mailroom/batches/${batch.batchId}/mailed`).expect(200)
    assert.match(pageText(check.text), /Mark batch \d{8}-\d{2} mailed today\? .*deletes its files/)
    assert.match(pageText(check.text), /Mail date ?November 25, 2026 \(today\)/)
    assert.equal(fs.existsSync(batch.directory), true, 'asking deletes nothing')
    const mailed = await submitForm(
      clerk,
      `/mailroom/batches/${batch.batchId}`,
      {},
      `/mailroom/batches/${batch.batchId}/mailed`,
    )
    assert.equal(mailed.status, 303)
    assert.equal(fs.existsSync(batch.directory), false)
    assert.deepEqual(await db()('temp_password_requests').where({ batch_id: batch.batchId }).pluck('mailed_on'), [
      '2026-11-25',
      '2026-11-25',
      '2026-11-25',
    ])
    const page = await clerk.get(`/mailroom/batches/${batch.batchId}`)
    assert.match(pageText(page.text), /files of this batch have been deleted/)
    const askedAgain = await clerk.get(`/mailroom/batches/${batch.batchId}/mailed`).expect(303)
    assert.equal(askedAgain.headers.location, `/mailroom/batches/${batch.batchId}`)
    const gone = await clerk.get(`/mailroom/batches/${batch.batchId}/files/letters.pdf`)
    assert.equal(gone.status, 410)
    assert.equal(titleOf(gone.text), 'These files have been deleted – Member Portal')
    assert.equal(await countRows(db(), 'letter_batches', { id: batch.batchId, status: 'mailed' }), 1)
  })

  it('deletes files after the retention period, keeping the record', async () => {
    const batch = await makeBatch(1)
    assert.deepEqual(await context.background.services.letterBatches.deleteExpiredFiles(14), [])
    clock.advance(15 * 86_400_000)
    assert.deepEqual(await context.background.services.letterBatches.deleteExpiredFiles(14), [batch.batchId])
    assert.equal(fs.existsSync(batch.directory), false)
    assert.equal(await countRows(db(), 'temp_password_requests', { batch_id: batch.batchId }), 1)
  })

  it('marks a letter returned, and sends a new one once the address is corrected', async () => {
    const batch = await makeBatch(2)
    const [first] = lettersIn(batch.directory)
    const returned = await submitForm(
      clerk,
      `/mailroom/batches/${batch.batchId}`,
      {},
      `/mailroom/batches/${batch.batchId}/letters/1/returned`,
    )
    assert.equal(returned.status, 303)
    const list = await clerk.get('/mailroom/returned')
    assert.match(pageText(list.text), new RegExp(`Batch ${batch.batchId}, letter 1`))
    // The returned letter's password no longer matters once a new one is asked for.
    const request = await db()('temp_password_requests').where({ batch_id: batch.batchId, sequence: 1 }).first()
    await submitForm(clerk, '/mailroom/returned', {}, `/mailroom/returned/${request.id}/resend`)
    assert.match(pageText((await clerk.get('/mailroom/returned')).text), /No returned letters are waiting/)
    const next = (await context.background.services.letterBatches.runBatch())!
    assert.equal(next.pieces, 1)
    assert.notEqual(lettersIn(next.directory)[0].password, first.password)
    assert.equal((await signOn(supertest.agent(context.app), first.userId, first.password)).status, 401)
  })

  it('acts only on ids written exactly: anything else, or what never existed, is not found', async () => {
    const batch = await makeBatch(2)
    const post = (action: string) => submitForm(clerk, '/mailroom', {}, action)
    const notFound = async (response: Awaited<ReturnType<typeof post>>, what: string) => {
      assert.equal(response.status, 404, what)
      assert.equal(titleOf(response.text), 'Page not found – Member Portal', what)
    }
    for (const sequence of [
      '1.5',
      encodeURIComponent("1' OR '1'='1"),
      '01',
      '1e0',
      '+1',
      '0',
      '-1',
      '3',
      '9'.repeat(20),
    ])
      await notFound(await post(`/mailroom/batches/${batch.batchId}/letters/${sequence}/returned`), sequence)
    assert.equal(await countRows(db(), 'temp_password_requests', { status: 'returned' }), 0)

    // A batch that never existed: 404 for its page, its files and every action, and nothing changes.
    const never = '20991231-01'
    await notFound(await clerk.get(`/mailroom/batches/${never}/files/letters.pdf`), 'files')
    for (const action of ['printed', 'mailed', 'letters/1/returned'])
      await notFound(await post(`/mailroom/batches/${never}/${action}`), action)
    await notFound(await post(`/mailroom/batches/${batch.batchId}.5/printed`), 'a batch id with a tail')
    assert.equal(await countRows(db(), 'letter_batches', { status: 'ready' }), 1)
    assert.doesNotMatch(pageText((await clerk.get('/mailroom')).text), /already|is marked/)

    // Only a letter that was returned can be sent again; other ids name nothing.
    const pending = await db()('temp_password_requests').where({ batch_id: batch.batchId, sequence: 2 }).first()
    for (const id of ['1.5', encodeURIComponent("1' OR '1'='1"), String(pending.id), '999999'])
      await notFound(await post(`/mailroom/returned/${id}/resend`), `resend ${id}`)

    // A page number that is not a number shows the first page.
    for (const page of ['2abc', '-1', '1.5', 'x'.repeat(100)])
      await clerk.get(`/mailroom/batches/${batch.batchId}?page=${page}`).expect(200)
  })

  it('lets ops run the batch on demand through the worker', async () => {
    await createPendingLetters(db(), clock, 2)
    const ops = supertest.agent(context.app)
    await signOn(ops, 'ops.admin', demoPassword)
    const page = await ops.get('/ops')
    assert.match(pageText(page.text), /temp-password-letters/)
    const response = await submitForm(ops, '/ops', {}, '/ops/letters/run')
    assert.equal(response.headers.location, '/ops')
    for (let i = 0; i < 200 && (await countRows(db(), 'letter_batches', { status: 'ready' })) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(await countRows(db(), 'temp_password_requests', { status: 'issued' }), 2)
    assert.match(pageText((await clerk.get('/mailroom')).text), /Ready to print/)
  })
})

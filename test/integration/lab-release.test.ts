import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { scheduleLabReleaseSweep } from '../../jobs/office-message-notifications'
import { fixedClock } from '../../src/platform/clock'
import type { CaughtEmail } from '../../src/devtools/mail-catcher'
import { type Agent, csrfTokenIn, errorSummary, pageText, signedOnAgent, submitForm, titleOf } from '../helpers/app'
import { useBackground } from '../helpers/background'
import { describeHtmlErrors, htmlErrors } from '../helpers/html-checker'
import { chooseMember } from '../helpers/family'
import { waitUntil } from '../helpers/pharmacy'
import { auditRowsAfter, labResultIds, lastAuditId, memberIdOf } from '../helpers/records'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
// A Wednesday, 10 a.m. in California; the demo is loaded relative to it.
const seedDay = new Date('2026-11-25T18:00:00Z')

describe('lab results released by the rule: the office’s review, the member’s choice and the new-result emails', () => {
  const clock = fixedClock(seedDay)
  const context = useBackground({
    clock,
    startAt: seedDay,
    prepare: async () => {
      const { redis, config } = context.background.services
      // Each test starts with no new-result window open.
      const windows = await redis.keys(`${config.redisPrefix}:new-result-window:*`)
      if (windows.length > 0) await redis.del(...windows)
    },
  })
  const services = () => context.background.services
  const mail = () => context.background.mail
  const to = (address: string) => (email: CaughtEmail) => email.to.includes(address)
  const emailsTo = (address: string) => mail().messages.filter(to(address))
  const windowMs = () => services().config.labs.noticeWindowMs

  /** A new final result for a member, as the lab's feed would store it: nothing reviewed, nothing released. */
  async function newResult(mrn: string, fields: Record<string, unknown> = {}): Promise<number> {
    const db = services().db
    const provider = await db('providers').where({ name: 'Dr. Marcus Bell' }).first('id')
    const [id] = await db('lab_results').insert({
      member_id: await memberIdOf(db, mrn),
      test_code: 'FERR',
      test_name: 'Ferritin',
      value: '12',
      numeric_value: 12,
      unit: 'ng/mL',
      reference_range: '30 to 400',
      flag: 'low',
      collected_at: new Date(clock().getTime() - 5 * 3600_000),
      resulted_at: clock(),
      final_at: clock(),
      ordering_provider_id: provider.id,
      ...fields,
    })
    return Number(id)
  }

  /** No email with a test's name, value, unit or the doctor. */
  function assertNoHealthInformation(email: CaughtEmail) {
    const text = `${email.subject}\n${email.text}`
    for (const word of ['Ferritin', '12 ng', 'ng/mL', 'Bell', 'Magnesium', 'low', 'Low', 'cholesterol'])
      assert.ok(!text.includes(word), `the email says ${word}`)
  }

  const agentFor = (userId = 'alex.rivera'): Promise<Agent> => signedOnAgent(context.app, userId)

  it('emails the member once, at release, that a result is in: no test, value or doctor', async () => {
    const id = await newResult('11000003')
    assert.equal(await services().labs.releaseDue(), 1)
    const email = await mail().waitFor(to('alex.rivera@example.com'), 30_000)
    assert.equal(email.subject, 'A new test result is in Member Portal')
    assert.match(email.text, /A new test result is in your record\. Sign on to see it: http:\/\/\S+\/sign-on/)
    assertNoHealthInformation(email)
    // The sweep again, and the job again: never a second email for the same result.
    assert.equal(await services().labs.releaseDue(), 0)
    await services().newResultNotices.handle({ name: 'lab-result-released', data: { resultId: id } })
    await sleep(500)
    assert.equal(emailsTo('alex.rivera@example.com').length, 1)
    const row = await services().db('lab_results').where({ id }).first('released_at', 'notice_at')
    assert.ok(row.released_at && row.notice_at)
  })

  it('releases and announces on the worker’s own schedule, registered once however often workers start', async () => {
    const queue = services().queues.get('office-message-notifications')
    try {
      await scheduleLabReleaseSweep(queue, 1_000)
      await scheduleLabReleaseSweep(queue, 1_000)
      const sweeps = (await queue.getJobSchedulers()).filter((scheduler) => scheduler.key === 'lab-release-sweep')
      assert.deepEqual(
        sweeps.map((scheduler) => scheduler.every),
        [1_000],
      )
      const id = await newResult('11000003')
      const email = await mail().waitFor(to('alex.rivera@example.com'), 30_000)
      assertNoHealthInformation(email)
      assert.ok((await services().db('lab_results').where({ id }).first('released_at')).released_at)
    } finally {
      await queue.removeJobScheduler('lab-release-sweep')
    }
  })

  it('sends at most one more email for more results inside the window, at its end, covering them all', async () => {
    await newResult('11000003')
    await services().labs.releaseDue()
    await mail().waitFor(to('alex.rivera@example.com'), 30_000)
    const first = performance.now()
    await newResult('11000003', { test_code: 'B12', test_name: 'Vitamin B12' })
    await newResult('11000003', { test_code: 'FOL', test_name: 'Folate' })
    assert.equal(await services().labs.releaseDue(), 2)
    await waitUntil('a second email', () => emailsTo('alex.rivera@example.com').length >= 2, windowMs() + 15_000)
    assert.ok(performance.now() - first >= windowMs() - 1_000, 'the second email waited for the window to end')
    await sleep(1_000)
    assert.equal(emailsTo('alex.rivera@example.com').length, 2)
    const unannounced = await services()
      .db('lab_results')
      .where({ member_id: await memberIdOf(services().db, '11000003') })
      .whereNotNull('released_at')
      .whereNull('notice_at')
    assert.deepEqual(unannounced, [])
  })

  it('sends nothing while a result is held, and one email when the clinician’s hold ends by the clock', async () => {
    const [magnesium] = await labResultIds(services().db, '11000003', 'MG')
    assert.equal(await services().labs.releaseDue(), 0)
    await sleep(500)
    assert.equal(emailsTo('alex.rivera@example.com').length, 0)

    clock.set(new Date('2026-11-30T18:00:01Z'))
    assert.equal(await services().labs.releaseDue(), 1)
    const email = await mail().waitFor(to('alex.rivera@example.com'), 30_000)
    assertNoHealthInformation(email)
    const page = await (await agentFor()).get(`/labs/${magnesium}`).expect(200)
    assert.match(pageText(page.text), /Your result\s*1\.64 mg\/dL/)
  })

  it('emails the parent for a child under 12, and nobody who turned the emails off', async () => {
    await newResult('11000004')
    assert.equal(await services().labs.releaseDue(), 1)
    const email = await mail().waitFor(to('alex.rivera@example.com'), 30_000)
    assert.match(email.text, /A new test result is in the record of a child you care for\./)
    assert.doesNotMatch(email.text, /Sam/)

    const agent = await agentFor('pat.rivera')
    const saved = await submitForm(agent, '/account/lab-results', {
      choice: 'sensitive-after-review',
      resultEmails: 'off',
    })
    assert.equal(saved.status, 303)
    const id = await newResult('11000006')
    assert.equal(await services().labs.releaseDue(), 1)
    await sleep(1_500)
    assert.equal(emailsTo('pat.rivera@example.com').length, 0)
    assert.ok((await services().db('lab_results').where({ id }).first('notice_at')).notice_at)
  })

  it('lets a member waiting for the review see the result now: audited, in the access history, with no email', async () => {
    const [genetic] = await labResultIds(services().db, '11000006', 'PGX')
    const agent = await agentFor('pat.rivera')
    const waiting = await agent.get(`/labs/${genetic}`).expect(200)
    assert.match(
      pageText(waiting.text),
      /You asked to wait until your doctor has reviewed sensitive results like this one/,
    )
    assert.match(pageText(waiting.text), /on December 6, 2026 at the latest/)
    assert.doesNotMatch(waiting.text, /metabolizer/)
    const before = await lastAuditId(services().db)
    const shown = await agent
      .post(`/labs/${genetic}/see-now`)
      .type('form')
      .send({ _csrf: csrfTokenIn(waiting.text) })
      .expect(303)
    assert.equal(shown.headers.location, `/labs/${genetic}?shown=1`)
    const page = await agent.get(shown.headers.location).expect(200)
    assert.match(pageText(page.text), /Here is your result\. Your doctor may not have reviewed it yet\./)
    assert.match(pageText(page.text), /CYP2C19 \*1\/\*2: intermediate metabolizer/)
    assert.ok((await auditRowsAfter(services().db, before)).some((row) => row.action === 'lab-result.shown-early'))
    const history = await agent.get('/access-history').expect(200)
    assert.match(pageText(history.text), /Chose to see a lab result before the doctor’s review/)
    assert.equal(await services().labs.releaseDue(), 0)
    await sleep(500)
    assert.equal(emailsTo('pat.rivera@example.com').length, 0)

    // A result held by state law or by a clinician cannot be seen early: back to its page, which says why.
    const [biopsy] = await labResultIds(services().db, '11000003', 'SKINPATH')
    const alex = await agentFor()
    const held = await alex.get(`/labs/${biopsy}`).expect(200)
    const refused = await alex
      .post(`/labs/${biopsy}/see-now`)
      .type('form')
      .send({ _csrf: csrfTokenIn(held.text) })
      .expect(303)
    assert.equal(refused.headers.location, `/labs/${biopsy}`)
    assert.doesNotMatch((await alex.get(`/labs/${biopsy}`)).text, /carcinoma/)
    // Another member's result, or no result at all: 404, audited.
    for (const id of [String(genetic), 'nonsense'])
      await alex
        .post(`/labs/${id}/see-now`)
        .type('form')
        .send({ _csrf: csrfTokenIn(held.text) })
        .expect(404)
  })

  it('asks once on the lab page when to show results, refuses a made-up answer, and applies the choice to new results', async () => {
    const agent = await agentFor()
    const list = await agent.get('/labs').expect(200)
    assert.match(pageText(list.text), /When do you want to see new results\?/)
    for (const choice of ['', 'never', ['at-once', 'all-after-review'], 'x'.repeat(5000)]) {
      const refused = await agent
        .post('/labs/release-choice')
        .type('form')
        .send({ choice, _csrf: csrfTokenIn(list.text) })
        .expect(400)
      assert.deepEqual(errorSummary(refused.text), ['Choose when you want to see your results'])
      assert.match(titleOf(refused.text), /^Error: /)
    }
    const saved = await agent
      .post('/labs/release-choice')
      .type('form')
      .send({ choice: 'all-after-review', _csrf: csrfTokenIn(list.text) })
      .expect(303)
    const after = await agent.get(saved.headers.location).expect(200)
    assert.doesNotMatch(pageText(after.text), /When do you want to see new results\?/)
    assert.match(pageText(after.text), /You chose: Wait until my doctor has reviewed every result\./)

    const id = await newResult('11000003')
    assert.equal(await services().labs.releaseDue(), 0)
    const waiting = await agent.get(`/labs/${id}`).expect(200)
    assert.match(pageText(waiting.text), /appears here when they have, or on December 9, 2026 at the latest/)
    // The 14-day cap, by the clock.
    clock.set(new Date(seedDay.getTime() + 14 * 24 * 3600_000))
    assert.ok((await services().labs.releaseDue()) >= 1)
    assert.match(pageText((await (await agentFor()).get(`/labs/${id}`)).text), /Your result\s*12 ng\/mL/)
  })

  it('lets a parent choose for a child under 12 and never shows a teen’s results to a parent', async () => {
    const db = services().db
    const agent = await agentFor()
    await chooseMember(agent, await memberIdOf(db, '11000004'), '/labs')
    const list = await agent.get('/labs').expect(200)
    assert.match(pageText(list.text), /Sam Rivera’s results/)
    await agent
      .post('/labs/release-choice')
      .type('form')
      .send({ choice: 'all-after-review', _csrf: csrfTokenIn(list.text) })
      .expect(303)
    const id = await newResult('11000004')
    const page = await agent.get(`/labs/${id}`).expect(200)
    assert.match(pageText(page.text), /You asked to wait until your doctor has reviewed every result/)
    assert.equal(
      await db('members')
        .where({ mrn: '11000003' })
        .first('lab_release_choice')
        .then((row) => row.lab_release_choice),
      null,
    )

    await chooseMember(agent, await memberIdOf(db, '11000005'), '/home')
    const [teen] = await labResultIds(db, '11000005', 'ALT')
    await agent.get('/labs').expect(404)
    await agent.get(`/labs/${teen}`).expect(404)
  })

  it('gives the office its department’s new results, oldest first with abnormal ones marked, and no other department’s', async () => {
    const nurse = await agentFor('office.nurse')
    const list = await nurse.get('/office/results').expect(200)
    assert.equal(titleOf(list.text), 'New lab results for Family Medicine, San Leandro Medical Center – Member Portal')
    const $ = cheerio.load(list.text)
    const rows = $('main table tbody tr')
      .map((_i, row) => $(row).find('td').first().text().replace(/\s+/g, ' ').trim())
      .get()
    assert.ok(rows.includes('Skin biopsy pathology report Abnormal'), rows.join(' | '))
    assert.ok(rows.includes('Magnesium Abnormal'), rows.join(' | '))
    assert.ok(!rows.some((row) => /Pharmacogenomic/.test(row)), 'Pat’s results go to her own care team')
    const finals = $('main table tbody tr td[data-label="Final"]')
      .map((_i, cell) =>
        new Date(
          $(cell)
            .text()
            .replace(/ (PST|PDT)$/, ''),
        ).getTime(),
      )
      .get()
    assert.deepEqual(
      finals,
      [...finals].sort((a, b) => a - b),
    )
    for (const path of ['/office/results/', '/Office/Results'])
      assert.equal(titleOf((await nurse.get(path).expect(200)).text), titleOf(list.text), path)

    // The same result by an id spelt with encoded digits.
    const first = $('main table tbody tr a').first().attr('href')!
    const encoded = first.replace(/\d/g, (digit) => `%3${digit}`)
    assert.equal(titleOf((await nurse.get(encoded).expect(200)).text), titleOf((await nurse.get(first)).text))
    const [genetic] = await labResultIds(services().db, '11000006', 'PGX')
    await nurse.get(`/office/results/${genetic}`).expect(404)
    await nurse.get('/office/results/not-a-result').expect(404)
    await (await agentFor('alex.rivera')).get('/office/results').expect(403)
  })

  it('holds a result to talk first with a reason and an end date of 14 days at most, telling the member only that and when', async () => {
    const id = await newResult('11000003')
    const nurse = await agentFor('office.nurse')
    const path = `/office/results/${id}`
    const bad: [Record<string, unknown>, string[]][] = [
      [{}, ['Enter why the care team wants to talk with the member first', 'Choose how many days to hold it: 1 to 14']],
      [{ reason: 'Talk', days: '15' }, ['Choose how many days to hold it: 1 to 14']],
      [{ reason: 'x'.repeat(501), days: '3' }, ['The reason must be 500 characters or fewer']],
      [
        { reason: ['a', 'b'], days: ['3', '4'] },
        ['Enter why the care team wants to talk with the member first', 'Choose how many days to hold it: 1 to 14'],
      ],
      [{ reason: '<script>alert(1)</script>', days: '-1' }, ['Choose how many days to hold it: 1 to 14']],
    ]
    for (const [fields, messages] of bad) {
      const page = await nurse.get(path).expect(200)
      const refused = await nurse
        .post(`${path}/hold`)
        .type('form')
        .send({ ...fields, _csrf: csrfTokenIn(page.text) })
        .expect(400)
      assert.deepEqual(errorSummary(refused.text), messages)
      assert.doesNotMatch(refused.text, /<script>alert/)
    }
    const before = await lastAuditId(services().db)
    const page = await nurse.get(path).expect(200)
    await nurse
      .post(`${path}/hold`)
      .type('form')
      .send({
        reason: 'Iron very low: Dr. Bell will call about an infusion.',
        days: '3',
        _csrf: csrfTokenIn(page.text),
      })
      .expect(303)
    assert.equal(await services().labs.releaseDue(), 0)
    const member = await (await agentFor()).get(`/labs/${id}`).expect(200)
    assert.match(pageText(member.text), /Your care team asked to talk with you about it before it appears online/)
    assert.match(pageText(member.text), /November 28, 2026 at the latest/)
    assert.doesNotMatch(member.text, /infusion|12 ng/)
    const audit = (await auditRowsAfter(services().db, before)).find((row) => row.action === 'lab-result.hold')
    assert.ok(audit)
    assert.doesNotMatch(JSON.stringify(audit), /infusion/)
    const history = await (await agentFor()).get('/access-history').expect(200)
    assert.match(pageText(history.text), /Doctor’s office held a lab result to talk with you first/)
  })

  it('marks a result reviewed with a note the member reads with it, and emails that it is in', async () => {
    const [magnesium] = await labResultIds(services().db, '11000003', 'MG')
    const nurse = await agentFor('office.nurse')
    const path = `/office/results/${magnesium}`
    const page = await nurse.get(path).expect(200)
    const tooLong = await nurse
      .post(`${path}/review`)
      .type('form')
      .send({ note: 'x'.repeat(501), _csrf: csrfTokenIn(page.text) })
      .expect(400)
    assert.deepEqual(errorSummary(tooLong.text), ['The note must be 500 characters or fewer'])
    await nurse
      .post(`${path}/review`)
      .type('form')
      .send({
        note: 'Your magnesium is a little low — we will talk about it on Friday.',
        _csrf: csrfTokenIn(page.text),
      })
      .expect(303)
    const member = await (await agentFor()).get(`/labs/${magnesium}`).expect(200)
    assert.match(pageText(member.text), /Your result\s*1\.64 mg\/dL/)
    assert.match(pageText(member.text), /A note from your care team\s*Your magnesium is a little low/)
    const email = await mail().waitFor(to('alex.rivera@example.com'), 30_000)
    assertNoHealthInformation(email)
    assert.doesNotMatch(email.text, /magnesium/i)
    const history = await (await agentFor()).get('/access-history').expect(200)
    assert.match(pageText(history.text), /Doctor’s office reviewed a lab result/)
    assert.match(pageText(history.text), /Doctor’s office added a note to a lab result/)
    const list = await nurse.get('/office/results').expect(200)
    assert.doesNotMatch(pageText(list.text), /Magnesium/)
  })

  it('is valid HTML to the W3C checker: the office’s list and a result, waiting results and the settings', async function () {
    this.timeout(60_000)
    const db = services().db
    const [magnesium] = await labResultIds(db, '11000003', 'MG')
    const [biopsy] = await labResultIds(db, '11000003', 'SKINPATH')
    const [genetic] = await labResultIds(db, '11000006', 'PGX')
    const nurse = await agentFor('office.nurse')
    const alex = await agentFor()
    const pat = await agentFor('pat.rivera')
    const pages = [
      { url: '/office/results', html: (await nurse.get('/office/results').expect(200)).text },
      { url: `/office/results/${magnesium}`, html: (await nurse.get(`/office/results/${magnesium}`).expect(200)).text },
      { url: `/office/results/${biopsy}`, html: (await nurse.get(`/office/results/${biopsy}`).expect(200)).text },
      { url: `/labs/${magnesium}`, html: (await alex.get(`/labs/${magnesium}`).expect(200)).text },
      { url: `/labs/${biopsy}`, html: (await alex.get(`/labs/${biopsy}`).expect(200)).text },
      { url: `/labs/${genetic}`, html: (await pat.get(`/labs/${genetic}`).expect(200)).text },
      { url: '/account/lab-results', html: (await pat.get('/account/lab-results').expect(200)).text },
    ]
    const errors = await htmlErrors(pages)
    assert.equal(errors.length, 0, describeHtmlErrors(errors))
  })
})

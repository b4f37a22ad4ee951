import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import { errorSummary, pageText, signedOnAgent, titleOf, useTestApp } from '../helpers/app'
import { allLabResultIds, labResultIds, memberIdOf, userIdOf } from '../helpers/records'

// A Wednesday, 7 a.m. in California.
const seedDay = new Date('2026-11-25T15:00:00Z')

function resultRows(html: string): { test: string; collected: string; result: string }[] {
  const $ = cheerio.load(html)
  return $('main table tbody tr')
    .map((_i, row) => ({
      test: $(row).find('th a').text().trim(),
      collected: $(row).find('td').eq(0).text().trim(),
      result: $(row).find('td').eq(1).text().replace(/\s+/g, ' ').trim(),
    }))
    .get()
}

describe('lab results', () => {
  const clock = fixedClock(seedDay)
  const { services, app } = useTestApp({ clock })

  const signedOn = (userId?: string) => signedOnAgent(app, userId)
  beforeEach(() => clock.set(seedDay))

  it('lists results newest first, ten to a page', async () => {
    const agent = await signedOn()
    const first = await agent.get('/labs').expect(200)
    assert.equal(titleOf(first.text), 'Lab results (page 1 of 3) – Member Portal')
    assert.match(pageText(first.text), /29 results, newest first/)
    const pages = [resultRows(first.text)]
    for (const page of [2, 3]) pages.push(resultRows((await agent.get(`/labs?page=${page}`).expect(200)).text))
    assert.deepEqual(
      pages.map((rows) => rows.length),
      [10, 10, 9],
    )
    const dates = pages.flat().map((row) => new Date(row.collected).getTime())
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
    )
    assert.equal(pages[0][0].collected, 'Nov 24, 2026')
    assert.match(pageText(first.text), /Page 1 of 3/)
    const $ = cheerio.load(first.text)
    assert.equal($('nav[aria-label="Lab results pages"] a[rel="next"]').attr('href'), '/labs?page=2')
  })

  it('shows the last page for a page past the end and the first for nonsense', async () => {
    const agent = await signedOn()
    assert.equal(resultRows((await agent.get('/labs?page=99').expect(200)).text).length, 9)
    for (const page of ['0', '-1', 'abc', '1e9', '9'.repeat(5000)]) {
      const response = await agent.get(`/labs?page=${encodeURIComponent(page)}`).expect(200)
      assert.match(pageText(response.text), /Page 1 of 3/, page)
    }
  })

  it('filters by test, keeping the filter across pages', async () => {
    const agent = await signedOn()
    const response = await agent.get('/labs?test=LDL').expect(200)
    const rows = resultRows(response.text)
    assert.deepEqual(
      rows.map((row) => [row.test, row.result]),
      [
        ['LDL cholesterol', '118 mg/dL'],
        ['LDL cholesterol', '131 mg/dL'],
        ['LDL cholesterol', '148 mg/dL'],
        ['LDL cholesterol', '162 mg/dL'],
      ],
    )
    assert.match(pageText(response.text), /4 results for LDL cholesterol/)
    assert.equal(cheerio.load(response.text)('#test option[selected]').text(), 'LDL cholesterol')
  })

  it('tells the member when the test to filter by is not one of theirs', async () => {
    const agent = await signedOn()
    for (const test of ['NOPE', '<script>alert(1)</script>', 'x'.repeat(5000), 'CTNG']) {
      const response = await agent.get(`/labs?test=${encodeURIComponent(test)}`)
      assert.equal(response.status, 400, test.slice(0, 20))
      assert.deepEqual(errorSummary(response.text), ['Choose a test from the list, or all tests'])
      assert.doesNotMatch(response.text, /<script>alert/)
      assert.equal(resultRows(response.text).length, 10)
    }
    const repeated = await agent.get('/labs?test=LDL&test=HDL').expect(200)
    assert.equal(resultRows(repeated.text).length, 10)
  })

  it('shows a result with its value, unit, reference range, flag in words, dates and doctor', async () => {
    const agent = await signedOn()
    const [, , , latest] = await labResultIds(services.db, '11000003', 'LDL')
    const response = await agent.get(`/labs/${latest}`).expect(200)
    const text = pageText(response.text)
    assert.equal(titleOf(response.text), 'LDL cholesterol, November 24, 2026 – Member Portal')
    assert.match(text, /Your result\s*118 mg\/dL/)
    assert.match(text, /Flag\s*High – outside the usual range for this test/)
    assert.match(text, /Reference range\s*Below 100 mg\/dL/)
    assert.match(text, /Collected\s*November 24, 2026/)
    assert.match(text, /Resulted\s*November 25, 2026/)
    assert.match(text, /Ordered by\s*Dr\. Marcus Bell/)
    assert.match(text, /You may see a result before your doctor has reviewed it/)
  })

  it('shows how a repeated test has changed in a table and a chart drawn on the server', async () => {
    const agent = await signedOn()
    const [, , , latest] = await labResultIds(services.db, '11000003', 'LDL')
    const response = await agent.get(`/labs/${latest}`).expect(200)
    const $ = cheerio.load(response.text)
    const trend = $('main table tbody tr')
      .map((_i, row) => $(row).text().replace(/\s+/g, ' ').trim())
      .get()
    assert.deepEqual(trend, [
      'Oct 21, 2025 162 mg/dL High',
      'Apr 19, 2026 148 mg/dL High',
      'Aug 7, 2026 131 mg/dL High',
      'Nov 24, 2026 (this result) 118 mg/dL High',
    ])
    // Drawn twice: for wide screens, and half as wide for phones so its text stays readable there.
    assert.equal($('figure.trend-chart').length, 2)
    const svg = $('figure.trend-chart-wide svg')
    assert.equal(svg.attr('role'), 'img')
    assert.equal(svg.attr('aria-labelledby'), 'trend-title trend-desc')
    assert.match($('#trend-title').text(), /LDL cholesterol: 4 results from Oct 21, 2025 to Nov 24, 2026/)
    assert.match($('#trend-desc').text(), /Nov 24, 2026: 118 mg\/dL \(High\)/)
    assert.equal(svg.find('rect[width="14"]').length, 4, 'each flagged value is a square, not just a colour')
    const phone = $('figure.trend-chart-narrow svg')
    assert.equal(phone.attr('viewBox'), '0 0 320 240')
    assert.equal(phone.attr('aria-labelledby'), 'trend-phone-title trend-phone-desc')
    assert.equal($('#trend-phone-title').text(), $('#trend-title').text())
    assert.deepEqual(
      phone
        .find('text')
        .map((_i, text) => $(text).text().trim())
        .get()
        .filter((text) => /\d{4}$/.test(text)),
      ['Oct 21, 2025', 'Nov 24, 2026'],
      'the phone chart labels the first and last dates; the table has them all',
    )
    // The CSP allows no inline styles: the chart uses presentation attributes only.
    assert.doesNotMatch(response.text, /\sstyle=|<style/)
  })

  it('shows no trend for a test done once', async () => {
    const agent = await signedOn()
    const [xray] = await labResultIds(services.db, '11000003', 'CXR')
    const response = await agent.get(`/labs/${xray}`).expect(200)
    assert.match(pageText(response.text), /No acute cardiopulmonary process/)
    assert.equal(cheerio.load(response.text)('figure.trend-chart').length, 0)
  })

  it('shows a new result the moment it is final: no blanket hold', async () => {
    const [ldl] = (await labResultIds(services.db, '11000003', 'LDL')).slice(-1)
    const [thyroid] = await labResultIds(services.db, '11000006', 'TSH')
    const alex = await (await signedOn()).get(`/labs/${ldl}`).expect(200)
    assert.match(pageText(alex.text), /Your result\s*118 mg\/dL/)
    // Pat waits only for sensitive results: a TSH from yesterday is shown.
    const pat = await (await signedOn('pat.rivera')).get(`/labs/${thyroid}`).expect(200)
    assert.match(pageText(pat.text), /Your result\s*5\.87 mIU\/L/)
  })

  it('shows the doctor’s note with a reviewed result', async () => {
    const [ldl] = (await labResultIds(services.db, '11000003', 'LDL')).slice(-1)
    const page = await (await signedOn()).get(`/labs/${ldl}`).expect(200)
    assert.match(pageText(page.text), /A note from your care team\s*Your LDL is coming down — keep going\./)
  })

  it('holds a result under a clinician’s hold, saying who asked, until when and the office’s phone, then shows it by the clock', async () => {
    const [magnesium] = await labResultIds(services.db, '11000003', 'MG')
    const held = await (await signedOn()).get(`/labs/${magnesium}`).expect(200)
    assert.match(pageText(held.text), /Your result\s*Not shown online yet/)
    assert.match(pageText(held.text), /Your care team asked to talk with you about it before it appears online/)
    assert.match(pageText(held.text), /It will appear here on November 30, 2026 at the latest/)
    assert.match(pageText(held.text), /call your doctor's office: San Leandro Medical Center, \(510\) 555-0300/)
    // The reason is the department's: never shown to the member.
    assert.doesNotMatch(held.text, /1\.64|water pill/)
    assert.equal(cheerio.load(held.text)('button:contains("See this result now")').length, 0)

    clock.set(new Date('2026-11-30T15:00:01Z'))
    const released = await (await signedOn()).get(`/labs/${magnesium}`).expect(200)
    assert.match(pageText(released.text), /Your result\s*1\.64 mg\/dL/)
    assert.match(pageText(released.text), /Flag\s*Low/)
  })

  it('keeps a biopsy that may show cancer offline under California’s law until the doctor has talked with the member', async () => {
    const [biopsy] = await labResultIds(services.db, '11000003', 'SKINPATH')
    clock.set(new Date('2027-12-30T15:00:00Z'))
    const held = await (await signedOn()).get(`/labs/${biopsy}`).expect(200)
    assert.match(
      pageText(held.text),
      /State law does not allow results of this kind \(a biopsy, Pap test or scan that may show cancer\)/,
    )
    assert.doesNotMatch(held.text, /carcinoma/)
    const nurse = await userIdOf(services.db, 'office.nurse')
    const errors = await services.labs.review({ userId: nurse }, String(biopsy), { note: '' })
    assert.deepEqual(
      errors?.map((error) => error.href),
      ['#discussed'],
    )
    assert.equal(
      await services.labs.review({ userId: nurse }, String(biopsy), { note: '', discussed: 'yes' }),
      undefined,
    )
    const shown = await (await signedOn()).get(`/labs/${biopsy}`).expect(200)
    assert.match(pageText(shown.text), /Basal cell carcinoma/)
    // Back as the demo has it, for the tests after this one.
    await services
      .db('lab_results')
      .where({ id: biopsy })
      .update({ reviewed_at: null, reviewed_by_user_id: null, discussed_at: null, released_at: null })
  })

  it('shows an HIV test once the doctor has recorded talking with the member about it', async () => {
    const [hiv] = await labResultIds(services.db, '11000003', 'HIV')
    const detail = await (await signedOn()).get(`/labs/${hiv}`).expect(200)
    assert.match(pageText(detail.text), /Your result\s*Nonreactive/)
  })

  it('keeps every waiting value out of every page', async () => {
    const withheld: Record<string, string[]> = {
      'alex.rivera': ['1.64', 'carcinoma', 'water pill'],
      'pat.rivera': ['metabolizer', 'CYP2C19 *1/*2'],
    }
    for (const [userId, values] of Object.entries(withheld)) {
      const agent = await signedOn(userId)
      const mrn = userId === 'alex.rivera' ? '11000003' : '11000006'
      const paths = ['/labs', '/labs?page=2', '/labs?page=3', '/home']
      for (const code of await services.db('lab_results').distinct('test_code').pluck('test_code')) {
        paths.push(`/labs?test=${code}`)
      }
      for (const id of await allLabResultIds(services.db, mrn)) paths.push(`/labs/${id}`)
      for (const path of paths) {
        const response = await agent.get(path)
        assert.ok([200, 400].includes(response.status), `${path}: ${response.status}`)
        for (const value of values) assert.ok(!response.text.includes(value), `${userId} ${path} shows ${value}`)
      }
    }
  })

  it('leaves a held result out of the trend of the same test', async () => {
    const alex = await memberIdOf(services.db, '11000003')
    const [first] = await labResultIds(services.db, '11000003', 'A1C')
    const template = await services.db('lab_results').where({ id: first }).first()
    const [heldId] = await services.db('lab_results').insert({
      ...template,
      id: undefined,
      member_id: alex,
      value: '6.47',
      numeric_value: 6.47,
      collected_at: new Date('2026-11-23T16:00:00Z'),
      resulted_at: new Date('2026-11-24T18:00:00Z'),
      final_at: new Date('2026-11-24T18:00:00Z'),
      reviewed_at: null,
      review_note: null,
      released_at: null,
      notice_at: null,
    })
    const nurse = await userIdOf(services.db, 'office.nurse')
    await services.db('lab_result_holds').insert({
      lab_result_id: heldId,
      kind: 'clinician',
      reason: 'Talk first',
      set_by_user_id: nurse,
      set_at: seedDay,
      ends_at: new Date('2026-11-27T20:00:00Z'),
    })
    try {
      const agent = await signedOn()
      const older = await agent.get(`/labs/${first}`).expect(200)
      assert.equal(cheerio.load(older.text)('main table tbody tr').length, 3)
      assert.doesNotMatch(older.text, /6\.47/)
      const list = await agent.get('/labs?test=A1C').expect(200)
      assert.match(
        resultRows(list.text)[0].result,
        /Waiting: your care team will talk with you first, until November 27, 2026/,
      )
      assert.doesNotMatch(list.text, /6\.47/)
    } finally {
      await services.db('lab_result_holds').where({ lab_result_id: heldId }).delete()
      await services.db('lab_results').where({ id: heldId }).delete()
    }
  })

  it('shows each member only their own results', async () => {
    const pat = await signedOn('pat.rivera')
    const response = await pat.get('/labs').expect(200)
    const tests = resultRows(response.text).map((row) => row.test)
    assert.ok(tests.includes('eGFR (kidney function)'))
    assert.ok(!tests.includes('LDL cholesterol'))
    assert.match(pageText(response.text), /16 results, newest first/)
  })
})

import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import { Agent, errorSummary, pageText, signedOnAgent, titleOf, useTestApp } from '../helpers/app'
import { claimsOf } from '../helpers/records'

describe('coverage and costs', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })

  const signedOn = (userId?: string) => signedOnAgent(app, userId)

  function estimate(agent: Agent, query: Record<string, string | string[]>) {
    return agent.get('/coverage/estimate').query(query)
  }

  function youWouldPay(html: string): string | undefined {
    return cheerio
      .load(html)('.estimate-result h2')
      .text()
      .match(/you would pay about (\$[\d,.]+)/)?.[1]
  }

  it('shows the plan and the member’s details', async () => {
    const response = await (await signedOn()).get('/coverage').expect(200)
    const text = pageText(response.text)
    assert.match(text, /Plan\s*Silver 2000 \(HMO\)/)
    assert.match(text, /Member ID\s*HB11000003/)
    assert.match(text, /Group number\s*20418/)
    assert.match(text, /Subscriber\s*Alex Rivera/)
    assert.match(text, /Plan year\s*March 1, 2026 to February 28, 2027/)
  })

  it('shows deductible and out-of-pocket progress as meters with the numbers in words', async () => {
    const response = await (await signedOn()).get('/coverage').expect(200)
    const $ = cheerio.load(response.text)
    const deductible = $('#deductible-meter')
    assert.deepEqual(
      [deductible.attr('min'), deductible.attr('max'), deductible.attr('value')],
      ['0', '200000', '164000'],
    )
    assert.equal(deductible.attr('aria-labelledby'), 'deductible-label')
    assert.equal($('#deductible-label').text(), 'Deductible')
    assert.equal(
      $('#deductible-text').text().replace(/\s+/g, ' ').trim(),
      '$1,640.00 of $2,000.00 met (82%). $360.00 left to go.',
    )
    assert.equal(
      $('#out-of-pocket-text').text().replace(/\s+/g, ' ').trim(),
      '$1,835.00 of $6,000.00 met (30%). $4,165.00 left to go.',
    )
  })

  it('says when the deductible has been met', async () => {
    const response = await (await signedOn('pat.rivera')).get('/coverage').expect(200)
    const $ = cheerio.load(response.text)
    assert.match(
      $('#deductible-text').text().replace(/\s+/g, ' '),
      /\$250\.00 of \$250\.00 met \(100%\)\.\s+You have met it for this plan year\./,
    )
    assert.match(
      $('#out-of-pocket-text').text().replace(/\s+/g, ' '),
      /\$3,729\.00 of \$3,900\.00 met \(95%\)\.\s+\$171\.00 left to go\./,
    )
  })

  it('lists copays and coinsurance by service', async () => {
    const response = await (await signedOn()).get('/coverage').expect(200)
    const text = pageText(response.text)
    assert.match(text, /Primary care visit\s*\$25\.00 copay/)
    assert.match(text, /Preventive care \(checkups, screenings, vaccines\)\s*Nothing \(\$0 copay\)/)
    assert.match(text, /MRI or CT scan\s*20% coinsurance after the deductible/)
  })

  it('estimates a coinsurance service: the rest of the deductible, then 20% of what is left', async () => {
    const response = await estimate(await signedOn(), { service: 'mri-ct' }).expect(200)
    assert.equal(titleOf(response.text), 'Your estimate for MRI or CT scan – Member Portal')
    assert.equal(youWouldPay(response.text), '$528.00')
    const text = pageText(response.text)
    assert.match(text, /Price the plan usually allows\s*\$1,200\.00/)
    assert.match(text, /Toward your deductible\s*\$360\.00 \(you had \$360\.00 left to meet\)/)
    assert.match(text, /Your 20% coinsurance on the rest\s*\$168\.00/)
    assert.match(text, /The plan would pay\s*\$672\.00/)
  })

  it('estimates a copay service at the copay', async () => {
    const response = await estimate(await signedOn(), { service: 'primary-care-visit', price: '900' }).expect(200)
    assert.equal(youWouldPay(response.text), '$25.00')
    assert.match(pageText(response.text), /This service has a set copay/)
  })

  it('uses the price the member was quoted, right at the deductible boundary', async () => {
    const agent = await signedOn()
    assert.equal(youWouldPay((await estimate(agent, { service: 'x-ray', price: '150' })).text), '$150.00')
    assert.equal(youWouldPay((await estimate(agent, { service: 'x-ray', price: '$360.00' })).text), '$360.00')
    assert.equal(youWouldPay((await estimate(agent, { service: 'x-ray', price: '360.05' })).text), '$360.01')
    const quoted = await estimate(agent, { service: 'x-ray', price: '1,360' })
    assert.equal(youWouldPay(quoted.text), '$560.00')
    assert.match(pageText(quoted.text), /Price you entered\s*\$1,360\.00/)
    assert.equal(cheerio.load(quoted.text)('#price').val(), '1,360')
  })

  it('never estimates more than what is left of the out-of-pocket maximum', async () => {
    const agent = await signedOn('pat.rivera')
    const mri = await estimate(agent, { service: 'mri-ct' }).expect(200)
    assert.equal(youWouldPay(mri.text), '$171.00')
    assert.match(pageText(mri.text), /you would reach your out-of-pocket maximum: you had \$171\.00 left/)
    assert.equal(youWouldPay((await estimate(agent, { service: 'x-ray', price: '855' })).text), '$171.00')
    assert.equal(youWouldPay((await estimate(agent, { service: 'x-ray', price: '854.95' })).text), '$170.99')
    assert.equal(youWouldPay((await estimate(agent, { service: 'hospital-stay' })).text), '$171.00')
  })

  it('answers a missing, unknown, huge or hostile choice with a clear message, never an error page', async () => {
    const agent = await signedOn()
    const cases: [Record<string, string | string[]>, string[]][] = [
      [{ service: '' }, ['Choose the service you want an estimate for']],
      [{ service: '', price: '' }, ['Choose the service you want an estimate for']],
      [{ price: '100' }, ['Choose the service you want an estimate for']],
      [{ service: 'brain-transplant' }, ['Choose a service from the list']],
      [
        { service: 'x'.repeat(5000), price: '9'.repeat(5000) },
        ['Choose a service from the list', 'The price must be 20 characters or fewer'],
      ],
      [
        { service: '<script>alert(1)</script>', price: "' OR 1=1 --" },
        ['Enter the price in dollars, like 1250 or 1,250.00'],
      ],
      [{ service: ['mri-ct', 'x-ray'] }, ['Choose the service you want an estimate for']],
      [{ service: 'mri-ct', price: '-5' }, ['Enter the price in dollars, like 1250 or 1,250.00']],
      [{ service: 'mri-ct', price: '12.345' }, ['Enter the price in dollars, like 1250 or 1,250.00']],
      [{ service: 'mri-ct', price: '0' }, ['Enter a price more than $0']],
      [{ service: 'mri-ct', price: '1000000.01' }, ['Enter a price of $1,000,000 or less']],
      [{ service: 'mri-ct', price: '99999999999999999999' }, ['Enter the price in dollars, like 1250 or 1,250.00']],
    ]
    for (const [query, messages] of cases) {
      const response = await estimate(agent, query)
      const label = JSON.stringify(query).slice(0, 60)
      assert.equal(response.status, 400, label)
      assert.equal(titleOf(response.text), 'Error: Estimate your cost – Member Portal', label)
      const summary = errorSummary(response.text)
      // A hostile service name fails too, once the price is right.
      assert.deepEqual(summary.slice(0, messages.length), messages, label)
      assert.equal(youWouldPay(response.text), undefined, label)
      assert.doesNotMatch(response.text, /<script>alert/)
    }
    const hostile = await estimate(agent, { service: 'mri-ct', price: '<b>12</b>' })
    assert.equal(cheerio.load(hostile.text)('#price').val(), '<b>12</b>')
    assert.match(hostile.text, /value="&lt;b&gt;12&lt;\/b&gt;"/)
  })

  it('shows the form without complaint when it is opened, not submitted', async () => {
    const response = await (await signedOn()).get('/coverage/estimate').expect(200)
    assert.deepEqual(errorSummary(response.text), [])
    assert.equal(cheerio.load(response.text)('#service option').length, 12)
  })

  it('lists recent claims with what was billed, what the plan paid and what the member owes', async () => {
    const response = await (await signedOn()).get('/coverage').expect(200)
    const $ = cheerio.load(response.text)
    const rows = $('.claims-table tbody tr')
      .toArray()
      .map((row) =>
        $(row)
          .children()
          .toArray()
          .map((cell) => $(cell).text().replace(/\s+/g, ' ').trim()),
      )
    assert.equal(rows.length, 5)
    assert.deepEqual(rows[0], [
      'Lab tests: lipid panel, magnesiumSan Leandro Medical Center Laboratory',
      'Nov 23, 2026',
      '$133.00',
      'Being processed',
    ])
    assert.deepEqual(rows[1], [
      'Pathology: skin biopsyOakland Medical Center Pathology',
      'Nov 12, 2026',
      '$133.00',
      '$0.00',
      '$95.00',
    ])
    assert.match(pageText(response.text), /All your claims \(15\)/)
  })

  it('pages through a year of claims, newest first', async () => {
    const agent = await signedOn()
    const first = await agent.get('/coverage/claims').expect(200)
    const second = await agent.get('/coverage/claims?page=2').expect(200)
    const count = (html: string) => cheerio.load(html)('.claims-table tbody tr').length
    assert.deepEqual([count(first.text), count(second.text)], [10, 5])
    assert.match(pageText(second.text), /Page 2 of 2/)
    const last = cheerio.load(second.text)('.claims-table tbody tr').last().find('td').first().text()
    assert.equal(last, 'Dec 10, 2025')
  })

  it('shows a claim in detail', async () => {
    const claims = await claimsOf(services.db, '11000003')
    const mri = claims.find((claim) => claim.service_description === 'MRI, lower back')
    const response = await (await signedOn()).get(`/coverage/claims/${mri.id}`).expect(200)
    const text = pageText(response.text)
    assert.match(text, new RegExp(`Claim ${mri.claim_number}`))
    assert.match(text, /Provider\s*Bay Imaging Center, Oakland/)
    assert.match(text, /Billed by the provider\s*\$1,680\.00/)
    assert.match(text, /Allowed amount\s*\$1,200\.00/)
    assert.match(text, /Plan paid\s*\$0\.00/)
    assert.match(text, /Your deductible\s*\$1,200\.00/)
    assert.match(text, /You owe\s*\$1,200\.00/)
  })

  it('says a pending claim is not decided yet', async () => {
    const [pending] = await claimsOf(services.db, '11000003')
    const response = await (await signedOn()).get(`/coverage/claims/${pending.id}`).expect(200)
    assert.match(pageText(response.text), /The plan has not processed this claim yet/)
  })
})

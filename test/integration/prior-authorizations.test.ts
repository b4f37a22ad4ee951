import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type supertest from 'supertest'
import * as cheerio from 'cheerio'
import type { CaughtEmail } from '../../src/devtools/mail-catcher'
import { planDate } from '../../src/platform/dates'
import { addCalendarDays } from '../../src/prescriptions/eligibility'
import { useBackground } from '../helpers/background'
import { pageText, signedOnAgent, titleOf } from '../helpers/app'
import { chooseMember } from '../helpers/family'
import { assertValidFhir } from '../helpers/fhir-validation'
import { memberIdOf } from '../helpers/records'
import { fhirGet, tokensFor } from '../helpers/smart'

interface Bundle {
  total: number
  // FHIR JSON as the API sent it, read by element path in the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entry: { resource: Record<string, any> }[]
}

const run = promisify(execFile)

/** The text of a PDF as Debian's pdftotext reads it, with its spacing evened out. */
async function pdfText(pdf: Buffer): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'portal-pdf-'))
  try {
    await writeFile(path.join(directory, 'letter.pdf'), pdf)
    const { stdout } = await run('pdftotext', ['-layout', path.join(directory, 'letter.pdf'), '-'])
    return stdout.replace(/\s+/g, ' ')
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

function binary(response: supertest.Response, done: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = []
  response.on('data', (chunk: Buffer) => chunks.push(chunk))
  response.on('end', () => done(null, Buffer.concat(chunks)))
}

describe('prior authorizations', () => {
  const context = useBackground()
  const services = () => context.background.services
  const app = () => context.app
  const authorizationId = async (authNumber: string) =>
    Number((await services().db('prior_authorizations').where({ auth_number: authNumber }).first('id')).id)

  it('lists the member’s requests newest first, each status in words', async () => {
    const response = await (await signedOnAgent(app())).get('/coverage/authorizations').expect(200)
    assert.equal(titleOf(response.text), 'Prior authorizations – Member Portal')
    assert.match(response.headers['cache-control'], /no-store/)
    const $ = cheerio.load(response.text)
    const rows = $('tbody tr')
      .map(
        (_index, row) =>
          $(row).find('th a').text().trim() + ' | ' + $(row).find('td[data-label="Status"] strong').text(),
      )
      .get()
    assert.deepEqual(rows, [
      'Physical therapy: therapeutic exercise, 15-minute sessions | Waiting for a decision',
      'MRI of the lower back (lumbar spine), without contrast | Approved',
      'Overnight sleep study in a sleep center | Denied',
    ])
    // The same page however the address is spelled.
    const spelled = await (await signedOnAgent(app())).get('/Coverage/Authorizations/').expect(200)
    assert.equal(titleOf(spelled.text), 'Prior authorizations – Member Portal')
  })

  it('tells when a pending request will be decided, and what an approval is good for', async () => {
    const agent = await signedOnAgent(app())
    const pending = await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000102')}`).expect(200)
    const requestedAt = (await services().db('prior_authorizations').where({ auth_number: 'PA-2026-000102' }).first())
      .requested_at as Date
    const dueBy = new Date(requestedAt.getTime() + 7 * 24 * 3_600_000)
    const text = pageText(pending.text)
    assert.match(text, /Status: Waiting for a decision/)
    assert.match(text, /Standard requests are decided within 7 calendar days/)
    assert.ok(
      text.includes(
        dueBy.toLocaleDateString('en-US', { timeZone: 'America/Los_Angeles', month: 'long', day: 'numeric' }),
      ),
      `the due date (${dueBy.toISOString()}) is shown`,
    )
    const approved = pageText(
      (await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000101')}`).expect(200)).text,
    )
    assert.match(approved, /Status: Approved/)
    assert.match(approved, /Good for\s*\w+ \d{1,2}, \d{4} to \w+ \d{1,2}, \d{4}/)
    assert.match(approved, /1 \(0 used, 1 left\)/)
  })

  it('shows a denial’s reason and how to appeal by phone and by message', async () => {
    const response = await (
      await signedOnAgent(app())
    )
      .get(`/coverage/authorizations/${await authorizationId('PA-2026-000103')}`)
      .expect(200)
    const text = pageText(response.text)
    assert.match(text, /Why it was denied\s*A home sleep test is covered first/)
    assert.match(text, /How to appeal/)
    assert.match(text, /Call Member Services at 1-800-555-0100 \(TTY 711\)/)
    assert.equal(cheerio.load(response.text)('main a[href="/messages/new"]').text(), 'send a message')
  })

  it('gives the decision letter as a PDF once there is a decision, with the reason and the right to appeal', async function () {
    this.timeout(60_000)
    const agent = await signedOnAgent(app())
    const denied = await authorizationId('PA-2026-000103')
    const page = await agent.get(`/coverage/authorizations/${denied}`).expect(200)
    assert.equal(
      cheerio.load(page.text)('main a:contains("Download the decision letter (PDF)")').attr('href'),
      `/coverage/authorizations/${denied}/letter.pdf`,
    )
    const response = await agent
      .get(`/coverage/authorizations/${denied}/letter.pdf`)
      .buffer(true)
      .parse(binary)
      .expect(200)
    assert.equal(response.headers['content-type'], 'application/pdf')
    assert.match(String(response.headers['content-disposition']), /prior-authorization-PA-2026-000103\.pdf/)
    const text = await pdfText(response.body as Buffer)
    for (const expected of [
      'Prior authorization decision',
      'Alex Rivera',
      'PA-2026-000103',
      'Denied',
      'A home sleep test is covered first',
      'reason code 50',
      'Your right to appeal',
    ])
      assert.ok(text.includes(expected), `the letter says "${expected}"`)
    // No decision yet, no letter.
    await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000102')}/letter.pdf`).expect(404)
  })

  it('gives 404 for another member’s authorization, and for an id that names nothing', async () => {
    const agent = await signedOnAgent(app())
    await agent.get(`/coverage/authorizations/${await authorizationId('PA-2026-000301')}`).expect(404)
    for (const id of ['0', 'abc', '99999999', '1%2F2']) await agent.get(`/coverage/authorizations/${id}`).expect(404)
    const denied = await services().db('audit_log').where({ action: 'prior-authorization.view-denied' })
    assert.ok(denied.length >= 1, 'the attempt is audited')
  })

  it('shows a proxy only where the access covers coverage: a child’s, not a teen’s or a grantor’s without it', async () => {
    const db = services().db
    const [sam, jordan, pat] = await Promise.all(['11000004', '11000005', '11000006'].map((mrn) => memberIdOf(db, mrn)))
    const agent = await signedOnAgent(app())
    await chooseMember(agent, sam, '/coverage/authorizations')
    const forSam = await agent.get('/coverage/authorizations').expect(200)
    assert.match(pageText(forSam.text), /Prior authorizations for Sam Rivera/)
    assert.match(pageText(forSam.text), /Allergy skin testing/)
    for (const member of [jordan, pat]) {
      await chooseMember(agent, member, '/home')
      await agent.get('/coverage/authorizations').expect(404)
    }
  })

  it('serves them in the API as PDex prior authorizations, searchable by patient, use and _lastUpdated', async () => {
    const alex = await memberIdOf(services().db, '11000003')
    const tokens = await tokensFor(app(), await signedOnAgent(app()))
    const search = await fhirGet(
      app(),
      `/ExplanationOfBenefit?patient=${alex}&use=preauthorization`,
      tokens.access_token,
    ).expect(200)
    assertValidFhir(search.body)
    const bundle = search.body as Bundle
    assert.equal(bundle.total, 3)
    for (const { resource } of bundle.entry) {
      assert.equal(resource.use, 'preauthorization')
      assert.deepEqual(resource.meta.profile, [
        'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization|2.0.0',
      ])
      const read = await fhirGet(app(), `/ExplanationOfBenefit/${resource.id}`, tokens.access_token).expect(200)
      assertValidFhir(read.body)
      assert.deepEqual(read.body, resource)
    }
    const denied = bundle.entry.find(({ resource }) => resource.preAuthRef[0] === 'PA-2026-000103')!.resource
    const denial = denied.item[0].adjudication.find(
      (each: { category: { coding: { code: string }[] } }) => each.category.coding[0].code === 'denialreason',
    )
    assert.equal(denial.reason.coding[0].code, '50')
    assert.match(denial.reason.text, /A home sleep test is covered first/)
    assert.equal(denied.item[0].productOrService.coding[0].code, '95810')

    // `_lastUpdated`: only what changed since; a malformed one is a 400 OperationOutcome.
    const now = services().clock()
    const since = new Date(now.getTime() - 2 * 24 * 3_600_000).toISOString()
    const recent = await fhirGet(
      app(),
      `/ExplanationOfBenefit?patient=${alex}&_lastUpdated=ge${encodeURIComponent(since)}`,
      tokens.access_token,
    ).expect(200)
    assert.deepEqual(
      (recent.body as Bundle).entry.map(({ resource }) => resource.preAuthRef[0]),
      ['PA-2026-000102'],
    )
    for (const bad of ['yesterday', 'lt2026-01-01', 'ge2026-13-45'])
      assertValidFhir(
        (await fhirGet(app(), `/ExplanationOfBenefit?_lastUpdated=${bad}`, tokens.access_token).expect(400)).body,
      )
    await fhirGet(app(), `/ExplanationOfBenefit?use=other`, tokens.access_token).expect(400)
  })

  it('carries a decision to the API and the page at once, and emails a notice that names no service', async () => {
    const alex = await memberIdOf(services().db, '11000003')
    const id = await authorizationId('PA-2026-000102')
    const tokens = await tokensFor(app(), await signedOnAgent(app()))
    const before = await fhirGet(app(), `/ExplanationOfBenefit/pa-${id}`, tokens.access_token).expect(200)
    assert.equal(before.body.outcome, 'queued')

    // Good from today for 90 days, on the app's clock (the suite also runs with the clock moved).
    const today = planDate(services().clock())
    const validTo = addCalendarDays(today, 90)
    await services().priorAuthorizations.recordChange(id, {
      status: 'approved',
      unitsApproved: 12,
      validFrom: today,
      validTo,
    })
    const after = await fhirGet(app(), `/ExplanationOfBenefit/pa-${id}`, tokens.access_token).expect(200)
    assertValidFhir(after.body)
    assert.equal(after.body.outcome, 'complete')
    assert.deepEqual(after.body.preAuthRefPeriod, [{ start: today, end: validTo }])
    assert.ok(after.body.meta.lastUpdated > before.body.meta.lastUpdated, 'meta.lastUpdated moves with the change')
    const page = await (await signedOnAgent(app())).get(`/coverage/authorizations/${id}`).expect(200)
    assert.match(pageText(page.text), /Status: Approved/)

    const toAlex = (email: CaughtEmail) => email.to.includes('alex.rivera@example.com')
    const email = await context.background.mail.waitFor(toAlex, 60_000)
    assert.equal(email.subject, 'An update to a prior authorization on Member Portal')
    assert.ok(email.text.includes(`/coverage/authorizations/${id}`))
    for (const word of [/physical therapy/i, /therapeutic/i, /97110/, /approved/i, /Rivera/])
      assert.doesNotMatch(email.text, word)
    const job = await services().db('outbox').where({ job_name: 'prior-authorization-changed' }).first('payload')
    assert.deepEqual(typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload, { authorizationId: id })
    await context.background.settle()
    const sent = await services().db('sent_emails').where({ kind: 'prior-authorization-changed' })
    assert.equal(sent.length, 1, 'one email for one change')
    assert.equal(
      Number(sent[0].user_id),
      Number((await services().db('users').where({ member_id: alex }).first('id')).id),
    )
  })
})

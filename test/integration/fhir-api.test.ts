import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { loadConfig } from '../../src/config'
import { loadStateLawTable, releaseOf } from '../../src/labs/release'
import { LabResultRepository } from '../../src/labs/repository'
import { createInfrastructure, createServices } from '../../src/services'
import { buildApp, closeServices, csrfTokenIn, signedOnAgent, useTestApp } from '../helpers/app'
import { assertValidFhir } from '../helpers/fhir-validation'
import { auditRowsAfter, lastAuditId, memberIdOf, userIdOf } from '../helpers/records'
import { demoApp, fhirGet, refresh, TokenResponse, tokensFor } from '../helpers/smart'

interface Bundle {
  resourceType: string
  type: string
  total: number
  link: { relation: string; url: string }[]
  entry: { fullUrl: string; resource: { resourceType: string; id: string } & Record<string, unknown> }[]
}

describe('the FHIR R4 API (/fhir/R4)', () => {
  const { services, app } = useTestApp({ keepRedis: true })
  let tokens: TokenResponse
  let alex: number
  let pat: number

  before(async () => {
    alex = await memberIdOf(services.db, '11000003')
    pat = await memberIdOf(services.db, '11000006')
    tokens = await tokensFor(app, await signedOnAgent(app))
  })

  const get = (path: string, token = tokens.access_token) => fhirGet(app, path, token)

  /** Every page of a search, following the Bundle's next links, each page valid FHIR. */
  async function searchAll(path: string, token = tokens.access_token): Promise<Bundle['entry']> {
    const entries: Bundle['entry'] = []
    let next: string | undefined = path
    for (let pages = 0; next && pages < 50; pages++) {
      const response = await get(next, token).expect(200)
      assert.match(response.headers['content-type'], /^application\/fhir\+json/)
      const bundle = response.body as Bundle
      assertValidFhir(bundle)
      assert.equal(bundle.type, 'searchset')
      entries.push(...bundle.entry)
      const link = bundle.link.find((each) => each.relation === 'next')?.url
      next = link ? link.slice(link.indexOf('/fhir/R4') + '/fhir/R4'.length) : undefined
    }
    return entries
  }

  it('describes itself in a valid CapabilityStatement with the SMART sign-on addresses, without a token', async () => {
    const response = await fhirGet(app, '/metadata').expect(200)
    assert.match(response.headers['content-type'], /^application\/fhir\+json/)
    assertValidFhir(response.body)
    assert.equal(response.body.fhirVersion, '4.0.1')
    const types = (response.body.rest[0].resource as { type: string }[]).map((resource) => resource.type)
    assert.deepEqual(types, [
      'Patient',
      'Observation',
      'Immunization',
      'Coverage',
      'ExplanationOfBenefit',
      'MedicationRequest',
      'Appointment',
      'Practitioner',
      'Organization',
    ])
  })

  it('reads the patient in context, and searches each kind of record by patient — every resource valid FHIR R4', async () => {
    const patient = await get(`/Patient/${alex}`).expect(200)
    assertValidFhir(patient.body)
    assert.equal(patient.body.name[0].family, 'Rivera')
    assert.equal(patient.body.birthDate, '1980-06-21')

    for (const type of ['Immunization', 'Coverage', 'ExplanationOfBenefit', 'MedicationRequest', 'Appointment']) {
      const entries = await searchAll(`/${type}?patient=${alex}`)
      assert.ok(entries.length > 0, `no ${type}`)
      for (const { resource } of entries) {
        assert.equal(resource.resourceType, type)
        const read = await get(`/${type}/${resource.id}`).expect(200)
        assertValidFhir(read.body)
        assert.deepEqual(read.body, resource)
      }
    }
  })

  it('pages a search in Bundles of 10 with next and previous links, and the total', async () => {
    // Alex's 13 professional claims and 2 pharmacy claims.
    const first = (await get(`/ExplanationOfBenefit?patient=${alex}&use=claim`).expect(200)).body as Bundle
    assert.equal(first.total, 15)
    assert.equal(first.entry.length, 10)
    const next = first.link.find((link) => link.relation === 'next')!.url
    assert.match(next, /_page=2/)
    const second = (await get(next.slice(next.indexOf('/fhir/R4') + 8)).expect(200)).body as Bundle
    assert.equal(second.entry.length, 5)
    assert.ok(second.link.some((link) => link.relation === 'previous'))
    assert.ok(!second.link.some((link) => link.relation === 'next'))
    const ids = new Set([...first.entry, ...second.entry].map((entry) => entry.resource.id))
    assert.equal(ids.size, 15)
  })

  it('returns only lab results released online: never one waiting under the release rule, by search or by id', async () => {
    // The same rule the pages use: California's table, Alex's choice, the clock.
    const repository = new LabResultRepository(services.db)
    const stateLaw = loadStateLawTable(services.config.labs.stateLawFile)
    const rows = await repository.all(alex)
    const now = services.clock()
    const choice = await repository.releaseChoice(alex)
    const released = rows.filter((row) => releaseOf(row, choice, stateLaw, now).state === 'released')
    const withheld = rows.filter((row) => !released.includes(row))
    // The biopsy under California's rule and the magnesium under a clinician's hold.
    assert.deepEqual(withheld.map((row) => row.testCode).sort(), ['MG', 'SKINPATH'])

    const entries = await searchAll(`/Observation?patient=${alex}&category=laboratory`)
    assert.deepEqual(
      entries.map((entry) => Number(entry.resource.id)).sort((a, b) => a - b),
      released.map((row) => Number(row.id)).sort((a, b) => a - b),
    )
    for (const row of withheld) {
      const response = await get(`/Observation/${row.id}`).expect(404)
      assert.equal(response.body.resourceType, 'OperationOutcome')
      assert.equal(response.body.issue[0].code, 'not-found')
    }
    const ldl = entries.find((entry) => (entry.resource.code as { text: string }).text === 'LDL cholesterol')!
    assert.equal((ldl.resource.category as { coding: { code: string }[] }[])[0].coding[0].code, 'laboratory')
    assert.equal((ldl.resource.valueQuantity as { unit: string }).unit, 'mg/dL')
    // LOINC first, so any app recognises the test; the plan's own code beside it.
    const codings = (ldl.resource.code as { coding: { system: string; code: string }[] }).coding
    assert.deepEqual(
      codings.map((each) => [each.system, each.code]),
      [
        ['http://loinc.org', '13457-7'],
        ['https://memberportal.example/fhir/CodeSystem/lab-test', 'LDL'],
      ],
    )
  })

  it('pages a search by the app’s _count, carries it in the links, and refuses a bad one with a 400', async () => {
    const everything = await searchAll(`/Observation?patient=${alex}`)
    const first = (await get(`/Observation?patient=${alex}&_count=2`).expect(200)).body as Bundle & { total: number }
    assertValidFhir(first)
    assert.equal(first.entry.length, 2)
    assert.equal(first.total, everything.length)
    assert.match(first.link.find((each) => each.relation === 'next')!.url, /_count=2&_page=2$/)
    const paged = await searchAll(`/Observation?patient=${alex}&_count=3`)
    assert.deepEqual(
      paged.map((entry) => entry.resource.id),
      everything.map((entry) => entry.resource.id),
    )
    const claims = (await get(`/ExplanationOfBenefit?patient=${alex}&_count=1`).expect(200)).body as Bundle
    assert.equal(claims.entry.length, 1)
    for (const count of ['0', '101', 'ten', '-1', '9'.repeat(5000), "1' OR '1'='1"]) {
      const refused = await get(`/Immunization?patient=${alex}&_count=${encodeURIComponent(count)}`).expect(400)
      assertValidFhir(refused.body)
      assert.equal(refused.body.issue[0].code, 'invalid', count.slice(0, 20))
    }
  })

  it('answers US Core 6.1’s required searches, within the patient in context, and refuses malformed values with 400', async () => {
    const ids = async (path: string) => {
      const bundle = (await get(path).expect(200)).body as Bundle
      assertValidFhir(bundle)
      return bundle.entry.map((entry) => `${entry.resource.resourceType}/${entry.resource.id}`)
    }
    const alexOnly = [`Patient/${alex}`]
    // Patient: identifier, name, birthdate + name, gender + name.
    assert.deepEqual(await ids('/Patient?identifier=https://memberportal.example/fhir/sid/mrn|11000003'), alexOnly)
    assert.deepEqual(await ids('/Patient?identifier=11000003'), alexOnly)
    assert.deepEqual(await ids('/Patient?identifier=11000006'), [])
    assert.deepEqual(await ids('/Patient?name=riv'), alexOnly)
    assert.deepEqual(await ids('/Patient?name=Alex&birthdate=1980-06-21'), alexOnly)
    assert.deepEqual(await ids('/Patient?name=Alex&birthdate=ge1981'), [])
    assert.deepEqual(await ids('/Patient?name=Alex&gender=other'), alexOnly)
    assert.deepEqual(await ids('/Patient?name=Alex&gender=female'), [])
    // Pat is someone else's record: her name finds nothing here, her id is a 404 as before.
    assert.deepEqual(await ids('/Patient?name=Pat&birthdate=1948-09-30'), [])
    await get(`/Patient?_id=${pat}&name=Pat`).expect(404)

    // Observation: patient + code, patient + category + date.
    const everything = (await get(`/Observation?patient=${alex}&_count=100`).expect(200)).body as Bundle
    const sample = everything.entry[0].resource as unknown as {
      id: string
      code: { coding: { system: string; code: string }[] }
      effectiveDateTime: string
    }
    const loinc = sample.code.coding.find((coding) => coding.system === 'http://loinc.org')!
    const byCode = await ids(`/Observation?patient=${alex}&code=http://loinc.org|${loinc.code}`)
    assert.ok(byCode.includes(`Observation/${sample.id}`))
    assert.ok(byCode.length < everything.total)
    const day = sample.effectiveDateTime.slice(0, 10)
    const byDate = await ids(`/Observation?patient=${alex}&category=laboratory&date=${day}`)
    assert.ok(byDate.includes(`Observation/${sample.id}`))
    const range = await ids(`/Observation?patient=${alex}&category=laboratory&date=ge${day}&date=le${day}`)
    assert.deepEqual(range, byDate)
    assert.deepEqual(await ids(`/Observation?patient=${alex}&category=laboratory&date=lt1990-01-01`), [])
    await get(`/Observation?patient=${pat}&code=http://loinc.org|${loinc.code}`).expect(404)

    // Practitioner by name and NPI; Organization (a clinic, a pharmacy or the plan) by name and address.
    const bell = (await ids('/Practitioner?name=bell'))[0]
    assert.match(bell, /^Practitioner\/\d+$/)
    const npi = ((await get(`/${bell}`).expect(200)).body.identifier as { value: string }[])[0].value
    assert.deepEqual(await ids(`/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|${npi}`), [bell])
    const sanLeandro = await ids('/Organization?name=San Leandro')
    assert.ok(sanLeandro.every((id) => /^Organization\/(clinic|pharmacy)-\d+$/.test(id)))
    assert.ok(sanLeandro.some((id) => id.startsWith('Organization/pharmacy-')))
    assert.equal((await ids('/Organization?address=Berkeley')).length, 1)
    assert.ok((await ids('/Organization?name=Senior,Silver,Harbor,Bay')).length >= 1)

    // The CapabilityStatement names them.
    const capability = (await fhirGet(app, '/metadata').expect(200)).body
    const named = (type: string) =>
      (capability.rest[0].resource as { type: string; searchParam: { name: string }[] }[])
        .find((resource) => resource.type === type)!
        .searchParam.map((param) => param.name)
    assert.deepEqual(named('Patient'), ['_id', 'identifier', 'name', 'birthdate', 'gender'])
    assert.deepEqual(named('Observation'), ['patient', 'category', 'code', 'date'])
    assert.deepEqual(named('Practitioner'), ['_id', 'name', 'identifier'])
    assert.deepEqual(named('Organization'), ['_id', 'name', 'address', 'identifier'])

    for (const bad of [
      '/Patient?birthdate=21-06-1980',
      '/Patient?birthdate=1980-02-30',
      '/Patient?name=Alex&gender=woman',
      '/Patient?identifier=',
      `/Patient?name=${'x'.repeat(200)}`,
      `/Observation?patient=${alex}&date=yesterday`,
      `/Observation?patient=${alex}&date=ge2026-13-01`,
      `/Observation?patient=${alex}&code=|`,
      '/Practitioner?identifier=',
      '/Organization?address=',
      '/Organization?name[$gt]=x',
    ]) {
      const refused = await get(bad).expect(400)
      assertValidFhir(refused.body)
      assert.equal(refused.body.issue[0].code, 'invalid', bad)
    }
  })

  it('gives 404 for another member’s records, and audits the attempt naming the app', async () => {
    const patRecords = await services.db('claims').where({ member_id: pat }).pluck('id')
    const denied = await get(`/ExplanationOfBenefit/${patRecords[0]}`).expect(404)
    assertValidFhir(denied.body)
    await get(`/Patient/${pat}`).expect(404)
    await get(`/Observation?patient=${pat}`).expect(404)

    const audit = await services
      .db('audit_log')
      .where({
        actor_user_id: Number(JSON.parse(Buffer.from(tokens.id_token!.split('.')[1], 'base64url').toString()).sub),
      })
      .whereIn('action', ['claim.view-denied', 'patient.view-denied'])
      .select('action', 'target_id', 'app_client_id', 'subject_member_id')
    assert.ok(audit.some((row) => row.action === 'claim.view-denied' && row.target_id === String(patRecords[0])))
    assert.ok(audit.some((row) => row.action === 'patient.view-denied' && row.target_id === String(pat)))
    assert.ok(audit.every((row) => row.app_client_id === 'member-portal-mobile' && row.subject_member_id === alex))
  })

  it('audits every read like a page view, naming the app', async () => {
    const before = await services.db('audit_log').max<{ id: number }[]>({ id: 'id' }).first()
    await get(`/Immunization?patient=${alex}`).expect(200)
    await get(`/Observation?patient=${alex}`).expect(200)
    const rows = await services
      .db('audit_log')
      .where('id', '>', before?.id ?? 0)
      .select('action', 'app_client_id', 'subject_member_id')
    assert.deepEqual(
      rows.map((row) => [row.action, row.app_client_id, row.subject_member_id]),
      [
        ['immunization.list', 'member-portal-mobile', alex],
        ['lab-result.list', 'member-portal-mobile', alex],
      ],
    )
  })

  it('refuses a token scoped to Immunization on Observation with 403, and reads Immunization with it', async () => {
    const narrow = await tokensFor(app, await signedOnAgent(app), 'openid launch/patient patient/Immunization.rs')
    await get(`/Immunization?patient=${alex}`, narrow.access_token).expect(200)
    const refused = await get(`/Observation?patient=${alex}`, narrow.access_token).expect(403)
    assertValidFhir(refused.body)
    assert.equal(refused.body.issue[0].code, 'forbidden')
    assert.match(refused.headers['www-authenticate'], /insufficient_scope/)
    assert.equal(narrow.refresh_token, undefined, 'no offline_access, no refresh token')
  })

  it('keeps the proxy rules: a parent’s app reads a teen’s vaccinations but never the teen’s labs (404, audited)', async () => {
    const jordan = await memberIdOf(services.db, '11000005')
    const forTeen = await tokensFor(app, await signedOnAgent(app), undefined, jordan)
    assert.equal(forTeen.patient, String(jordan))
    const immunizations = await get(`/Immunization?patient=${jordan}`, forTeen.access_token).expect(200)
    assertValidFhir(immunizations.body)
    assert.ok(immunizations.body.total > 0, 'the teen’s vaccinations are there')
    for (const path of [
      `/Observation?patient=${jordan}`,
      `/MedicationRequest?patient=${jordan}`,
      `/Coverage?patient=${jordan}`,
    ]) {
      const refused = await get(path, forTeen.access_token).expect(404)
      assertValidFhir(refused.body)
    }
    const refusals = await services.db('audit_log').where({ subject_member_id: jordan, action: 'proxy-access.denied' })
    assert.ok(refusals.length >= 3, 'each refusal is audited')
    assert.deepEqual(
      [...new Set(refusals.map((row: { app_client_id: string | null }) => row.app_client_id))],
      [demoApp.clientId],
      'with the app that asked',
    )
    // The token names Jordan: Alex's own records are not reachable with it.
    await get(`/Observation?patient=${alex}`, forTeen.access_token).expect(404)
  })

  it('answers 401 with an OperationOutcome for no token, a made-up token and an expired one', async () => {
    for (const token of [undefined, 'not-a-token', 'x'.repeat(43)]) {
      const response = await fhirGet(app, `/Patient/${alex}`, token).expect(401)
      assertValidFhir(response.body)
      assert.match(response.headers['www-authenticate'], /invalid_token/)
    }
    const shortLived = createServices(
      createInfrastructure(loadConfig({ ...process.env, SMART_ACCESS_TOKEN_TTL_SECONDS: '1' })),
    )
    try {
      const shortApp = buildApp(shortLived)
      const brief = await tokensFor(shortApp, await signedOnAgent(shortApp))
      assert.equal(brief.expires_in, 1)
      await fhirGet(shortApp, `/Patient/${alex}`, brief.access_token).expect(200)
      await sleep(2100)
      await fhirGet(shortApp, `/Patient/${alex}`, brief.access_token).expect(401)
    } finally {
      await closeServices(shortLived)
    }
  })

  it('lists the app under "Apps with access"; taking access away fails the app’s next call and its refresh', async () => {
    const agent = await signedOnAgent(app)
    const own = await tokensFor(app, agent)
    await get(`/Patient/${alex}`, own.access_token).expect(200)

    const page = await agent.get('/account/apps').expect(200)
    const $ = cheerio.load(page.text)
    const cards = $('.app-card')
    assert.ok(cards.length >= 1)
    assert.match(cards.first().text(), /Member Portal mobile app/)
    assert.match(cards.first().text(), /Lab results, only once they are released/)
    const action = cards.first().find('form').attr('action')!
    const revoked = await agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text) })
      .expect(303)
    assert.equal(revoked.headers.location, '/account/apps')
    const after = await agent.get('/account/apps').expect(200)
    assert.match(after.text, /Member Portal mobile app no longer has access/)

    const grantId = await services
      .db('app_access')
      .where({ id: Number(action.split('/')[3]) })
      .first('grant_id', 'revoked_at')
    assert.ok(grantId.revoked_at)
    // The newest consent was listed first: it is the one just made here.
    await get(`/Patient/${alex}`, own.access_token).expect(401)
    const refused = await refresh(app, own.refresh_token!)
    assert.equal(refused.status, 400)
    assert.equal(refused.body.error, 'invalid_grant')
  })

  it('answers another member’s revoke with 404, and an unknown resource type with an OperationOutcome', async () => {
    const agent = await signedOnAgent(app, 'pat.rivera')
    const page = await agent.get('/account/apps').expect(200)
    const alexAccess = await services.db('app_access').where({ member_id: alex }).whereNull('revoked_at').first('id')
    const before = await lastAuditId(services.db)
    for (const id of [String(alexAccess.id), '999999', 'abc']) {
      await agent
        .post(`/account/apps/${id}/revoke`)
        .type('form')
        .send({ _csrf: csrfTokenIn(page.text) })
        .expect(404)
    }
    await get(`/Patient/${alex}`).expect(200)
    const attempts = (await auditRowsAfter(services.db, before)).filter((row) => row.action.startsWith('app-access'))
    assert.deepEqual(
      attempts.map((row) => [row.action, row.actor_user_id, row.target_id]),
      [
        ['app-access.revoke-denied', await userIdOf(services.db, 'pat.rivera'), String(alexAccess.id)],
        ['app-access.revoke-denied', await userIdOf(services.db, 'pat.rivera'), '999999'],
        ['app-access.revoke-denied', await userIdOf(services.db, 'pat.rivera'), 'abc'],
      ],
      'each attempt is audited as refused',
    )
    const unknown = await get('/Encounter?patient=1').expect(404)
    assertValidFhir(unknown.body)
    const written = await fhirGet(app, '/Patient').expect(401)
    assert.equal(written.body.resourceType, 'OperationOutcome')
    const posted = await supertest(app)
      .post('/fhir/R4/Patient')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .expect(405)
    assert.equal(posted.body.resourceType, 'OperationOutcome')
  })
})

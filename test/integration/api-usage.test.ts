import assert from 'node:assert/strict'
import { startOfPlanYear } from '../../src/ops/api-usage'
import { planDate } from '../../src/platform/dates'
import { errorSummary, signedOnAgent, useTestApp } from '../helpers/app'
import { memberIdOf, userIdOf } from '../helpers/records'
import { fhirGet, tokensFor } from '../helpers/smart'

describe('the CMS Patient Access API usage figures (ops)', () => {
  const { services, app } = useTestApp({ keepRedis: true })

  it('starts the year at midnight on January 1 in California', () => {
    assert.equal(startOfPlanYear(2027).toISOString(), '2027-01-01T08:00:00.000Z')
  })

  it('counts a scripted year: unique members an app received data for, and those it received it for more than once', async () => {
    const db = services.db
    const alexUser = await userIdOf(db, 'alex.rivera')
    const [alex, sam, jordan, pat, maria] = await Promise.all(
      ['11000003', '11000004', '11000005', '11000006', '11000001'].map((mrn) => memberIdOf(db, mrn)),
    )
    const appClient = 'member-portal-mobile'
    const row = (
      subject: number,
      action: string,
      at: string,
      requestId: string | null,
      client: string | null = appClient,
    ) => ({
      at: new Date(at),
      actor_user_id: alexUser,
      subject_member_id: subject,
      action,
      request_id: requestId,
      app_client_id: client,
    })
    await db('audit_log').insert([
      // Alex: two API requests in 2030, one of them reading claims and coverage (two rows, one transfer).
      row(alex, 'claim.list', '2030-03-01T17:00:00Z', 'r1'),
      row(alex, 'coverage.view', '2030-03-01T17:00:00Z', 'r1'),
      row(alex, 'lab-result.list', '2030-09-10T17:00:00Z', 'r2'),
      // Sam: one request that wrote two rows: once.
      row(sam, 'claim.view', '2030-05-05T17:00:00Z', 'r3'),
      row(sam, 'coverage.view', '2030-05-05T17:00:00Z', 'r3'),
      // Jordan: only refusals, which send nothing.
      row(jordan, 'lab-result.view-denied', '2030-06-01T17:00:00Z', 'r4'),
      row(jordan, 'proxy-access.denied', '2030-06-01T17:00:00Z', 'r5'),
      // Pat: pages in the portal, not an app; and a consent, which sends no data.
      row(pat, 'claim.list', '2030-07-01T17:00:00Z', 'r6', null),
      row(pat, 'app-access.grant', '2030-07-01T17:00:00Z', 'r7'),
      // Maria: 11:30 pm on December 31 in California is already January 1 in UTC: each counts in the year before.
      row(maria, 'patient.view', '2030-01-01T07:30:00Z', 'r8'),
      row(maria, 'patient.view', '2031-01-01T07:30:00Z', 'r9'),
    ])
    assert.deepEqual(await services.apiUsage.forYear(2030), {
      year: 2030,
      membersReached: 3,
      membersReachedMoreThanOnce: 1,
    })
    assert.deepEqual(await services.apiUsage.forYear(2029), {
      year: 2029,
      membersReached: 1,
      membersReachedMoreThanOnce: 0,
    })

    const ops = await signedOnAgent(app, 'ops.admin')
    const page = await ops.get('/ops/api-usage?year=2030').expect(200)
    assert.match(page.text, /id="members-reached">3</)
    assert.match(page.text, /id="members-reached-again">1</)
    const csv = await ops.get('/ops/api-usage.csv?year=2030').expect(200)
    assert.match(csv.headers['content-type'], /^text\/csv/)
    assert.match(csv.headers['content-disposition'], /patient-access-api-usage-2030\.csv/)
    assert.equal(
      csv.text,
      'year,unique_members_data_sent_to_app,unique_members_data_sent_to_app_more_than_once\r\n2030,3,1\r\n',
    )
  })

  it('counts a real app’s reads this year, and refuses a year that is not one with a message', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const year = Number(planDate(services.clock()).slice(0, 4))
    const before = await services.apiUsage.forYear(year)
    await fhirGet(app, `/Coverage?patient=${tokens.patient}`, tokens.access_token).expect(200)
    await fhirGet(app, `/Immunization?patient=${tokens.patient}`, tokens.access_token).expect(200)
    const after = await services.apiUsage.forYear(year)
    assert.equal(after.membersReached, Math.max(before.membersReached, 1))
    assert.equal(after.membersReachedMoreThanOnce, Math.max(before.membersReachedMoreThanOnce, 1))

    const ops = await signedOnAgent(app, 'ops.admin')
    for (const bad of ['20x7', '1999', '<script>', '9'.repeat(200)]) {
      const page = await ops.get('/ops/api-usage').query({ year: bad }).expect(400)
      assert.deepEqual(errorSummary(page.text), ['Enter a year from 2020 to 2100, like ' + year])
    }
    await ops.get('/ops/api-usage.csv?year=abc').expect(400)
    // Members get no figures.
    await (await signedOnAgent(app)).get('/ops/api-usage').expect(403)
  })
})

import assert from 'node:assert/strict'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { demoPassword, pageText, signedOnAgent, signOn, useTestApp } from '../helpers/app'
import { auditRowsAfter, claimsOf, labResultIds, lastAuditId, memberIdOf, userIdOf } from '../helpers/records'

describe('who may open the member tools, and the audit trail of every view', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { services, app } = useTestApp({ clock })
  let alex: { userId: number; memberId: number }
  let patLab: number
  let patClaim: number
  let alexLab: number
  let alexClaim: number

  const signedOn = (userId?: string) => signedOnAgent(app, userId)

  before(async () => {
    alex = { userId: await userIdOf(services.db, 'alex.rivera'), memberId: await memberIdOf(services.db, '11000003') }
    ;[patLab] = await labResultIds(services.db, '11000006', 'A1C')
    ;[alexLab] = await labResultIds(services.db, '11000003', 'LDL')
    patClaim = Number((await claimsOf(services.db, '11000006'))[0].id)
    alexClaim = Number((await claimsOf(services.db, '11000003'))[1].id)
  })

  const toolPages = () => [
    '/labs',
    `/labs/${alexLab}`,
    '/vaccinations',
    '/vaccinations/record.pdf',
    '/coverage',
    '/coverage/estimate',
    '/coverage/claims',
    `/coverage/claims/${alexClaim}`,
  ]

  it('sends a signed-out visitor to sign on, and back to the tool afterwards', async () => {
    for (const path of toolPages()) {
      const response = await supertest(app).get(path)
      assert.equal(response.status, 303, path)
      assert.equal(response.headers.location, '/sign-on', path)
    }
    const agent = supertest.agent(app)
    await agent.get('/coverage/claims')
    const signedOn = await signOn(agent, 'alex.rivera', demoPassword)
    assert.equal(signedOn.headers.location, '/coverage/claims')
  })

  it('refuses staff with 403: the member tools are for members', async () => {
    for (const userId of ['office.nurse', 'ops.admin', 'mailroom.clerk']) {
      const agent = await signedOn(userId)
      for (const path of toolPages()) {
        const response = await agent.get(path)
        assert.equal(response.status, 403, `${userId} ${path}`)
        assert.match(pageText(response.text), /You cannot open this page/)
      }
    }
  })

  it("gives 404 for another member's lab result and audits the attempt", async () => {
    const agent = await signedOn()
    const before = await lastAuditId(services.db)
    const response = await agent.get(`/labs/${patLab}`)
    assert.equal(response.status, 404)
    assert.match(pageText(response.text), /Page not found/)
    assert.doesNotMatch(response.text, /Hemoglobin A1c|7\.6/)
    assert.deepEqual(await auditRowsAfter(services.db, before), [
      {
        actor_user_id: alex.userId,
        subject_member_id: alex.memberId,
        action: 'lab-result.view-denied',
        target_type: 'lab-result',
        target_id: String(patLab),
        request_id: response.headers['x-request-id'],
      },
    ])
  })

  it("gives 404 for another member's claim and audits the attempt", async () => {
    const agent = await signedOn()
    const before = await lastAuditId(services.db)
    const response = await agent.get(`/coverage/claims/${patClaim}`)
    assert.equal(response.status, 404)
    const rows = await auditRowsAfter(services.db, before)
    assert.equal(rows.length, 1)
    assert.equal(rows[0].action, 'claim.view-denied')
    assert.equal(rows[0].target_id, String(patClaim))
    assert.equal(rows[0].actor_user_id, alex.userId)
  })

  it('gives the same 404 for ids that do not exist or are not ids, never an error', async () => {
    const agent = await signedOn()
    const missing = await agent.get('/labs/999999')
    const stranger = await agent.get(`/labs/${patLab}`)
    assert.equal(missing.status, 404)
    // The language switch returns to the address asked for, which is the only difference allowed.
    const page = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/href="\/language\?[^"]*"/g, '')
    assert.equal(page(missing.text), page(stranger.text), 'a stranger’s record and a missing one look the same')
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', encodeURIComponent("1' OR '1'='1")]) {
      assert.equal((await agent.get(`/labs/${id}`)).status, 404, id)
      assert.equal((await agent.get(`/coverage/claims/${id}`)).status, 404, id)
    }
  })

  it('writes an audit row for every view of health information, with who, for whom, what and the request id', async () => {
    const agent = await signedOn()
    const expected: [string, string, string | null][] = [
      ['/labs', 'lab-result.list', null],
      [`/labs/${alexLab}`, 'lab-result.view', String(alexLab)],
      ['/vaccinations', 'immunization.list', null],
      ['/vaccinations/record.pdf', 'immunization.pdf-download', null],
      ['/coverage', 'coverage.view', null],
      ['/coverage/estimate?service=mri-ct', 'cost-estimate.view', null],
      ['/coverage/claims', 'claim.list', null],
      [`/coverage/claims/${alexClaim}`, 'claim.view', String(alexClaim)],
    ]
    for (const [path, action, targetId] of expected) {
      const before = await lastAuditId(services.db)
      const response = await agent.get(path).expect(200)
      const rows = await auditRowsAfter(services.db, before)
      assert.equal(rows.length, 1, path)
      assert.equal(rows[0].action, action, path)
      assert.equal(rows[0].actor_user_id, alex.userId, path)
      assert.equal(rows[0].subject_member_id, alex.memberId, path)
      assert.equal(rows[0].target_id, targetId, path)
      assert.ok(rows[0].request_id, path)
      assert.equal(rows[0].request_id, response.headers['x-request-id'], path)
    }
  })

  it('keeps health pages out of caches', async () => {
    const agent = await signedOn()
    for (const path of toolPages()) {
      const response = await agent.get(path).expect(200)
      assert.equal(response.headers['cache-control'], 'no-store', path)
    }
  })
})

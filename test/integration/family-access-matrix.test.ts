import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import type { Response } from 'supertest'
import { memberTools, type SubjectPage } from '../../src/viewing/rules'
import { fixedClock } from '../../src/platform/clock'
import {
  type Agent,
  buildApp,
  closeServices,
  countRows,
  csrfTokenIn,
  resetWithDemoPlan,
  signedOnAgent,
  testServices,
} from '../helpers/app'
import { type AppRoute, appRoutes, bookDirectly, chooseMember, refillRequestFor } from '../helpers/family'
import { claimsOf, labResultIds, memberIdOf, userIdOf } from '../helpers/records'

type RouteScope = SubjectPage | 'own' | 'not a member page'

/**
 * Every route of the app belongs somewhere. The member tools and the member's home and access history show the
 * member chosen in "You are viewing"; account and family pages are the signed-on member's own; the rest are
 * not member pages. A route in a folder nobody has classified fails the test, so it cannot slip past.
 */
function scopeOf(path: string): RouteScope | undefined {
  const first = path.split('/')[1] ?? ''
  if ((memberTools as readonly string[]).includes(first)) return first as SubjectPage
  if (first === 'home' || first === 'access-history') return first
  if (['account', 'family', 'viewing'].includes(first)) return 'own'
  const notMemberPages = [
    '',
    'sign-on',
    'sign-out',
    'signed-out',
    'session',
    'register',
    'forgot-user-id',
    'forgot-password',
    'verify-email',
    'first-sign-on',
    'office',
    'ops',
    'mailroom',
    'healthz',
    'readyz',
    'metrics',
    'pharmacy',
    // The site's icon, the same for everyone.
    'favicon.ico',
    // The language switch and the language help and nondiscrimination notices, the same for everyone.
    'language',
    'language-assistance',
    'nondiscrimination',
    // The mobile app's side: the API answers bearer tokens, and the consent flow is keyed by its interaction.
    'fhir',
    'oauth',
    'connect-app',
    '.well-known',
    'oauth',
    // The site's icon, which browsers ask for on their own.
    'favicon.ico',
  ]
  return notMemberPages.includes(first) ? 'not a member page' : undefined
}

interface SubjectRecords {
  lab: number
  claim: number
  authorization: number
  appointment: number
  appointmentToCancel: number
  medication: number
  refillRequest: number
  thread: number
}

/** The address of a route with its `:id` naming one of the subject's own records of that kind. */
function addressFor(route: AppRoute, records: SubjectRecords): string {
  return route.path.replace(/:(\w+)/g, (_match, name: string) => {
    const first = route.path.split('/')[1]
    if (name === 'id' && first === 'labs') return String(records.lab)
    if (name === 'id' && first === 'coverage')
      return String(route.path.startsWith('/coverage/authorizations/') ? records.authorization : records.claim)
    if (name === 'id' && first === 'appointments')
      return String(
        route.method === 'post' && route.path.endsWith('/cancel') ? records.appointmentToCancel : records.appointment,
      )
    if (name === 'id' && first === 'prescriptions')
      return String(route.path.includes('/requests/') ? records.refillRequest : records.medication)
    if (name === 'id' && first === 'messages') return String(records.thread)
    // The signed-on member's own grants and connected apps: a number that is none of theirs.
    if (name === 'id' && (first === 'family' || first === 'account')) return '999999'
    throw new Error(`The matrix does not know which record :${name} names in ${route.path}: teach addressFor`)
  })
}

interface MatrixCase {
  name: string
  actor: 'alex.rivera' | 'pat.rivera'
  subject: () => number
  subjectName: string
  /** What the rules allow; 'cannot be chosen' when the switcher refuses the member outright. */
  allowed: readonly SubjectPage[] | 'cannot be chosen'
  setUp?: () => Promise<void>
  tearDown?: () => Promise<void>
  /** Puts the proxy back just before their access ended, then ends it: each request is the "next request". */
  beforeEachRequest?: (agent: Agent) => Promise<void>
}

describe('proxy access over every member route (listed from the app’s router)', function () {
  this.timeout(900_000)
  // 23:59:50 on 25 November in the plan's time zone: a grant's last day, or a 17-year-old's last day, ends 20 s on.
  const lastSecondsOfDay = new Date('2026-11-26T07:59:50Z')
  const clock = fixedClock(lastSecondsOfDay)
  const services = testServices({ clock })
  const app = buildApp(services)
  const member: Record<'alex' | 'sam' | 'jordan' | 'pat', number> = { alex: 0, sam: 0, jordan: 0, pat: 0 }
  const user: Record<'alex' | 'pat', number> = { alex: 0, pat: 0 }
  const records = new Map<number, SubjectRecords>()
  /** One of the member's prior authorizations: the demo's, or one made for a member the demo gives none. */
  async function authorizationOf(memberId: number): Promise<number> {
    const found = await services.db('prior_authorizations').where({ member_id: memberId }).first('id')
    if (found) return Number(found.id)
    const provider = await services.db('providers').first('id', 'clinic_id')
    const [id] = await services.db('prior_authorizations').insert({
      member_id: memberId,
      auth_number: `PA-MATRIX-${memberId}`,
      service_code: '97110',
      service_description: 'Physical therapy',
      ordering_provider_id: provider.id,
      servicing_clinic_id: provider.clinic_id,
      urgency: 'standard',
      status: 'pending',
      requested_at: clock(),
      units_requested: 4,
      status_changed_at: clock(),
    })
    return Number(id)
  }
  let patGrant: number
  let jordanBorn: string
  let routes: (AppRoute & { scope: RouteScope })[]

  /** A conversation of the member's with their doctor's office, as a parent would start it. */
  const threadFor = async (memberId: number) => {
    const viewing = { actorUserId: user.alex, memberId }
    const [department] = await services.messages.departments(viewing)
    const sent = await services.messages.send(viewing, {
      topic: 'doctor-question',
      department: String(department.id),
      subject: 'A question',
      body: 'Is this the right dose?',
      notUrgent: 'yes',
    })
    assert.ok(sent.ok)
    return sent.threadId
  }

  before(async () => {
    await resetWithDemoPlan(services, clock)
    member.alex = await memberIdOf(services.db, '11000003')
    member.sam = await memberIdOf(services.db, '11000004')
    member.jordan = await memberIdOf(services.db, '11000005')
    member.pat = await memberIdOf(services.db, '11000006')
    user.alex = await userIdOf(services.db, 'alex.rivera')
    user.pat = await userIdOf(services.db, 'pat.rivera')
    patGrant = Number((await services.db('proxy_grants').where({ grantor_member_id: member.pat }).first('id')).id)
    jordanBorn = String((await services.db('members').where({ id: member.jordan }).first('birth_date')).birth_date)
    for (const [mrn, id] of [
      ['11000003', member.alex],
      ['11000004', member.sam],
      ['11000005', member.jordan],
      ['11000006', member.pat],
    ] as const) {
      records.set(id, {
        lab: (
          await labResultIds(
            services.db,
            mrn,
            (await services.db('lab_results').where({ member_id: id }).first('test_code')).test_code,
          )
        )[0],
        claim: Number((await claimsOf(services.db, mrn))[0].id),
        authorization: await authorizationOf(id),
        appointment: await bookDirectly(services.db, id, clock(), 3),
        appointmentToCancel: await bookDirectly(services.db, id, clock(), 4),
        medication: Number(
          (await services.db('medications').where({ member_id: id, status: 'active' }).first('id')).id,
        ),
        refillRequest: await refillRequestFor(services.db, id, user.alex, clock()),
        thread: await threadFor(id),
      })
    }
    routes = appRoutes(app).map((route) => ({ ...route, scope: scopeOf(route.path) as RouteScope }))
  })
  beforeEach(() => clock.set(lastSecondsOfDay))
  after(() => closeServices(services))

  it('classifies every route the app has', () => {
    const unclassified = appRoutes(app).filter((route) => scopeOf(route.path) === undefined)
    assert.deepEqual(unclassified, [], 'a route nobody has classified: add its folder to scopeOf')
    const memberRoutes = routes.filter((route) => route.scope !== 'not a member page')
    for (const tool of memberTools)
      assert.ok(
        memberRoutes.some((route) => route.scope === tool && route.method === 'get'),
        `no ${tool} route found in the router`,
      )
    assert.ok(memberRoutes.some((route) => route.method === 'post' && route.scope === 'appointments'))
  })

  it('sends signed-out visitors to sign on from every member route, GET and POST', async () => {
    const visitor = (await import('supertest')).default.agent(app)
    const token = csrfTokenIn((await visitor.get('/sign-on')).text)
    for (const route of routes.filter((each) => each.scope !== 'not a member page')) {
      const address = addressFor(route, records.get(member.alex)!)
      const response =
        route.method === 'get'
          ? await visitor.get(address)
          : await visitor.post(address).type('form').send({ _csrf: token })
      assert.equal(response.status, 303, `${route.method} ${address}`)
      assert.equal(response.headers.location, '/sign-on', `${route.method} ${address}`)
    }
  })

  const allTools: SubjectPage[] = [...memberTools, 'home', 'access-history']

  const revokeAsPat = async () => {
    const pat = await signedOnAgent(app, 'pat.rivera')
    return async () => {
      const token = csrfTokenIn((await pat.get('/family')).text)
      const response = await pat.post(`/family/grants/${patGrant}/revoke`).type('form').send({ _csrf: token })
      assert.equal(response.status, 303)
    }
  }

  const cases: MatrixCase[] = [
    {
      name: 'themselves',
      actor: 'alex.rivera',
      subject: () => member.alex,
      subjectName: 'Alex Rivera',
      allowed: allTools,
    },
    {
      name: 'a parent for their child under 12',
      actor: 'alex.rivera',
      subject: () => member.sam,
      subjectName: 'Sam Rivera',
      allowed: allTools,
    },
    {
      name: 'a parent for their teen (12–17)',
      actor: 'alex.rivera',
      subject: () => member.jordan,
      subjectName: 'Jordan Rivera',
      allowed: ['vaccinations', 'appointments', 'messages', 'home'],
    },
    {
      name: 'an adult with a grant (appointments and prescriptions)',
      actor: 'alex.rivera',
      subject: () => member.pat,
      subjectName: 'Pat Rivera',
      allowed: ['appointments', 'prescriptions', 'home'],
    },
    {
      name: 'an adult without a grant',
      actor: 'pat.rivera',
      subject: () => member.alex,
      subjectName: 'Alex Rivera',
      allowed: 'cannot be chosen',
    },
    {
      name: 'a proxy whose grant was revoked',
      actor: 'alex.rivera',
      subject: () => member.pat,
      subjectName: 'Pat Rivera',
      allowed: [],
      beforeEachRequest: (() => {
        let revoke: (() => Promise<void>) | undefined
        return async (agent: Agent) => {
          revoke ??= await revokeAsPat()
          await services.db('proxy_grants').where({ id: patGrant }).update({ revoked_at: null })
          assert.equal((await chooseMember(agent, member.pat)).status, 303)
          await revoke()
        }
      })(),
      tearDown: async () => {
        await services.db('proxy_grants').where({ id: patGrant }).update({ revoked_at: null })
      },
    },
    {
      name: 'a proxy whose grant has expired',
      actor: 'alex.rivera',
      subject: () => member.pat,
      subjectName: 'Pat Rivera',
      allowed: [],
      setUp: async () => {
        await services.db('proxy_grants').where({ id: patGrant }).update({ ends_on: '2026-11-25' })
      },
      beforeEachRequest: async (agent) => {
        clock.set(lastSecondsOfDay)
        assert.equal((await chooseMember(agent, member.pat)).status, 303)
        clock.advance(20_000)
      },
      tearDown: async () => {
        await services.db('proxy_grants').where({ id: patGrant }).update({ ends_on: null })
      },
    },
    {
      name: 'a parent whose child has turned 18',
      actor: 'alex.rivera',
      subject: () => member.jordan,
      subjectName: 'Jordan Rivera',
      allowed: [],
      setUp: async () => {
        await services.db('members').where({ id: member.jordan }).update({ birth_date: '2008-11-26' })
      },
      beforeEachRequest: async (agent) => {
        clock.set(lastSecondsOfDay)
        assert.equal((await chooseMember(agent, member.jordan)).status, 303)
        clock.advance(20_000)
      },
      tearDown: async () => {
        await services.db('members').where({ id: member.jordan }).update({ birth_date: jordanBorn })
      },
    },
    {
      name: 'a stranger',
      actor: 'pat.rivera',
      subject: () => member.sam,
      subjectName: 'Sam Rivera',
      allowed: 'cannot be chosen',
    },
  ]

  const send = async (agent: Agent, route: AppRoute, address: string, token: string): Promise<Response> =>
    route.method === 'get' ? agent.get(address) : agent.post(address).type('form').send({ _csrf: token })

  const viewingLine = (html: string) => cheerio.load(html)('.viewing-current').text().replace(/\s+/g, ' ').trim()

  const deniedRows = (requestId: string) =>
    services
      .db('audit_log')
      .where({ request_id: requestId, action: 'proxy-access.denied' })
      .select('actor_user_id', 'subject_member_id')

  for (const matrixCase of cases) {
    it(`gives ${matrixCase.name} exactly what the rules allow on every member route, GET and POST`, async () => {
      await matrixCase.setUp?.()
      try {
        const agent = await signedOnAgent(app, matrixCase.actor)
        const actorUser = matrixCase.actor === 'alex.rivera' ? user.alex : user.pat
        const actorName = matrixCase.actor === 'alex.rivera' ? 'Alex Rivera' : 'Pat Rivera'
        const subject = matrixCase.subject()
        const subjectRecords = records.get(subject)!
        const token = csrfTokenIn((await agent.get('/family')).text)
        const before = {
          cancelled: await countRows(services.db, 'appointments', { member_id: subject, status: 'cancelled' }),
          refills: await countRows(services.db, 'refill_requests', { member_id: subject }),
          renewals: await countRows(services.db, 'renewal_requests', { member_id: subject }),
          messages: await countRows(services.db, 'message_threads', { member_id: subject }),
        }

        if (matrixCase.allowed === 'cannot be chosen') {
          const refused = await chooseMember(agent, subject)
          assert.equal(refused.status, 404, 'the switcher refuses the member')
          assert.equal((await deniedRows(refused.headers['x-request-id'])).length, 1, 'the refusal is audited')
        } else if (
          !matrixCase.beforeEachRequest &&
          subject !== member[matrixCase.actor === 'alex.rivera' ? 'alex' : 'pat']
        ) {
          assert.equal((await chooseMember(agent, subject)).status, 303)
        }

        const order = [...routes.filter((r) => r.method === 'get'), ...routes.filter((r) => r.method === 'post')]
        for (const route of order) {
          if (route.scope === 'not a member page') continue
          const address = addressFor(route, subjectRecords)
          const what = `${matrixCase.name}: ${route.method.toUpperCase()} ${address}`
          await matrixCase.beforeEachRequest?.(agent)
          const response = await send(agent, route, address, token)
          assert.ok(response.status < 500, `${what} answered ${response.status}`)
          const html = response.type === 'text/html'

          if (route.scope === 'own') {
            // An own page that names a record (a 2-step method to remove) is given a number that is none of theirs.
            if (route.method === 'get') assert.equal(response.status, route.path.includes(':') ? 404 : 200, what)
            continue
          }
          if (matrixCase.allowed === 'cannot be chosen') {
            // The member stays unchosen: a record of theirs is not found, and other pages are the actor's own.
            if (route.path.includes(':id')) assert.equal(response.status, 404, what)
            else if (html && response.status === 200)
              assert.equal(viewingLine(response.text), `You are viewing: ${actorName} (you)`, what)
            continue
          }
          if (matrixCase.allowed.includes(route.scope)) {
            assert.notEqual(response.status, 404, what)
            if (html && response.status === 200)
              assert.match(viewingLine(response.text), new RegExp(`^You are viewing: ${matrixCase.subjectName}`), what)
          } else {
            assert.equal(response.status, 404, what)
            const rows = await deniedRows(response.headers['x-request-id'])
            assert.deepEqual(rows, [{ actor_user_id: actorUser, subject_member_id: subject }], `${what}: audited`)
          }
        }

        if (matrixCase.allowed === 'cannot be chosen' || (matrixCase.allowed as SubjectPage[]).length === 0) {
          assert.deepEqual(
            {
              cancelled: await countRows(services.db, 'appointments', { member_id: subject, status: 'cancelled' }),
              refills: await countRows(services.db, 'refill_requests', { member_id: subject }),
              renewals: await countRows(services.db, 'renewal_requests', { member_id: subject }),
              messages: await countRows(services.db, 'message_threads', { member_id: subject }),
            },
            before,
            'nothing was done to the member’s records',
          )
        }
      } finally {
        await matrixCase.tearDown?.()
      }
    })
  }
})

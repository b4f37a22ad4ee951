import http from 'node:http'
import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import {
  buildApp,
  closeServices,
  csrfTokenIn,
  demoPassword,
  errorSummary,
  listen,
  pageText,
  signedOnAgent,
  signOn,
  submitForm,
  testServices,
  titleOf,
  useTestApp,
} from '../helpers/app'
import { lettersIn } from '../helpers/letters'
import { mariaCredentials } from '../helpers/registration'
import { memberIdOf, userIdOf } from '../helpers/records'
import {
  authorizeInBrowser,
  authorizeUrl,
  demoApp,
  exchangeCode,
  onPortal,
  fhirGet,
  fullScope,
  pkcePair,
  refresh,
  tokensFor,
} from '../helpers/smart'

describe('the mobile app signing on (SMART App Launch, standalone patient launch)', () => {
  const { services, app } = useTestApp({ keepRedis: true })

  it('publishes its SMART configuration with PKCE S256 only and the scopes per resource', async () => {
    const response = await supertest(app).get('/fhir/R4/.well-known/smart-configuration').expect(200)
    const body = response.body as Record<string, unknown>
    assert.deepEqual(body.code_challenge_methods_supported, ['S256'])
    assert.deepEqual(body.grant_types_supported, ['authorization_code', 'refresh_token'])
    assert.ok((body.scopes_supported as string[]).includes('patient/Observation.rs'))
    assert.ok((body.capabilities as string[]).includes('context-standalone-patient'))
    assert.match(String(body.token_endpoint), /\/oauth\/token$/)
    const discovery = await supertest(app).get('/oauth/.well-known/openid-configuration').expect(200)
    assert.deepEqual(discovery.body.response_types_supported, ['code'])
    assert.deepEqual(discovery.body.code_challenge_methods_supported, ['S256'])
  })

  it('builds every address it gives out from PUBLIC_URL, never from the Host header of the request', async () => {
    const publicUrl = services.config.publicUrl
    const hostile = { Host: 'attacker.example', 'X-Forwarded-Host': 'attacker.example' }
    const addressesIn = (body: unknown) => JSON.stringify(body).match(/https?:\/\/[^"/?]+/g) ?? []
    const smart = await supertest(app).get('/fhir/R4/.well-known/smart-configuration').set(hostile).expect(200)
    assert.equal(smart.body.token_endpoint, `${publicUrl}/oauth/token`)
    const discovery = await supertest(app).get('/oauth/.well-known/openid-configuration').set(hostile).expect(200)
    assert.equal(discovery.body.token_endpoint, `${publicUrl}/oauth/token`)
    assert.equal(discovery.body.userinfo_endpoint, `${publicUrl}/oauth/me`)
    const metadata = await supertest(app).get('/fhir/R4/metadata').set(hostile).expect(200)
    for (const body of [smart.body, discovery.body, metadata.body])
      assert.deepEqual(
        addressesIn(body).filter((address) => /attacker|127\.0\.0\.1/.test(address)),
        [],
        JSON.stringify(body).slice(0, 200),
      )
    // An absolute-form request line (`GET http://attacker.example/… HTTP/1.1`) names the host in another way.
    const { server, url } = await listen(app)
    try {
      const absoluteForm = await new Promise<string>((resolve, reject) => {
        const request = http.get(
          {
            host: '127.0.0.1',
            port: new URL(url).port,
            path: 'http://attacker.example/oauth/.well-known/openid-configuration',
          },
          (response) => {
            let text = ''
            response.on('data', (chunk: Buffer) => (text += chunk.toString()))
            response.on('end', () => resolve(text))
          },
        )
        request.on('error', reject)
      })
      assert.equal((JSON.parse(absoluteForm) as { token_endpoint: string }).token_endpoint, `${publicUrl}/oauth/token`)
    } finally {
      server.close()
    }

    // The FHIR API's links, and the redirect that resumes the sign-on after consent.
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const search = await fhirGet(app, `/Immunization?patient=${tokens.patient}&_count=1`, tokens.access_token)
      .set(hostile)
      .expect(200)
    assert.ok(search.body.link.length > 1)
    for (const link of search.body.link as { url: string }[]) assert.ok(link.url.startsWith(`${publicUrl}/fhir/R4/`))
    for (const entry of search.body.entry as { fullUrl: string }[])
      assert.ok(entry.fullUrl.startsWith(`${publicUrl}/fhir/R4/`))
    const agent = await signedOnAgent(app)
    let location = authorizeUrl({ challenge: pkcePair().challenge })
    const redirects: string[] = []
    for (let hop = 0; hop < 4; hop++) {
      const response = await agent.get(location).set('Host', 'attacker.example')
      if (!response.headers.location) break
      redirects.push(response.headers.location)
      location = onPortal(response.headers.location)
    }
    assert.ok(redirects.length > 1)
    assert.deepEqual(
      redirects.filter((each) => /attacker/.test(each)),
      [],
    )
  })

  it('reports every granted scope in the token response, on the code exchange and on each refresh', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const expected = fullScope.split(' ').sort()
    assert.deepEqual(tokens.scope.split(' ').sort(), expected)
    const refreshed = await refresh(app, tokens.refresh_token!).expect(200)
    assert.deepEqual(String(refreshed.body.scope).split(' ').sort(), expected)
    // Without offline_access there is no refresh token, and the scope says so.
    const online = await tokensFor(app, await signedOnAgent(app), fullScope.replace(' offline_access', ''))
    assert.equal(online.refresh_token, undefined)
    assert.ok(!online.scope.split(' ').includes('offline_access'))
    assert.ok(online.scope.split(' ').includes('openid'))
  })

  it('answers userinfo with the app’s access token when the member allowed openid, and refuses it otherwise', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const alex = await memberIdOf(services.db, '11000003')
    const sub = String(await userIdOf(services.db, 'alex.rivera'))
    const userinfo = await supertest(app).get('/oauth/me').set('Authorization', `Bearer ${tokens.access_token}`)
    assert.equal(userinfo.status, 200, userinfo.text)
    assert.equal(userinfo.headers['cache-control'], 'no-store')
    assert.deepEqual(userinfo.body, { sub, fhirUser: `${services.config.publicUrl}/fhir/R4/Patient/${alex}` })
    const posted = await supertest(app)
      .post('/oauth/me')
      .type('form')
      .send({ access_token: tokens.access_token })
      .expect(200)
    assert.equal(posted.body.sub, sub)

    const withoutFhirUser = await tokensFor(app, await signedOnAgent(app), fullScope.replace(' fhirUser', ''))
    const subOnly = await supertest(app)
      .get('/oauth/me')
      .set('Authorization', `Bearer ${withoutFhirUser.access_token}`)
      .expect(200)
    assert.deepEqual(subOnly.body, { sub })
    const withoutOpenid = await tokensFor(app, await signedOnAgent(app), fullScope.replace('openid ', ''))
    const refused = await supertest(app)
      .get('/oauth/me')
      .set('Authorization', `Bearer ${withoutOpenid.access_token}`)
      .expect(403)
    assert.match(String(refused.headers['www-authenticate']), /insufficient_scope/)
    const huge = await supertest(app)
      .post('/oauth/me')
      .type('form')
      .send({ access_token: 'x'.repeat(10_000) })
    assert.ok([401, 413].includes(huge.status), `a huge body answered ${huge.status}`)
    for (const authorization of ['Bearer made-up-token', `Bearer ${'x'.repeat(5000)}`, 'Basic abc', '']) {
      const answer = await supertest(app).get('/oauth/me').set('Authorization', authorization).expect(401)
      assert.match(String(answer.headers['www-authenticate']), /invalid_token/)
    }
  })

  it('sends a visitor who is not signed on to the portal sign-on page, naming the app', async () => {
    const agent = supertest.agent(app)
    const { challenge } = pkcePair()
    const start = await agent.get(authorizeUrl({ challenge })).expect(303)
    const interaction = await agent.get(onPortal(start.headers.location)).expect(303)
    assert.equal(interaction.headers.location, '/sign-on')
    const signOn = await agent.get('/sign-on').expect(200)
    assert.match(signOn.text, /Sign on to let Member Portal mobile app read your records/)
  })

  it('issues a code only with PKCE, and refuses the exchange without the verifier or with a wrong one', async () => {
    const agent = await signedOnAgent(app)
    const withoutChallenge = await agent.get(authorizeUrl({})).expect(303)
    assert.match(
      withoutChallenge.headers.location,
      /^org\.memberportal\.mobile:\/oauth\/callback\?error=invalid_request/,
    )

    const { verifier, challenge } = pkcePair()
    const missing = await authorizeInBrowser(agent, { challenge })
    const refusedMissing = await exchangeCode(app, missing.searchParams.get('code')!, undefined)
    assert.equal(refusedMissing.status, 400)
    assert.equal(refusedMissing.body.error, 'invalid_grant')

    const wrong = await authorizeInBrowser(agent, { challenge })
    const refusedWrong = await exchangeCode(app, wrong.searchParams.get('code')!, pkcePair().verifier)
    assert.equal(refusedWrong.status, 400)
    assert.equal(refusedWrong.body.error, 'invalid_grant')

    const right = await authorizeInBrowser(agent, { challenge })
    const accepted = await exchangeCode(app, right.searchParams.get('code')!, verifier)
    assert.equal(accepted.status, 200, accepted.text)
  })

  it('refuses the plain PKCE method and grants other than the code', async () => {
    const agent = await signedOnAgent(app)
    const plain = authorizeUrl({ challenge: 'a'.repeat(43) }).replace(
      'code_challenge_method=S256',
      'code_challenge_method=plain',
    )
    const response = await agent.get(plain).expect(303)
    assert.match(response.headers.location, /error=invalid_request/)
    const implicit = await agent
      .get(authorizeUrl({ challenge: pkcePair().challenge }).replace('response_type=code', 'response_type=token'))
      .expect(303)
    assert.match(implicit.headers.location, /error=unsupported_response_type/)
    const password = await supertest(app)
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alex.rivera', password: 'x', client_id: demoApp.clientId })
    assert.equal(password.status, 400)
    assert.equal(password.body.error, 'unsupported_grant_type')
  })

  it('gives the app the member as the patient in context, an ID token and a refresh token', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const alex = await memberIdOf(services.db, '11000003')
    assert.equal(tokens.patient, String(alex))
    assert.equal(tokens.token_type, 'Bearer')
    assert.ok(tokens.expires_in <= 600)
    assert.ok(tokens.refresh_token)
    const claims = JSON.parse(Buffer.from(tokens.id_token!.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >
    assert.equal(claims.sub, String(await userIdOf(services.db, 'alex.rivera')))
    assert.match(String(claims.fhirUser), new RegExp(`/fhir/R4/Patient/${alex}$`))
  })

  it('rotates refresh tokens: the new one works, the old one is refused', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    const first = await refresh(app, tokens.refresh_token!)
    assert.equal(first.status, 200, first.text)
    assert.notEqual(first.body.refresh_token, tokens.refresh_token)
    assert.equal(first.body.patient, tokens.patient)
    await fhirGet(app, `/Patient/${tokens.patient}`, first.body.access_token).expect(200)

    const reused = await refresh(app, tokens.refresh_token!)
    assert.equal(reused.status, 400)
    assert.equal(reused.body.error, 'invalid_grant')
  })

  it('takes a member signing on with a mailed temporary password through first sign-on, then on to the app', async function () {
    this.timeout(60_000)
    const patUser = await userIdOf(services.db, 'pat.rivera')
    await services.temporaryPasswords.requestLetter(patUser, await memberIdOf(services.db, '11000006'), 'recovery')
    const batch = await services.letterBatches.runBatch()
    assert.ok(batch)
    const letter = lettersIn(batch.directory).find((each) => each.userId === 'pat.rivera')!

    const agent = supertest.agent(app)
    const { verifier, challenge } = pkcePair()
    const start = await agent.get(authorizeUrl({ challenge })).expect(303)
    await agent.get(onPortal(start.headers.location)).expect(303)
    const signedOn = await signOn(agent, 'pat.rivera', letter.password)
    assert.match(signedOn.headers.location, /^\/connect-app\//)
    assert.equal((await agent.get(signedOn.headers.location)).headers.location, '/first-sign-on')
    const done = await submitForm(agent, '/first-sign-on', mariaCredentials)
    assert.equal(done.headers.location, signedOn.headers.location)

    const callback = await authorizeInBrowser(agent, { challenge, startAt: done.headers.location })
    const tokens = await exchangeCode(app, callback.searchParams.get('code')!, verifier).expect(200)
    assert.equal(tokens.body.patient, String(await memberIdOf(services.db, '11000006')))
  })

  it('keeps the portal’s lockout: a locked user ID cannot sign the app on, even with the right password', async () => {
    const agent = supertest.agent(app)
    for (let attempt = 0; attempt < 10; attempt++) await signOn(agent, 'alex.rivera', 'not the password at all')
    const { challenge } = pkcePair()
    const start = await agent.get(authorizeUrl({ challenge })).expect(303)
    await agent.get(onPortal(start.headers.location)).expect(303)
    const refused = await signOn(agent, 'alex.rivera', demoPassword)
    assert.equal(refused.status, 401)
    await services.throttle.clearAccount('alex.rivera')
  })

  it('tells staff that apps are for members, and a stale or made-up sign-on page to start again from the app', async () => {
    const staff = await signedOnAgent(app, 'ops.admin')
    const start = await staff.get(authorizeUrl({ challenge: pkcePair().challenge })).expect(303)
    const refused = await staff.get(onPortal(start.headers.location)).expect(403)
    assert.equal(titleOf(refused.text), 'Apps are for members – Member Portal')
    const stale = await (await signedOnAgent(app)).get('/connect-app/made-up-interaction').expect(400)
    assert.equal(titleOf(stale.text), 'Start again from the app – Member Portal')
    const anonymous = await supertest(app).post('/connect-app/made-up/consent').type('form').send({ decision: 'allow' })
    assert.equal(anonymous.status, 403, 'no CSRF token, nothing done')
  })

  it('refuses an authorization request naming another FHIR server, or a redirect URI the app did not register', async () => {
    const agent = await signedOnAgent(app)
    const otherServer = await agent.get(
      authorizeUrl({ challenge: pkcePair().challenge, aud: 'https://elsewhere.example/fhir' }),
    )
    const refused = errorAtApp(otherServer)
    assert.equal(refused.get('error'), 'invalid_target')
    assert.match(refused.get('error_description') ?? '', /not this one/)
    assert.equal(refused.get('code'), null)
    const hostile = await agent.get(
      authorizeUrl({ challenge: pkcePair().challenge }).replace(
        encodeURIComponent(demoApp.redirectUri),
        encodeURIComponent('https://attacker.example/cb'),
      ),
    )
    assert.equal(hostile.status, 400)
    assert.doesNotMatch(hostile.headers.location ?? '', /attacker/)
  })

  /** The error the authorization server sent back to the app's redirect URI (RFC 6749 §4.1.2.1). */
  function errorAtApp(response: { status: number; headers: Record<string, string> }): URLSearchParams {
    assert.equal(response.status, 303)
    const location = response.headers.location
    assert.ok(location.startsWith(`${demoApp.redirectUri}?`), location)
    return new URL(location).searchParams
  }

  it('refuses an authorization request without aud, by GET or by POST (SMART App Launch 2.0 requires it)', async () => {
    const agent = await signedOnAgent(app)
    for (const aud of [null, '']) {
      const response = await agent.get(authorizeUrl({ challenge: pkcePair().challenge, aud }))
      const refused = errorAtApp(response)
      assert.equal(refused.get('error'), 'invalid_request', String(aud))
      assert.match(refused.get('error_description') ?? '', /aud is required/)
      assert.equal(refused.get('state'), 'state-1')
    }
    const form = Object.fromEntries(
      new URL(authorizeUrl({ challenge: pkcePair().challenge }), 'http://portal').searchParams,
    )
    const { aud, ...withoutAud } = form
    assert.ok(aud)
    assert.equal(
      errorAtApp(await agent.post('/oauth/auth').type('form').send(withoutAud)).get('error'),
      'invalid_request',
    )
    // The same request by POST with aud goes on to the portal's pages.
    const posted = await agent.post('/oauth/auth').type('form').send(form)
    assert.equal(posted.status, 303)
    assert.match(posted.headers.location, /\/connect-app\//)
  })

  it('refuses a redirect URI that is the registered one only once parsed: a trailing space, %00, another case', async () => {
    const agent = await signedOnAgent(app)
    for (const spelled of [
      `${demoApp.redirectUri} `,
      `${demoApp.redirectUri}\u0000`,
      `${demoApp.redirectUri}\t`,
      ` ${demoApp.redirectUri}`,
      demoApp.redirectUri.replace('org.', 'ORG.'),
    ]) {
      const response = await agent.get(
        authorizeUrl({ challenge: pkcePair().challenge }).replace(
          encodeURIComponent(demoApp.redirectUri),
          encodeURIComponent(spelled),
        ),
      )
      assert.equal(response.status, 400, JSON.stringify(spelled))
      assert.equal(response.headers.location, undefined, 'nothing is sent to the app')
      assert.equal(titleOf(response.text), 'The app could not connect – Member Portal')
    }
  })

  it('answers a wrong, missing, huge or hostile choice on the patient picker with the error summary, never a 500', async () => {
    const agent = await signedOnAgent(app)
    const start = await agent.get(authorizeUrl({ challenge: pkcePair().challenge })).expect(303)
    const interaction = onPortal(start.headers.location)
    const toResume = await agent.get(interaction).expect(303)
    const toConsent = await agent.get(onPortal(toResume.headers.location)).expect(303)
    const consentPage = onPortal(toConsent.headers.location)
    const picker = await agent.get(`${consentPage}/patient`).expect(200)
    assert.equal(titleOf(picker.text), 'Whose records should Member Portal mobile app read? – Member Portal')
    // Someone Alex acts for in no way (Pat, who granted Alex some tools, is a fair choice now).
    const stranger = String(await memberIdOf(services.db, '11000001'))
    for (const patient of ['', stranger, "1' OR '1'='1", '9'.repeat(5000), '<script>alert(1)</script>']) {
      const refused = await agent
        .post(`${consentPage}/patient`)
        .type('form')
        .send({ _csrf: csrfTokenIn(picker.text), patient })
      assert.equal(refused.status, 400, `patient=${patient.slice(0, 20)}`)
      assert.equal(titleOf(refused.text), 'Error: Whose records should Member Portal mobile app read? – Member Portal')
      assert.deepEqual(errorSummary(refused.text), ['Choose whose records the app should read'])
    }
  })

  it('offers an app for a teen only what the parent may see for the teen, and names what it will not get', async () => {
    const agent = await signedOnAgent(app)
    const jordan = String(await memberIdOf(services.db, '11000005'))
    const start = await agent.get(authorizeUrl({ challenge: pkcePair().challenge })).expect(303)
    const toResume = await agent.get(onPortal(start.headers.location)).expect(303)
    const consentPage = onPortal((await agent.get(onPortal(toResume.headers.location)).expect(303)).headers.location)
    const picker = await agent.get(`${consentPage}/patient`).expect(200)
    await agent
      .post(`${consentPage}/patient`)
      .type('form')
      .send({ _csrf: csrfTokenIn(picker.text), patient: jordan })
      .expect(303)
    const consent = await agent.get(consentPage).expect(200)
    assert.equal(titleOf(consent.text), 'Let Member Portal mobile app read Jordan Rivera’s records – Member Portal')
    const items = (selector: string) => {
      const $ = cheerio.load(consent.text)
      return $(selector)
        .map((_index, item) => $(item).text().trim())
        .get()
    }
    assert.deepEqual(items('main ul:not(#withheld) li'), [
      'Name, date of birth and member number',
      'Vaccinations',
      'Appointments',
      'The doctors named in these records',
      'The clinics and the health plan named in these records',
    ])
    assert.match(pageText(consent.text), /which it will not get, because they are not yours to see for Jordan Rivera/)
    assert.deepEqual(items('#withheld li'), [
      'Lab results, only once they are released to be seen online',
      'Health plan and coverage',
      'Claims: what was billed, what the plan paid and what is owed',
      'Prescriptions',
    ])
    await agent
      .post(`${consentPage}/consent`)
      .type('form')
      .send({ _csrf: csrfTokenIn(consent.text), decision: 'allow' })
      .expect(303)
    const access = await services.db('app_access').where({ member_id: jordan }).orderBy('id', 'desc').first()
    assert.deepEqual(
      String(access.scope)
        .split(' ')
        .filter((scope) => scope.startsWith('patient/')),
      [
        'patient/Patient.rs',
        'patient/Immunization.rs',
        'patient/Appointment.rs',
        'patient/Practitioner.rs',
        'patient/Organization.rs',
      ],
    )
  })

  it('lets the app sign itself out: revoking its refresh token ends the grant, and the member’s list drops it', async () => {
    const tokens = await tokensFor(app, await signedOnAgent(app))
    await supertest(app)
      .post('/oauth/token/revocation')
      .type('form')
      .send({ token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: demoApp.clientId })
      .expect(200)
    await fhirGet(app, `/Patient/${tokens.patient}`, tokens.access_token).expect(401)
    const grants = await services.db('app_access').whereNotNull('revoked_at').count<{ n: number }[]>({ n: '*' })
    assert.ok(Number(grants[0].n) >= 1)
  })

  it('lets any web process serve any step: sign-on on one, code exchange, API and refresh on another', async () => {
    const other = testServices()
    try {
      const otherApp = buildApp(other)
      const { verifier, challenge } = pkcePair()
      const callback = await authorizeInBrowser(await signedOnAgent(app), { challenge })
      const tokens = await exchangeCode(otherApp, callback.searchParams.get('code')!, verifier).expect(200)
      await fhirGet(app, `/Patient/${tokens.body.patient}`, tokens.body.access_token).expect(200)
      const refreshed = await refresh(otherApp, tokens.body.refresh_token).expect(200)
      await fhirGet(app, `/Patient/${tokens.body.patient}`, refreshed.body.access_token).expect(200)
      // Both processes sign with the one key kept in the database.
      const kids = await Promise.all(
        [app, otherApp].map(async (each) => (await supertest(each).get('/oauth/jwks').expect(200)).body.keys[0].kid),
      )
      assert.equal(kids[0], kids[1])
      const header = JSON.parse(Buffer.from(String(tokens.body.id_token).split('.')[0], 'base64url').toString())
      assert.equal(header.kid, kids[0])
    } finally {
      await closeServices(other)
    }
  })

  it('hands "access denied" to the app when the member does not allow it, and issues nothing', async () => {
    const agent = await signedOnAgent(app)
    const callback = await authorizeInBrowser(agent, { challenge: pkcePair().challenge, decision: 'deny' })
    assert.equal(callback.searchParams.get('error'), 'access_denied')
    assert.equal(callback.searchParams.get('code'), null)
  })

  it('asks whose records and for consent in Spanish for a member who reads Spanish, the app’s name as it is', async () => {
    const agent = await signedOnAgent(app)
    await agent.get('/language?to=es').expect(303)
    const jordan = String(await memberIdOf(services.db, '11000005'))
    const start = await agent.get(authorizeUrl({ challenge: pkcePair().challenge })).expect(303)
    const toResume = await agent.get(onPortal(start.headers.location)).expect(303)
    const consentPage = onPortal((await agent.get(onPortal(toResume.headers.location)).expect(303)).headers.location)
    const picker = await agent.get(`${consentPage}/patient`).expect(200)
    assert.equal(cheerio.load(picker.text)('html').attr('lang'), 'es')
    assert.equal(
      titleOf(picker.text),
      '¿De quién son los registros que Member Portal mobile app debe leer? – Member Portal',
    )
    assert.match(pageText(picker.text), /Alex Rivera \(usted\)/)
    const refused = await agent
      .post(`${consentPage}/patient`)
      .type('form')
      .send({ _csrf: csrfTokenIn(picker.text), patient: '' })
      .expect(400)
    assert.deepEqual(errorSummary(refused.text), ['Elija de quién son los registros que la aplicación debe leer'])
    await agent
      .post(`${consentPage}/patient`)
      .type('form')
      .send({ _csrf: csrfTokenIn(picker.text), patient: jordan })
      .expect(303)
    const consent = await agent.get(consentPage).expect(200)
    const $ = cheerio.load(consent.text)
    assert.equal($('h1').text(), '¿Permitir que Member Portal mobile app lea los registros de Jordan Rivera?')
    assert.deepEqual(
      $('main ul:not(#withheld) li')
        .map((_i, item) => $(item).text().trim())
        .get(),
      [
        'Nombre, fecha de nacimiento y número de miembro',
        'Vacunas',
        'Citas',
        'Los médicos nombrados en estos registros',
        'Las clínicas y el plan de salud nombrados en estos registros',
      ],
    )
    assert.ok($('#withheld li').text().includes('Resultados de laboratorio'))
    assert.deepEqual(
      $('.button-group button')
        .map((_i, button) => $(button).text())
        .get(),
      ['Permitir', 'No permitir'],
    )
  })
})

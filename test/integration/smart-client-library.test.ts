import assert from 'node:assert/strict'
import type { IncomingMessage, ServerResponse } from 'node:http'
import NodeAdapter from 'fhirclient/lib/adapters/NodeAdapter'
import type Client from 'fhirclient/lib/Client'
import type { fhirclient } from 'fhirclient/lib/types'
import supertest from 'supertest'
import type { Services } from '../../src/services'
import {
  buildApp,
  closeServices,
  demoPassword,
  openServer,
  resetWithDemoPlan,
  signOn,
  testServicesAt,
} from '../helpers/app'
import { assertValidFhir } from '../helpers/fhir-validation'
import { memberIdOf } from '../helpers/records'
import { authorizeInBrowser, demoApp, fullScope, onPortal } from '../helpers/smart'

/** Access tokens this short let the app's refresh be tested in seconds rather than the 10 minutes of production. */
const accessTokenSeconds = 4

/**
 * The app's side, as an app built on fhirclient's Node adapter runs it: each step is one request to the app (its
 * launch page, then the redirect URI the system browser hands back), and the library keeps its state between
 * them in the app's storage. Only the app's own incoming request is made up here; every call to the portal is
 * the library's own, over HTTP.
 */
function appRequest(path: string, storage: fhirclient.Storage) {
  const redirect = { location: '' }
  const request = { url: path, headers: { host: 'app.invalid' }, socket: {} } as unknown as IncomingMessage
  const response = {
    writeHead: (_status: number, headers: { location: string }) => (redirect.location = headers.location),
    end: () => undefined,
  } as unknown as ServerResponse
  // A public client: the library sends its client id with a refresh only when told to (its documented option).
  const options = { request, response, storage, refreshTokenWithClientId: true }
  return { smart: new NodeAdapter(options).getSmartApi(), redirect }
}

/** The app's storage (fhirclient.Storage), kept in memory as a small app might. */
function memoryStorage(): fhirclient.Storage {
  const values = new Map<string, unknown>()
  return {
    get: async (key: string) => values.get(key),
    set: async (key: string, value: unknown) => void values.set(key, value),
    unset: async (key: string) => values.delete(key),
  }
}

/** Whether the portal refuses the access token within 15 seconds (it lives `accessTokenSeconds`). */
async function expiredAtThePortal(url: string, accessToken: string, patient: string) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const answer = await supertest(url).get(`/fhir/R4/Patient/${patient}`).set('Authorization', `Bearer ${accessToken}`)
    if (answer.status === 401) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

describe('an app built on fhirclient (SMART’s own JavaScript client library) against the portal', () => {
  let portal: Awaited<ReturnType<typeof openServer>>
  let services: Services

  before(async () => {
    portal = await openServer()
    services = testServicesAt(portal.url, (config) => ({
      ...config,
      smart: { ...config.smart, accessTokenTtlSeconds: accessTokenSeconds },
    }))
    await resetWithDemoPlan(services)
    portal.serve(buildApp(services))
  })

  after(async () => {
    portal.server.close()
    await closeServices(services)
  })

  it('launches standalone through sign-on and consent, reads the patient, and refreshes once the token has expired', async function () {
    this.timeout(60_000)
    const storage = memoryStorage()
    const alex = String(await memberIdOf(services.db, '11000003'))

    // The app's launch: the library reads the portal's SMART discovery and sends the system browser to sign on.
    const launch = appRequest('/launch', storage)
    await launch.smart.authorize({
      iss: `${portal.url}/fhir/R4`,
      clientId: demoApp.clientId,
      redirectUri: demoApp.redirectUri,
      scope: fullScope,
      pkceMode: 'required',
    })
    const authorize = new URL(launch.redirect.location)
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${portal.url}/oauth/auth`)
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
    assert.equal(authorize.searchParams.get('aud'), `${portal.url}/fhir/R4`)

    // The system browser: the portal's sign-on page, whose records (Alex's own), consent.
    const browser = supertest.agent(portal.url)
    assert.equal((await signOn(browser, 'alex.rivera', demoPassword)).status, 303)
    const callback = await authorizeInBrowser(browser, { challenge: '', startAt: onPortal(authorize.href) })

    // The operating system hands the redirect URI to the app; the library exchanges the code.
    const back = appRequest(`${callback.pathname}${callback.search}`, storage)
    const client: Client = await back.smart.ready()
    const granted = String(client.state.tokenResponse?.scope).split(' ')
    for (const scope of ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'patient/Patient.rs'])
      assert.ok(granted.includes(scope), `${scope} missing from the token response's scope: ${granted.join(' ')}`)
    assert.equal(client.patient.id, alex)
    assert.equal(client.getFhirUser(), `Patient/${alex}`)

    // A read with the first access token, as the library makes it.
    const record = (await client.request(`Patient/${alex}`, { useRefreshToken: false })) as Record<string, unknown>
    assertValidFhir(record)
    assert.equal(record.id, alex)
    assert.equal((record.name as { text: string }[])[0].text, 'Alex Rivera')

    // The portal lets the first access token lapse; the library's next request refreshes first, then reads.
    const first = { ...client.state.tokenResponse }
    assert.ok(await expiredAtThePortal(portal.url, String(first.access_token), alex), 'never expired')
    const vaccinations = (await client.request(`Immunization?patient=${alex}`)) as Record<string, unknown>
    assertValidFhir(vaccinations)
    assert.equal(vaccinations.resourceType, 'Bundle')
    assert.notEqual(client.state.tokenResponse?.access_token, first.access_token)
    assert.notEqual(client.state.tokenResponse?.refresh_token, first.refresh_token)
    assert.ok(String(client.state.tokenResponse?.scope).split(' ').includes('offline_access'))
    assert.equal((await client.patient.read()).id, alex)
  })
})

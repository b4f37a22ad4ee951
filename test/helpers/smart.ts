import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import type { Express } from 'express'
import supertest from 'supertest'
import { Agent, csrfTokenIn } from './app'
import { loadConfig } from '../../src/config'
import { fhirResourceTypes } from '../../src/smart/scopes'

export const demoApp = { clientId: 'member-portal-mobile', redirectUri: 'org.memberportal.mobile:/oauth/callback' }

export const allResourceScopes = fhirResourceTypes.map((type) => `patient/${type}.rs`)

export const fullScope = ['openid', 'fhirUser', 'offline_access', 'launch/patient', ...allResourceScopes].join(' ')

/** A PKCE verifier and its S256 challenge, as the app makes them. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** The FHIR server the app names as `aud`: the portal's public address, as its discovery document gives it. */
export const fhirServer = `${loadConfig().publicUrl}/fhir/R4`

/** The authorization request the app opens in the system browser; `aud: null` leaves `aud` out. */
export function authorizeUrl(
  options: { scope?: string; challenge?: string; state?: string; aud?: string | null } = {},
): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: demoApp.clientId,
    redirect_uri: demoApp.redirectUri,
    scope: options.scope ?? fullScope,
    state: options.state ?? 'state-1',
  })
  if (options.challenge) {
    params.set('code_challenge', options.challenge)
    params.set('code_challenge_method', 'S256')
  }
  if (options.aud !== null) params.set('aud', options.aud ?? fhirServer)
  return `/oauth/auth?${params.toString()}`
}

/** A redirect's target as a path on the portal (the provider answers with absolute addresses). */
export function onPortal(location: string): string {
  if (!/^https?:/.test(location)) return location
  const url = new URL(location)
  return `${url.pathname}${url.search}`
}

/**
 * A signed-on browser through the authorization request: it follows each redirect until the consent page, sends
 * it, and follows on to the app's redirect URI. Returns the code and state handed to the app.
 */
export async function authorizeInBrowser(
  agent: Agent,
  options: { scope?: string; challenge: string; decision?: 'allow' | 'deny'; patient?: string; startAt?: string },
): Promise<URL> {
  let location = options.startAt ?? authorizeUrl({ scope: options.scope, challenge: options.challenge })
  for (let hop = 0; hop < 10; hop++) {
    if (location.startsWith(demoApp.redirectUri)) return new URL(location)
    const response = await agent.get(location)
    if (response.status === 303 || response.status === 302) {
      location = onPortal(response.headers.location)
      continue
    }
    assert.equal(response.status, 200, `${location} answered ${response.status}: ${response.text.slice(0, 300)}`)
    const path = new URL(location, 'http://portal').pathname
    if (path.endsWith('/patient')) {
      const posted = await agent
        .post(path)
        .type('form')
        // The member themselves (listed first) unless the test names someone they act for.
        .send({
          _csrf: csrfTokenIn(response.text),
          patient: options.patient ?? /id="patient" name="patient" type="radio" value="(\d+)"/.exec(response.text)?.[1],
        })
      assert.equal(posted.status, 303)
      location = onPortal(posted.headers.location)
      continue
    }
    const posted = await agent
      .post(`${path}/consent`)
      .type('form')
      .send({ _csrf: csrfTokenIn(response.text), decision: options.decision ?? 'allow' })
    assert.equal(posted.status, 303, posted.text.slice(0, 300))
    location = onPortal(posted.headers.location)
  }
  throw new Error('The authorization request never reached the app')
}

export interface TokenResponse {
  access_token: string
  refresh_token?: string
  id_token?: string
  token_type: string
  expires_in: number
  scope: string
  patient?: string
}

/** The app's token request: a public client, so only its client id and the PKCE verifier prove it. */
export function exchangeCode(app: Express, code: string, verifier: string | undefined) {
  return supertest(app)
    .post('/oauth/token')
    .type('form')
    .send({
      grant_type: 'authorization_code',
      code,
      redirect_uri: demoApp.redirectUri,
      client_id: demoApp.clientId,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
    })
}

export function refresh(app: Express, refreshToken: string) {
  return supertest(app)
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: demoApp.clientId })
}

/** Signs on in the browser and exchanges the code: the tokens an app holds after activation. */
export async function tokensFor(
  app: Express,
  agent: Agent,
  scope = fullScope,
  patient?: number,
): Promise<TokenResponse> {
  const { verifier, challenge } = pkcePair()
  const callback = await authorizeInBrowser(agent, {
    scope,
    challenge,
    patient: patient === undefined ? undefined : String(patient),
  })
  const code = callback.searchParams.get('code')
  assert.ok(code, `no code in ${callback.href}`)
  const response = await exchangeCode(app, code, verifier)
  assert.equal(response.status, 200, response.text)
  return response.body as TokenResponse
}

export function fhirGet(app: Express, path: string, accessToken?: string) {
  const request = supertest(app).get(`/fhir/R4${path}`)
  return accessToken ? request.set('Authorization', `Bearer ${accessToken}`) : request
}

import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto'
import type { RequestHandler } from 'express'
import type { Redis } from 'ioredis'
import Provider, { errors, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider'
import type { UserLookup } from '../accounts/users'
import type { Clock } from '../platform/clock'
import type { Logger } from '../platform/logger'
import type { AppRegistration } from './clients'
import { redisAdapterFactory } from './redis-adapter'
import type { SmartRepository } from './repository'
import { grantedScope, launchScopes, resourceScopes } from './scopes'
import type { ConnectedAppService } from './service'

export interface AuthorizationServerOptions {
  publicUrl: string
  redisPrefix: string
  sessionSecret: string
  behindTls: boolean
  accessTokenTtlSeconds: number
  refreshTokenTtlDays: number
}

/** What userinfo answers: the claims, or the RFC 6750 error for the bearer token. */
export type UserinfoAnswer =
  { claims: { sub: string; fhirUser?: string } } | { error: 'invalid_token' | 'insufficient_scope' }

export const oauthPath = '/oauth'
export const fhirBasePath = '/fhir/R4'
export const interactionPath = '/connect-app'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

/**
 * The OAuth 2.0 authorization server the mobile app signs on through (oidc-provider): authorization code with
 * PKCE (S256) for public native clients only, the portal's own sign-on and consent pages for the interaction,
 * short-lived opaque access tokens for the FHIR API, rotating refresh tokens, and revocation. Grants and tokens
 * live in Redis and the signing key in MySQL, so any web process serves any step. Built on first use, because
 * the signing key is read from (or first written to) the database.
 */
export class AuthorizationServer {
  private built?: Promise<{ provider: Provider; handler: ReturnType<Provider['callback']> }>

  constructor(
    private readonly deps: {
      options: AuthorizationServerOptions
      apps: AppRegistration[]
      repository: SmartRepository
      users: UserLookup
      connectedApps: ConnectedAppService
      redis: Redis
      clock: Clock
      logger: Logger
    },
  ) {}

  /** The portal's public address (PUBLIC_URL): the only origin any address the portal gives out is made from. */
  get publicUrl(): string {
    return this.deps.options.publicUrl
  }

  /** The resource indicator (audience) of the FHIR API's access tokens. */
  get fhirResource(): string {
    return `${this.deps.options.publicUrl}${fhirBasePath}`
  }

  get issuer(): string {
    return `${this.deps.options.publicUrl}${oauthPath}`
  }

  provider(): Promise<Provider> {
    return this.build().then((built) => built.provider)
  }

  /** The provider's own endpoints, for `app.use(oauthPath, …)`. */
  handler(): RequestHandler {
    return (req, res, next) => {
      this.build()
        .then(({ handler }) => handler(req, res))
        .catch(next)
    }
  }

  /** Deletes every code, access and refresh token of the grant, and the grant itself. */
  async revokeGrant(grantId: string): Promise<void> {
    const provider = await this.provider()
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.Grant.adapter.destroy(grantId),
    ])
  }

  /** An access token presented to the API: the stored token while it lasts, or undefined. */
  async findAccessToken(token: string) {
    const provider = await this.provider()
    const accessToken = await provider.AccessToken.find(token)
    if (!accessToken || accessToken.isExpired) return undefined
    return accessToken
  }

  /**
   * OpenID Connect userinfo (Core §5.3) for an app's access token. The provider's own endpoint refuses every token
   * bound to a resource server, and the app's tokens are bound to the FHIR API; the grant behind the token says
   * whether the member allowed `openid` (and `fhirUser`) on the consent page.
   */
  async userinfo(token: string): Promise<UserinfoAnswer> {
    const accessToken = await this.findAccessToken(token)
    const provider = await this.provider()
    const grant = accessToken?.grantId ? await provider.Grant.find(accessToken.grantId) : undefined
    if (!accessToken || !grant || grant.accountId !== accessToken.accountId || grant.clientId !== accessToken.clientId)
      return { error: 'invalid_token' }
    const granted = grant.getOIDCScope().split(' ')
    if (!granted.includes('openid')) return { error: 'insufficient_scope' }
    const claims = await this.accountClaims(accessToken.accountId)
    if (!claims) return { error: 'invalid_token' }
    return { claims: granted.includes('fhirUser') ? claims : { sub: claims.sub } }
  }

  /** The claims about a signed-on member: `sub` (the user) and `fhirUser` (their own Patient); members only. */
  private async accountClaims(sub: string): Promise<{ sub: string; fhirUser: string } | undefined> {
    const user = /^\d{1,10}$/.test(sub) ? await this.deps.users.findById(Number(sub)) : undefined
    if (!user || user.role !== 'member' || !user.member_id) return undefined
    return { sub, fhirUser: `${this.fhirResource}/Patient/${user.member_id}` }
  }

  private build() {
    this.built ??= this.create().catch((error: unknown) => {
      this.built = undefined
      throw error
    })
    return this.built
  }

  private async signingKey(): Promise<JWK> {
    const { repository, clock } = this.deps
    let [current] = await repository.signingKeys()
    if (!current) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const kid = randomUUID()
      const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
      await repository.addSigningKey({ kid, privateJwk: JSON.stringify(jwk), at: clock() })
      ;[current] = await repository.signingKeys()
    }
    return JSON.parse(current.privateJwk) as JWK
  }

  private async create() {
    const { options, apps, connectedApps, redis, clock, logger } = this.deps
    const fhirResource = this.fhirResource
    const configuration: Configuration = {
      adapter: redisAdapterFactory(redis, options.redisPrefix, clock),
      clients: apps.map((app) => ({
        client_id: app.client_id,
        client_name: app.client_name,
        redirect_uris: app.redirect_uris,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      })),
      jwks: { keys: [await this.signingKey()] },
      cookies: {
        // Derived from the session secret, so every web process signs and reads the same cookies.
        keys: [createHash('sha256').update(`oidc-cookies:${options.sessionSecret}`).digest('base64url')],
      },
      responseTypes: ['code'],
      pkce: { methods: ['S256'], required: () => true },
      scopes: [...launchScopes],
      claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
      extraParams: {
        // SMART App Launch 2.0, "Obtain authorization code": `aud` is required, the "URL of the EHR resource
        // server from which the app wishes to retrieve FHIR data. This parameter prevents leaking a genuine bearer
        // token to a counterfeit resource server." Checked here, after the client and its redirect URI, for GET
        // and POST alike; the error goes back to the app (RFC 6749 §4.1.2.1).
        aud: (ctx, value) => {
          if (value === undefined || value === '')
            throw new errors.InvalidRequest('aud is required: name this FHIR server, as SMART App Launch 2.0 asks')
          if (!audienceAccepted(value, ctx.origin, fhirResource))
            throw new errors.InvalidTarget('The app asked for a FHIR server that is not this one (aud).')
        },
      },
      features: {
        devInteractions: { enabled: false },
        revocation: { enabled: true },
        rpInitiatedLogout: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => fhirResource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resourceIndicator) => {
            if (resourceIndicator !== fhirResource) throw new errors.InvalidTarget()
            return {
              scope: resourceScopes.join(' '),
              audience: fhirResource,
              accessTokenTTL: options.accessTokenTtlSeconds,
              accessTokenFormat: 'opaque',
            }
          },
        },
      },
      // Each activation is its own consent (listed and revoked on its own in account settings): only the grant
      // made on this sign-on's consent page counts, never one remembered from an earlier sign-on.
      loadExistingGrant: async (ctx) => {
        const grantId = (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId
        return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined
      },
      rotateRefreshToken: true,
      issueRefreshToken: (_ctx, client, code) =>
        client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      ttl: {
        AccessToken: options.accessTokenTtlSeconds,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 3600,
        Session: 3600,
        Grant: options.refreshTokenTtlDays * 86_400,
        RefreshToken: options.refreshTokenTtlDays * 86_400,
      },
      interactions: { url: (_ctx, interaction) => `${interactionPath}/${interaction.uid}` },
      findAccount: async (_ctx, sub) => {
        const claims = await this.accountClaims(sub)
        return claims ? { accountId: sub, claims: () => claims } : undefined
      },
      renderError: (ctx, out) => {
        ctx.type = 'html'
        ctx.body = errorPage(out.error_description ?? 'The request was not valid.')
      },
    }

    const provider = new Provider(this.issuer, configuration)
    provider.proxy = options.behindTls
    // Every address the provider gives out (discovery, the resume redirect) is made from the issuer, PUBLIC_URL,
    // never from the request: by default it resolves against the Host header (or an absolute-form request line),
    // so a request naming another host would poison the discovery document for any cache in front of the portal.
    // (urlFor is the provider's own, untyped in @types/oidc-provider: the context's resolves against the request.)
    type UrlFor = { urlFor(name: string, options?: object): string }
    const fromIssuer = provider as unknown as UrlFor
    ;(provider.OIDCContext.prototype as unknown as UrlFor).urlFor = (name, urlOptions) =>
      fromIssuer.urlFor(name, urlOptions)
    // The provider compares redirect URIs once parsed, and URL parsing drops a trailing space or NUL and
    // lowercases the scheme, so `…/callback%20` or `…/callback%00` passed as the registered one. A redirect URI
    // must be written exactly as it was registered (RFC 6749 §3.1.2.3: compared as simple strings when
    // registered in full); the RFC 8252 loopback port is the provider's own check, on a URI in its exact form.
    const redirectUriAllowed = provider.Client.prototype.redirectUriAllowed
    provider.Client.prototype.redirectUriAllowed = function (this: InstanceType<Provider['Client']>, value: string) {
      return isExactUrl(value) && redirectUriAllowed.call(this, value)
    }
    provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
      connectedApps.grantEnded(grantId).catch((error: unknown) => logger.warn({ err: error }, 'grant not marked ended'))
    })
    provider.on('server_error', (_ctx: unknown, error: Error) =>
      logger.error({ err: error }, 'authorization server error'),
    )

    provider.use(async (ctx: KoaContextWithOIDC, next) => {
      // Native apps always see the consent page (the check below), so an app asking for offline_access need not
      // add prompt=consent as OpenID Connect would otherwise require to keep it.
      if (ctx.path === '/auth' && typeof ctx.query.scope === 'string' && ctx.query.prompt === undefined)
        ctx.query = { ...ctx.query, prompt: 'consent' }
      await next()
      if (ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
        const body = ctx.body as Record<string, unknown>
        const entities = ctx.oidc.entities as {
          AuthorizationCode?: { grantId?: string; scope?: string }
          RefreshToken?: { grantId?: string; scope?: string }
        }
        const used = entities.AuthorizationCode ?? entities.RefreshToken
        // SMART: the token response names the patient in context, from the member's consent.
        const access = used?.grantId ? await connectedApps.activeGrant(used.grantId) : undefined
        if (access) body.patient = String(access.memberId)
        // The provider answers with the access token's scopes only (the FHIR API's); SMART asks for every scope
        // granted, and a client library refreshes only when it sees offline_access there.
        if (typeof body.scope === 'string') body.scope = grantedScope(used?.scope ?? '', body.scope)
      }
    })
    return { provider, handler: provider.callback() }
  }
}

/** `aud` must be this FHIR server, as the public address or the address the request came to. */
function audienceAccepted(aud: unknown, origin: string, fhirBase: string): boolean {
  if (typeof aud !== 'string') return false
  const wanted = aud.replace(/\/+$/, '')
  return wanted === fhirBase || wanted === `${origin}${fhirBasePath}`
}

/** Whether a URL is written as its parsed form: no space or control character dropped, nothing normalised. */
function isExactUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    return new URL(value).href === value
  } catch {
    return false
  }
}

/** The authorization server's own error page: plain, accessible, styled like the portal, with a way back. */
function errorPage(description: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>The app could not connect – Member Portal</title><link rel="stylesheet" href="/public/css/portal.css"></head>
<body><a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header"><div class="width-container header-inner"><a class="service-name" href="/">Member Portal</a></div></header>
<main id="main-content" class="width-container" tabindex="-1">
<h1>The app could not connect</h1>
<p>${escapeHtml(description)}</p>
<p>Go back to the app and try again. If it keeps happening, call Member Services.</p>
<p><a href="/home">Go to Member Portal</a></p>
</main></body></html>`
}

import express, { Request, Response, Router } from 'express'
import type { Interaction } from 'oidc-provider'
import type { FormError } from '../platform/forms'
import { message } from '../platform/i18n'
import type { SessionUser } from '../platform/session'
import type { Services } from '../services'
import { fhirBasePath, interactionPath, oauthPath } from './authorization-server'
import { formActionSources } from './clients'
import { fhirResourceTypes, launchScopes, resourceScope, resourceScopes, toolsCover } from './scopes'

declare module 'express-session' {
  interface SessionData {
    /** The patient chosen on the picker for one app sign-on (by its interaction id). */
    appPatient?: { uid: string; memberId: number }
  }
}

type Deps = Pick<Services, 'authorizationServer' | 'connectedApps' | 'members' | 'viewing'>

/**
 * The portal's side of an app's sign-on (RFC 8252: the app opens the system browser here): the portal's own
 * sign-on page and rules, then — for someone who acts for others — whose records, then consent. Each step is
 * a plain page that works without JavaScript.
 */
export function connectAppRoutes({ authorizationServer, connectedApps, members, viewing }: Deps): Router {
  // Whom the signed-on person may choose for an app: the same list, and the same proxy rules, as the switcher.
  const membersActedFor = async (user: Pick<SessionUser, 'role' | 'memberId'>) =>
    (await viewing.membersActedFor(user)).map((member) => member.memberId)
  /**
   * The patient chosen on the picker for this sign-on (or the only one there is), with what the signed-on person
   * may use for them: an app is never offered more than the web gives. Undefined until a valid choice is made.
   */
  const chosenPatient = async (req: Request, uid: string, user: Pick<SessionUser, 'role' | 'memberId'>) => {
    const actedFor = await viewing.membersActedFor(user)
    const memberId =
      req.session.appPatient?.uid === uid
        ? req.session.appPatient.memberId
        : actedFor.length === 1
          ? actedFor[0].memberId
          : undefined
    return actedFor.find((member) => member.memberId === memberId)
  }

  const router = Router()

  async function interaction(req: Request, res: Response): Promise<Interaction | undefined> {
    const provider = await authorizationServer.provider()
    try {
      const details = await provider.interactionDetails(req, res)
      if (details.uid === req.params.uid) return details
    } catch {
      // No interaction cookie, or the sign-on took longer than its hour: the app has to start again.
    }
    res.status(400).render('smart/expired', { title: 'smart:expired.title' })
    return undefined
  }

  /** The page's form may end at the app's redirect URIs (Chromium applies form-action to redirects after a POST). */
  async function allowFormToReachApp(res: Response, clientId: string) {
    const provider = await authorizationServer.provider()
    const client = await provider.Client.find(clientId)
    const policy = res.getHeader('Content-Security-Policy')
    if (!client || typeof policy !== 'string') return
    const sources = formActionSources(client.redirectUris ?? []).join(' ')
    res.setHeader('Content-Security-Policy', policy.replace("form-action 'self'", `form-action 'self' ${sources}`))
  }

  const appNameOf = (details: Interaction) => connectedApps.appName(String(details.params.client_id))

  router.get(`${interactionPath}/:uid`, async (req, res) => {
    const details = await interaction(req, res)
    if (!details) return
    const provider = await authorizationServer.provider()
    const user = req.session.user
    if (!user) {
      req.session.returnTo = `${interactionPath}/${details.uid}`
      req.session.notice = message('smart:signOnNotice', { app: appNameOf(details) })
      return res.redirect(303, '/sign-on')
    }
    if (user.role !== 'member' || !user.memberId)
      return res.status(403).render('smart/members-only', { title: 'smart:membersOnly.title' })
    // The portal's session decides who signs on: the app's sign-on follows whoever is signed on here now.
    if (details.prompt.name === 'login' || details.session?.accountId !== String(user.id))
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: String(user.id) } },
        { mergeWithLastSubmission: false },
      )

    const choice = await chosenPatient(req, details.uid, user)
    if (!choice) return res.redirect(303, `${interactionPath}/${details.uid}/patient`)
    const { memberId: chosen, tools } = choice
    const patient = await members.summaryOf(choice)
    await allowFormToReachApp(res, String(details.params.client_id))
    const asked = connectedApps.reads(String(details.params.scope ?? ''))
    res.render('smart/consent', {
      title:
        chosen === user.memberId || !patient
          ? message('smart:consent.pageTitleSelf', { app: appNameOf(details) })
          : message('smart:consent.pageTitleOther', {
              app: appNameOf(details),
              name: `${patient.firstName} ${patient.lastName}`,
            }),
      uid: details.uid,
      appName: appNameOf(details),
      patientName: patient ? `${patient.firstName} ${patient.lastName}` : '',
      forSelf: chosen === user.memberId,
      reads: asked.filter((read) => toolsCover(tools, read.type)),
      // Asked for, but outside what the person may see for this member (a teen's labs): the API refuses them.
      withheld: asked.filter((read) => !toolsCover(tools, read.type)),
      keepsAccess: String(details.params.scope ?? '')
        .split(' ')
        .includes('offline_access'),
    })
  })

  router.get(`${interactionPath}/:uid/patient`, async (req, res) => {
    const details = await interaction(req, res)
    if (!details) return
    await renderPicker(req, res, details, [])
  })

  async function renderPicker(req: Request, res: Response, details: Interaction, errors: FormError[]) {
    const user = req.session.user
    if (!user) return res.redirect(303, `${interactionPath}/${details.uid}`)
    const people = await Promise.all((await viewing.membersActedFor(user)).map((person) => members.summaryOf(person)))
    res.status(errors.length ? 400 : 200).render('smart/choose-patient', {
      title: message('smart:choosePatient.title', { app: appNameOf(details) }),
      uid: details.uid,
      appName: appNameOf(details),
      people: people.flatMap((person) =>
        person
          ? [{ id: person.id, name: `${person.firstName} ${person.lastName}`, self: person.id === user.memberId }]
          : [],
      ),
      errors,
    })
  }

  router.post(`${interactionPath}/:uid/patient`, async (req, res) => {
    const details = await interaction(req, res)
    if (!details) return
    const user = req.session.user
    if (!user) return res.redirect(303, `${interactionPath}/${details.uid}`)
    const raw = req.body?.patient
    const memberId = typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined
    if (memberId === undefined || !(await membersActedFor(user)).includes(memberId))
      return renderPicker(req, res, details, [{ href: '#patient', text: 'smart:choosePatient.missing' }])
    req.session.appPatient = { uid: details.uid, memberId }
    res.redirect(303, `${interactionPath}/${details.uid}`)
  })

  router.post(`${interactionPath}/:uid/consent`, async (req, res) => {
    const details = await interaction(req, res)
    if (!details) return
    const provider = await authorizationServer.provider()
    const user = req.session.user
    if (!user || details.session?.accountId !== String(user.id))
      return res.redirect(303, `${interactionPath}/${details.uid}`)
    if (details.prompt.name !== 'consent') return res.redirect(303, `${interactionPath}/${details.uid}`)

    if (req.body?.decision !== 'allow') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The member did not allow access' },
        { mergeWithLastSubmission: false },
      )
    }
    const choice = await chosenPatient(req, details.uid, user)
    if (!choice) return res.redirect(303, `${interactionPath}/${details.uid}/patient`)
    const { memberId, tools } = choice

    const clientId = String(details.params.client_id)
    const grant = new provider.Grant({ accountId: String(user.id), clientId })
    const prompt = details.prompt.details as {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
    if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(' '))
    if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims)
    for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '))
    const grantId = await grant.save()
    // The app's list in account settings names only what it can read: the API refuses the rest for this member.
    const readable = fhirResourceTypes.filter((type) => toolsCover(tools, type)).map(resourceScope)
    const granted = [
      ...(prompt.missingOIDCScope ?? []).filter((scope) => (launchScopes as readonly string[]).includes(scope)),
      ...Object.values(prompt.missingResourceScopes ?? {})
        .flat()
        .filter((scope) => readable.includes(scope)),
    ]
    await connectedApps.recordConsent({ grantId, userId: user.id, memberId, clientId, scope: granted.join(' ') })
    delete req.session.appPatient
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  })

  return router
}

/**
 * SMART App Launch discovery: where the app signs on and what this server supports. Every address is made from
 * PUBLIC_URL, never from the request's Host header, so no request can make the portal (or a cache in front of
 * it) hand out another host's token endpoint.
 */
export function smartConfigurationRoutes({ authorizationServer }: Pick<Services, 'authorizationServer'>): Router {
  const router = Router()
  router.get([`${fhirBasePath}/.well-known/smart-configuration`, '/.well-known/smart-configuration'], (_req, res) => {
    const { issuer, publicUrl } = authorizationServer
    res.type('application/json').json({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/token/revocation`,
      management_endpoint: `${publicUrl}/account/apps`,
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: [...launchScopes, ...resourceScopes],
      capabilities: [
        'launch-standalone',
        'client-public',
        'context-standalone-patient',
        'permission-patient',
        'permission-offline',
        'permission-v2',
        'sso-openid-connect',
      ],
    })
  })
  return router
}

/**
 * OpenID Connect userinfo at the address the provider's discovery gives (`/oauth/me`), answering the app's own
 * access token (see `AuthorizationServer.userinfo`). The token comes in the Authorization header (RFC 6750 §2.1)
 * or, on a POST, as `access_token` in the form body (§2.2).
 */
export function userinfoRoutes({ authorizationServer }: Pick<Services, 'authorizationServer'>): Router {
  const router = Router()
  const answer = async (req: Request, res: Response) => {
    const header = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(req.get('authorization') ?? '')?.[1]
    const posted: unknown = req.method === 'POST' ? (req.body as Record<string, unknown> | undefined)?.access_token : ''
    const token = header ?? (typeof posted === 'string' && posted.length <= 512 ? posted : '')
    const result = token ? await authorizationServer.userinfo(token) : { error: 'invalid_token' as const }
    res.set('Cache-Control', 'no-store')
    if ('claims' in result) return res.json(result.claims)
    const insufficient = result.error === 'insufficient_scope'
    res
      .status(insufficient ? 403 : 401)
      .set('WWW-Authenticate', `Bearer error="${result.error}"${insufficient ? ', scope="openid"' : ''}`)
      .json({
        error: result.error,
        error_description: insufficient
          ? 'The member did not allow this app the openid scope.'
          : 'The access token is missing, expired or revoked.',
      })
  }
  router.get(`${oauthPath}/me`, answer)
  router.post(`${oauthPath}/me`, express.urlencoded({ extended: false, limit: '4kb' }), answer)
  return router
}

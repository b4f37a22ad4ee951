import { ErrorRequestHandler, Request, Response, Router } from 'express'
import type { Services } from '../services'
import { fhirBasePath } from '../smart/authorization-server'
import { fhirResourceTypes, resourceScope } from '../smart/scopes'
import type { Paged } from '../platform/pagination'
import { FhirResource, supportedProfiles } from './resources'
import { InsufficientScopeError, InvalidTokenError, isFhirResourceType } from './service'

const fhirJson = 'application/fhir+json; charset=utf-8'

function send(res: Response, status: number, body: FhirResource) {
  res.status(status).type(fhirJson).send(JSON.stringify(body))
}

/** An OperationOutcome: FHIR's error body, with an issue code from its value set. */
export function operationOutcome(code: string, diagnostics: string): FhirResource {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] }
}

/**
 * A searchset Bundle for one page, with self, first, previous, next and last links carrying the search. `base` is
 * the FHIR base at PUBLIC_URL: links and full URLs never copy the request's Host header.
 */
function searchset(req: Request, base: string, type: string, paged: Paged<FhirResource>): FhirResource {
  const link = (relation: string, page: number) => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(req.query))
      if (key !== '_page' && typeof value === 'string') params.set(key, value)
    params.set('_page', String(page))
    return { relation, url: `${base}/${type}?${params.toString()}` }
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: paged.total,
    link: [
      link('self', paged.page),
      link('first', 1),
      ...(paged.page > 1 ? [link('previous', paged.page - 1)] : []),
      ...(paged.page < paged.pageCount ? [link('next', paged.page + 1)] : []),
      link('last', paged.pageCount),
    ],
    entry: paged.items.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  }
}

const reference = (name: string) => ({ name, type: 'reference' })
const token = (name: string) => ({ name, type: 'token' })

const string = (name: string) => ({ name, type: 'string' })
const date = (name: string) => ({ name, type: 'date' })

/** The search parameters each resource type answers (see docs/api.md, "The FHIR API"). */
const searchParams: Record<string, { name: string; type: string }[]> = {
  Patient: [token('_id'), token('identifier'), string('name'), date('birthdate'), token('gender')],
  Observation: [reference('patient'), token('category'), token('code'), date('date')],
  Immunization: [reference('patient')],
  Coverage: [reference('beneficiary'), reference('patient')],
  ExplanationOfBenefit: [reference('patient'), { name: '_lastUpdated', type: 'date' }, token('use')],
  MedicationRequest: [reference('patient')],
  Appointment: [reference('patient')],
  Practitioner: [token('_id'), string('name'), token('identifier')],
  Organization: [token('_id'), string('name'), string('address'), token('identifier')],
}

/** What the server supports, and where an app signs on (SMART's oauth-uris extension). */
function capabilityStatement(urls: { fhirBase: string; issuer: string }, publishedOn: string): FhirResource {
  const searchParam = (type: string) => searchParams[type] ?? []
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: publishedOn,
    publisher: 'Member Portal',
    kind: 'instance',
    implementation: { description: 'Member Portal Patient Access API', url: urls.fhirBase },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' },
              ],
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: `${urls.issuer}/auth` },
                { url: 'token', valueUri: `${urls.issuer}/token` },
                { url: 'revoke', valueUri: `${urls.issuer}/token/revocation` },
              ],
            },
          ],
        },
        resource: fhirResourceTypes.map((type) => ({
          type,
          ...(supportedProfiles[type] ? { supportedProfile: supportedProfiles[type] } : {}),
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: searchParam(type),
          documentation: `Needs the scope ${resourceScope(type)}`,
        })),
      },
    ],
  }
}

/**
 * The FHIR R4 API (`/fhir/R4`): the CapabilityStatement, then read and search for each resource type, each
 * behind a bearer token from the authorization server. Errors are OperationOutcomes.
 */
export function fhirRoutes({
  fhir,
  clock,
  authorizationServer,
}: Pick<Services, 'fhir' | 'clock' | 'authorizationServer'>): Router {
  const router = Router()
  const urls = { fhirBase: authorizationServer.fhirResource, issuer: authorizationServer.issuer }

  const access = (req: Request) =>
    fhir.authenticate(req.get('authorization'), {
      requestId: req.id === undefined ? undefined : String(req.id),
      ip: req.ip,
    })

  router.get(`${fhirBasePath}/metadata`, (req, res) => {
    send(res, 200, capabilityStatement(urls, clock().toISOString().slice(0, 10)))
  })

  router.get(`${fhirBasePath}/:type`, async (req, res) => {
    const type = req.params.type
    if (!isFhirResourceType(type))
      return send(res, 404, operationOutcome('not-supported', `This server has no ${type.slice(0, 40)} resources`))
    const paged = await fhir.search(await access(req), type, req.query as Record<string, unknown>)
    send(res, 200, searchset(req, urls.fhirBase, type, paged))
  })

  router.get(`${fhirBasePath}/:type/:id`, async (req, res) => {
    const type = req.params.type
    if (!isFhirResourceType(type))
      return send(res, 404, operationOutcome('not-supported', `This server has no ${type.slice(0, 40)} resources`))
    send(res, 200, await fhir.read(await access(req), type, req.params.id))
  })

  router.all(`${fhirBasePath}/*rest`, (req, res) => {
    if (req.method === 'GET') return send(res, 404, operationOutcome('not-found', 'There is nothing at this address'))
    res.set('Allow', 'GET')
    send(res, 405, operationOutcome('not-supported', 'The API only reads: use GET'))
  })

  const errors: ErrorRequestHandler = (error, req, res, next) => {
    if (res.headersSent) return next(error)
    if (error instanceof InvalidTokenError) {
      res.set('WWW-Authenticate', 'Bearer realm="fhir", error="invalid_token"')
      return send(res, 401, operationOutcome('login', error.message))
    }
    if (error instanceof InsufficientScopeError) {
      res.set('WWW-Authenticate', `Bearer realm="fhir", error="insufficient_scope", scope="${error.scope}"`)
      return send(res, 403, operationOutcome('forbidden', error.message))
    }
    const status = typeof error?.status === 'number' ? (error.status as number) : 500
    if (status === 404) return send(res, 404, operationOutcome('not-found', 'No such resource'))
    if (status >= 400 && status < 500)
      return send(res, status, operationOutcome('invalid', 'The request was not valid'))
    req.log?.error({ err: error }, 'FHIR request failed')
    send(res, 500, operationOutcome('exception', 'Something went wrong on the server'))
  }
  router.use(fhirBasePath, errors)
  return router
}

import type { UserLookup } from '../accounts/users'
import type { AppointmentService } from '../appointments/service'
import type { CoverageService } from '../coverage/service'
import type { LabResultsService } from '../labs/service'
import type { Roster } from '../members/types'
import type { MemberTool } from '../viewing/rules'
import type { ProxyDirectory, Viewing } from '../viewing/middleware'
import { NotFoundError } from '../platform/errors'
import { pageOf, type Paged } from '../platform/pagination'
import type { RecordAccess } from '../viewing/record-access'
import type { PrescriptionService } from '../prescriptions/service'
import type { AuthorizationServer } from '../smart/authorization-server'
import { fhirResourceTypes, resourceScope, resourceTools, type FhirResourceType } from '../smart/scopes'
import type { ConnectedAppService } from '../smart/service'
import type { VaccinationService } from '../vaccinations/service'
import type { Directory } from '../directory/types'
import type { PharmacyDirectory } from '../prescriptions/types'
import type { PriorAuthorizationService } from '../prior-authorizations/service'
import {
  dateFilter,
  matchesDate,
  matchesString,
  matchesToken,
  stringFilter,
  tokenFilter,
  UnsupportedSearchError,
} from './search'
import {
  appointmentResource,
  clinicOrganizationResource,
  payerOrganizationId,
  payerOrganizationResource,
  practitionerResource,
  priorAuthorizationResource,
  coverageResource,
  explanationOfBenefitResource,
  FhirResource,
  immunizationResource,
  medicationRequestResource,
  observationResource,
  patientResource,
  pharmacyOrganizationResource,
} from './resources'

/** Thrown when a request carries no access token the API accepts: missing, expired, revoked or not for it (401). */
export class InvalidTokenError extends Error {
  readonly status = 401
}

/** Thrown when the token is good but its scopes do not cover the resource asked for (403). */
export class InsufficientScopeError extends Error {
  readonly status = 403
  constructor(readonly scope: string) {
    super(`This app was not allowed to read ${scope.replace(/^patient\/|\.rs$/g, '')} resources`)
  }
}

export { UnsupportedSearchError }

/** What a request may read: whose records, for which app and user, within which scopes. */
export interface ApiAccess {
  viewing: Viewing
  scopes: Set<string>
  clientId: string
  /** The member tools the user may use for this patient: a parent's app never reads a teen's labs. */
  tools: readonly MemberTool[]
}

const defaultPageSize = 10

/** The `_count` search parameter: a whole number from 1 to 100, or absent; anything else is a 400. */
function countOf(raw: unknown): number | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'string' && /^\d{1,3}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 100) return Number(raw)
  throw new UnsupportedSearchError('_count must be a whole number from 1 to 100')
}

/** The `use` search parameter of ExplanationOfBenefit: claim, preauthorization, or absent for both. */
function searchUse(raw: unknown): 'claim' | 'preauthorization' | undefined {
  if (raw === undefined) return undefined
  if (raw === 'claim' || raw === 'preauthorization') return raw
  throw new UnsupportedSearchError('use must be claim or preauthorization')
}

/**
 * `_lastUpdated=ge<instant or date>` (or `gt`): changed at or after it. Other prefixes, and anything that is not a
 * date, are a 400.
 */
export function lastUpdatedFrom(raw: unknown): Date | undefined {
  if (raw === undefined) return undefined
  const match =
    typeof raw === 'string'
      ? /^(ge|gt)(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?)$/.exec(raw)
      : null
  const at = match ? new Date(match[2].length === 10 ? `${match[2]}T00:00:00Z` : match[2]) : undefined
  if (!at || Number.isNaN(at.getTime()))
    throw new UnsupportedSearchError('_lastUpdated must be ge or gt a date or time')
  return match![1] === 'gt' ? new Date(at.getTime() + 1) : at
}

type HumanName = { text?: string; family?: string; given?: string[] }
type Address = { line?: string[]; city?: string; state?: string; postalCode?: string }

const nameParts = (resource: FhirResource) =>
  ((resource.name ?? []) as HumanName[]).flatMap((name) => [name.text, name.family, ...(name.given ?? [])])

const addressParts = (resource: FhirResource) =>
  ((resource.address ?? []) as Address[]).flatMap((address) => [
    ...(address.line ?? []),
    address.city,
    address.state,
    address.postalCode,
  ])

const genders = ['male', 'female', 'other', 'unknown']

/**
 * US Core's Patient searches (`identifier`, `name`, `birthdate`, `gender`, alone or together), read before any
 * record is: a malformed value is a 400. The compartment holds one patient, so they decide whether it is returned.
 */
function patientMatcher(query: Record<string, unknown>): (patient: FhirResource) => boolean {
  const identifier = tokenFilter('identifier', query.identifier)
  const name = stringFilter('name', query.name)
  const birthdate = dateFilter('birthdate', query.birthdate)
  const gender = tokenFilter('gender', query.gender)
  if (gender?.some((token) => !genders.includes(token.code)))
    throw new UnsupportedSearchError('gender must be male, female, other or unknown')
  return (patient) =>
    (!identifier || matchesToken(identifier, patient.identifier as { system: string; value: string }[])) &&
    (!name || matchesString(name, nameParts(patient))) &&
    (!birthdate || matchesDate(birthdate, patient.birthDate as string)) &&
    (!gender || gender.some((token) => token.code === patient.gender))
}

export function isFhirResourceType(type: string): type is FhirResourceType {
  return (fhirResourceTypes as readonly string[]).includes(type)
}

/**
 * The FHIR R4 API over the member tools' own services, so every rule and audit of the web pages applies to apps
 * too: release rules for lab results, the member scope on every lookup, and an audit row for every read — with
 * the app's client id.
 */
export class FhirService {
  constructor(
    private readonly deps: {
      authorizationServer: AuthorizationServer
      viewing: ProxyDirectory
      connectedApps: ConnectedAppService
      users: UserLookup
      members: Pick<Roster, 'findPatientRecord' | 'findSummary'>
      recordAccess: RecordAccess
      labs: LabResultsService
      vaccinations: VaccinationService
      coverage: CoverageService
      priorAuthorizations: PriorAuthorizationService
      appointments: AppointmentService
      prescriptions: PrescriptionService
      directory: Directory
      /** The plan's pharmacies, the providers of its pharmacy claims (Organization `pharmacy-<id>`). */
      pharmacies: PharmacyDirectory
      /** The plan itself, the insurer and payor the resources reference as Organization/payer. */
      payer: { name: string; payerId: string; phone: string; updatedAt: string }
    },
  ) {}

  /**
   * The bearer token's access: the stored token (so an expired or revoked one is gone), the member's consent
   * still in force, and the user still able to act for the patient (proxy access can end).
   */
  async authenticate(
    authorization: string | undefined,
    request: { requestId?: string; ip?: string },
  ): Promise<ApiAccess> {
    const match = /^Bearer ([\w\-.~+/]{16,512}=*)$/.exec(authorization ?? '')
    if (!match) throw new InvalidTokenError('An access token is needed')
    const token = await this.deps.authorizationServer.findAccessToken(match[1])
    if (!token || !token.grantId || !token.accountId || !token.clientId)
      throw new InvalidTokenError('The access token is not valid')
    const audiences = ([] as unknown[]).concat(token.aud)
    if (!audiences.includes(this.deps.authorizationServer.fhirResource))
      throw new InvalidTokenError('The access token is not for this API')
    const access = await this.deps.connectedApps.activeGrant(token.grantId)
    if (!access || access.clientId !== token.clientId) throw new InvalidTokenError('Access was taken away')
    const user = /^\d{1,10}$/.test(token.accountId)
      ? await this.deps.users.findById(Number(token.accountId))
      : undefined
    // The user must still be able to act for the patient (a grant revoked or expired, a child turned 18).
    const patient =
      user &&
      (await this.deps.viewing.membersActedFor({ role: user.role, memberId: user.member_id })).find(
        (member) => member.memberId === access.memberId,
      )
    if (!user || !patient) throw new InvalidTokenError('Access was taken away')
    return {
      viewing: { actorUserId: user.id, memberId: access.memberId, appClientId: token.clientId, ...request },
      scopes: new Set(String(token.scope ?? '').split(' ')),
      clientId: token.clientId,
      tools: patient.tools,
    }
  }

  /**
   * The token's scopes must cover the resource, and the proxy rules the tool behind it: outside the user's scope
   * for this patient is a 404, as on the web pages.
   */
  async requireScope(access: ApiAccess, type: FhirResourceType): Promise<void> {
    if (!access.scopes.has(resourceScope(type))) throw new InsufficientScopeError(resourceScope(type))
    const tool = resourceTools[type]
    if (!tool || access.tools.includes(tool)) return
    const { viewing } = access
    await this.deps.viewing.recordRefusal({
      actorUserId: viewing.actorUserId,
      subjectMemberId: viewing.memberId,
      page: tool,
      requestId: viewing.requestId,
      ip: viewing.ip,
      appClientId: access.clientId,
    })
    throw new NotFoundError()
  }

  /** One resource by id: another member's id, or a record the member may not see online, is a 404 (audited). */
  async read(access: ApiAccess, type: FhirResourceType, id: string): Promise<FhirResource> {
    await this.requireScope(access, type)
    const { viewing } = access
    const { labs, vaccinations, coverage, appointments, prescriptions } = this.deps
    switch (type) {
      case 'Patient':
        return patientResource(await this.patientRecord(await this.patient(viewing, id)))
      case 'Observation':
        return observationResource(await labs.releasedResult(viewing, id), viewing.memberId)
      case 'Immunization':
        return immunizationResource(await vaccinations.immunization(viewing, id), viewing.memberId)
      case 'Coverage':
        return coverageResource(await coverage.coverageRecord(viewing, id), await this.summary(viewing.memberId))
      case 'ExplanationOfBenefit': {
        // A prior authorization's id is "pa-<n>"; a claim's is a number.
        const authorization = /^pa-(\d{1,10})$/.exec(id)
        if (authorization) {
          const record = await this.deps.priorAuthorizations.show(viewing, authorization[1])
          return priorAuthorizationResource(record, await this.coverageReference(viewing))
        }
        const claim = await coverage.apiClaim(viewing, id)
        return explanationOfBenefitResource(claim, viewing.memberId, await this.coverageReference(viewing))
      }
      case 'MedicationRequest':
        return medicationRequestResource(await prescriptions.medication(viewing, id), viewing.memberId)
      case 'Appointment':
        return appointmentResource(await appointments.show(viewing, id), viewing.memberId)
      case 'Practitioner':
      case 'Organization':
        return this.directoryEntry(type, id)
    }
  }

  /** A doctor, a clinic, a pharmacy or the plan: directory entries, not health information, so not audited. */
  private async directoryEntry(type: 'Practitioner' | 'Organization', id: string): Promise<FhirResource> {
    if (type === 'Organization' && id === payerOrganizationId) return payerOrganizationResource(this.deps.payer)
    const { directory, pharmacies } = this.deps
    // A doctor's id is a number; a clinic's and a pharmacy's carry their kind ("clinic-3", "pharmacy-2").
    const [, prefix = '', digits] = /^(clinic-|pharmacy-)?(\d{1,10})$/.exec(id) ?? []
    const number = Number(digits)
    const found =
      digits === undefined
        ? undefined
        : type === 'Practitioner' && prefix === ''
          ? await directory.findProvider(number).then((p) => p && practitionerResource(p))
          : type === 'Organization' && prefix === 'clinic-'
            ? await directory.findClinic(number).then((c) => c && clinicOrganizationResource(c))
            : type === 'Organization' && prefix === 'pharmacy-'
              ? await pharmacies.findPharmacy(number).then((p) => p && pharmacyOrganizationResource(p))
              : undefined
    if (!found) throw new NotFoundError()
    return found
  }

  /**
   * A search by patient (`patient=`, or `_id` for Patient, `beneficiary` for Coverage), a page at a time. Only the
   * patient in the token's context can be searched; another patient's id is a 404, audited like a page.
   */
  async search(
    access: ApiAccess,
    type: FhirResourceType,
    query: Record<string, unknown>,
  ): Promise<Paged<FhirResource>> {
    await this.requireScope(access, type)
    const { viewing } = access
    if (type === 'Practitioner' || type === 'Organization') return this.searchDirectory(type, query)
    const patientParam =
      type === 'Patient'
        ? query._id
        : type === 'Coverage'
          ? (query.beneficiary ?? query.patient)
          : (query.patient ?? query.subject)
    if (patientParam !== undefined) {
      const wanted = typeof patientParam === 'string' ? patientParam.replace(/^Patient\//, '') : undefined
      if (wanted !== String(viewing.memberId)) {
        await this.patient(viewing, typeof wanted === 'string' ? wanted : '').catch(() => undefined)
        throw new NotFoundError('No such patient')
      }
    }
    const page = typeof query._page === 'string' && /^\d{1,6}$/.test(query._page) ? Math.max(1, Number(query._page)) : 1
    // `_count`: the app's page size, up to 100; without it each resource's own page size.
    const count = countOf(query._count)
    const pageSize = count ?? defaultPageSize
    const memberId = viewing.memberId
    const { labs, vaccinations, coverage, appointments, prescriptions, recordAccess } = this.deps
    switch (type) {
      case 'Patient': {
        const matches = patientMatcher(query)
        const member = await recordAccess.viewRecords(viewing, { type: 'patient' }, (id) =>
          this.deps.members.findPatientRecord(id),
        )
        const resource = member ? patientResource(member) : undefined
        return pageOf(resource && matches(resource) ? [resource] : [], { page, pageSize })
      }
      case 'Observation': {
        const code = tokenFilter('code', query.code)
        const date = dateFilter('date', query.date)
        const category = query.category
        if (
          category !== undefined &&
          category !== 'laboratory' &&
          category !== 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory'
        )
          return pageOf([], { page, pageSize })
        if (code || date) {
          // A member has tens of released results: all are read, then the code and the date chosen.
          const all = await labs.releasedResults(viewing, 1, 10_000)
          const found = all.items
            .map((result) => observationResource(result, memberId))
            .filter(
              (observation) =>
                (!code || matchesToken(code, (observation.code as { coding: { code: string }[] }).coding)) &&
                (!date || matchesDate(date, observation.effectiveDateTime as string)),
            )
          return pageOf(found, { page, pageSize })
        }
        const results = await labs.releasedResults(viewing, page, count)
        return { ...results, items: results.items.map((result) => observationResource(result, memberId)) }
      }
      case 'Immunization': {
        const record = await vaccinations.record(viewing, 'page')
        return pageOf(
          record.immunizations.map((shot) => immunizationResource(shot, memberId)),
          { page, pageSize },
        )
      }
      case 'Coverage': {
        const overview = await coverage.overview(viewing)
        const member = await this.summary(memberId)
        return pageOf(overview.coverage ? [coverageResource(overview.coverage, member)] : [], { page, pageSize })
      }
      case 'ExplanationOfBenefit': {
        const plan = await this.coverageReference(viewing)
        const use = searchUse(query.use)
        const changedSince = lastUpdatedFrom(query._lastUpdated)
        // `_lastUpdated` is kept by prior authorizations only; claims are searched without it.
        if (use === 'preauthorization' || (use === undefined && changedSince !== undefined)) {
          const found = await this.deps.priorAuthorizations.list(viewing, page, { pageSize, changedSince })
          return { ...found, items: found.items.map((record) => priorAuthorizationResource(record, plan)) }
        }
        if (use === 'claim') {
          const claims = await coverage.apiClaims(viewing, page, count)
          return { ...claims, items: claims.items.map((claim) => explanationOfBenefitResource(claim, memberId, plan)) }
        }
        return this.claimsAndAuthorizations(viewing, plan, page, pageSize)
      }
      case 'MedicationRequest': {
        const overview = await prescriptions.overview(viewing)
        const medications = [...overview.active, ...overview.past]
        return pageOf(
          medications.map((medication) => medicationRequestResource(medication, memberId)),
          { page, pageSize },
        )
      }
      case 'Appointment': {
        const { upcoming, past } = await appointments.list(viewing)
        return pageOf(
          [...upcoming, ...past].map((appointment) => appointmentResource(appointment, memberId)),
          {
            page,
            pageSize,
          },
        )
      }
    }
  }

  /**
   * Claims and prior authorizations together, claims first, a page at a time: both are read in full (a member
   * has tens, not thousands) and audited as the pages would.
   */
  private async claimsAndAuthorizations(
    viewing: Viewing,
    plan: { id: number; planName: string } | undefined,
    page: number,
    pageSize: number,
  ): Promise<Paged<FhirResource>> {
    const claims = await this.deps.coverage.apiClaims(viewing, 1, 1000)
    const authorizations = await this.deps.priorAuthorizations.list(viewing, 1, { pageSize: 1000 })
    return pageOf(
      [
        ...claims.items.map((claim) => explanationOfBenefitResource(claim, viewing.memberId, plan)),
        ...authorizations.items.map((record) => priorAuthorizationResource(record, plan)),
      ],
      { page, pageSize },
    )
  }

  /** Practitioner and Organization by `_id` or `identifier` (an NPI, `http://hl7.org/fhir/sid/us-npi|…`). */
  private async searchDirectory(
    type: 'Practitioner' | 'Organization',
    query: Record<string, unknown>,
  ): Promise<Paged<FhirResource>> {
    const page = { page: 1, pageSize: defaultPageSize }
    if (typeof query._id === 'string') {
      const found = await this.directoryEntry(type, query._id).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined
        throw error
      })
      return pageOf(found ? [found] : [], page)
    }
    const name = stringFilter('name', query.name)
    if (type === 'Practitioner') {
      const identifier = tokenFilter('identifier', query.identifier)
      if (!name && !identifier) throw new UnsupportedSearchError('Search Practitioner by _id, name or identifier')
      const npi = identifier?.length === 1 ? identifier[0].code : undefined
      const providers = await this.deps.directory.searchProviders({
        nameContains: name?.[0].split(',').length === 1 ? name[0] : undefined,
        npi,
      })
      const found = providers
        .map((provider) => practitionerResource(provider))
        .filter(
          (resource) =>
            (!name || matchesString(name, nameParts(resource))) &&
            (!identifier || matchesToken(identifier, resource.identifier as { system: string; value: string }[])),
        )
      return pageOf(found, page)
    }
    const address = stringFilter('address', query.address)
    const identifier = tokenFilter('identifier', query.identifier)
    if (!name && !address && !identifier)
      throw new UnsupportedSearchError('Search Organization by _id, name, address or identifier')
    const single = (filter: string[] | undefined) => (filter?.[0].split(',').length === 1 ? filter[0] : undefined)
    const narrowed = {
      nameContains: single(name),
      addressContains: single(address),
      npi: identifier?.length === 1 ? identifier[0].code : undefined,
    }
    const [clinics, pharmacies] = await Promise.all([
      this.deps.directory.searchClinics(narrowed),
      this.deps.pharmacies.searchPharmacies(narrowed),
    ])
    const found = [
      payerOrganizationResource(this.deps.payer),
      ...clinics.map(clinicOrganizationResource),
      ...pharmacies.map(pharmacyOrganizationResource),
    ].filter(
      (resource) =>
        (!name || matchesString(name, [resource.name as string])) &&
        (!address || matchesString(address, addressParts(resource))) &&
        (!identifier || matchesToken(identifier, resource.identifier as { system: string; value: string }[])),
    )
    return pageOf(found, page)
  }

  private async patientRecord(summary: { id: number }) {
    const record = await this.deps.members.findPatientRecord(summary.id)
    if (!record) throw new NotFoundError()
    return record
  }

  private patient(viewing: Viewing, rawId: string) {
    return this.deps.recordAccess.viewRecord(viewing, { type: 'patient', id: rawId }, (memberId, id) =>
      id === memberId ? this.deps.members.findSummary(memberId) : Promise.resolve(undefined),
    )
  }

  private async summary(memberId: number) {
    const member = await this.deps.members.findSummary(memberId)
    if (!member) throw new NotFoundError()
    return member
  }

  // Claims point at the member's coverage; reading its id is part of the claim's own (already audited) view.
  private async coverageReference(viewing: Viewing): Promise<{ id: number; planName: string } | undefined> {
    const overview = await this.deps.coverage.overview({ ...viewing })
    return overview.coverage ? { id: overview.coverage.id, planName: overview.coverage.plan.name } : undefined
  }
}

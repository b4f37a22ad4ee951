import type { UserRepository } from '../accounts/repository'
import type { AppointmentService } from '../appointments/service'
import type { CoverageService } from '../coverage/service'
import type { LabResultsService } from '../labs/service'
import type { MemberRepository } from '../members/repository'
import type { MemberTool, ProxyDirectory, Viewing } from '../platform/access'
import { NotFoundError } from '../platform/errors'
import { pageOf, type Paged } from '../platform/pagination'
import type { RecordAccess } from '../platform/record-access'
import type { PrescriptionService } from '../prescriptions/service'
import type { AuthorizationServer } from '../smart/authorization-server'
import { fhirResourceTypes, resourceScope, resourceTools, type FhirResourceType } from '../smart/scopes'
import type { ConnectedAppService } from '../smart/service'
import type { VaccinationService } from '../vaccinations/service'
import {
  appointmentResource,
  coverageResource,
  explanationOfBenefitResource,
  FhirResource,
  immunizationResource,
  medicationRequestResource,
  observationResource,
  patientResource,
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

/** Thrown for a search the API does not support (400). */
export class UnsupportedSearchError extends Error {
  readonly status = 400
}

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
      family: ProxyDirectory
      connectedApps: ConnectedAppService
      users: UserRepository
      members: MemberRepository
      recordAccess: RecordAccess
      labs: LabResultsService
      vaccinations: VaccinationService
      coverage: CoverageService
      appointments: AppointmentService
      prescriptions: PrescriptionService
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
      (await this.deps.family.membersActedFor({ role: user.role, memberId: user.member_id })).find(
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
    await this.deps.family.recordRefusal({
      actorUserId: viewing.actorUserId,
      subjectMemberId: viewing.memberId,
      page: tool,
      requestId: viewing.requestId,
      ip: viewing.ip?.slice(0, 45),
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
        return patientResource(await this.patient(viewing, id))
      case 'Observation':
        return observationResource(await labs.releasedResult(viewing, id), viewing.memberId)
      case 'Immunization':
        return immunizationResource(await vaccinations.immunization(viewing, id), viewing.memberId)
      case 'Coverage':
        return coverageResource(await coverage.coverageRecord(viewing, id), await this.summary(viewing.memberId))
      case 'ExplanationOfBenefit': {
        const claim = await coverage.claim(viewing, id)
        return explanationOfBenefitResource(claim, viewing.memberId, await this.coverageReference(viewing))
      }
      case 'MedicationRequest':
        return medicationRequestResource(await prescriptions.medication(viewing, id), viewing.memberId)
      case 'Appointment':
        return appointmentResource(await appointments.show(viewing, id), viewing.memberId)
    }
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
        const member = await recordAccess.viewRecords(viewing, { type: 'patient' }, (id) =>
          this.deps.members.findSummary(id),
        )
        return pageOf(member ? [patientResource(member)] : [], { page, pageSize })
      }
      case 'Observation': {
        const category = query.category
        if (
          category !== undefined &&
          category !== 'laboratory' &&
          category !== 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory'
        )
          return pageOf([], { page, pageSize })
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
        const claims = await coverage.claims(viewing, page, count)
        const plan = await this.coverageReference(viewing)
        return { ...claims, items: claims.items.map((claim) => explanationOfBenefitResource(claim, memberId, plan)) }
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

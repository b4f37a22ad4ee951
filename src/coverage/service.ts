import type { Viewing } from '../viewing/middleware'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import { loadPage, Paged } from '../platform/pagination'
import type { RecordAccess } from '../viewing/record-access'
import { CostEstimate, CostShare, estimateCost } from './estimate'
import type { CoverageRepository } from './repository'
import type { ApiClaim, BenefitRecord, ClaimRecord, CoverageRecord } from './types'

export const claimsPerPage = 10
export const recentClaimCount = 5

export interface CoverageOverview {
  coverage?: CoverageRecord
  benefits: BenefitRecord[]
  recentClaims: ClaimRecord[]
  totalClaims: number
}

export interface EstimateOutcome {
  benefit: BenefitRecord
  estimate: CostEstimate
  /** True when the member gave the price rather than the plan's typical one being used. */
  priceGiven: boolean
}

function costShareOf(benefit: BenefitRecord): CostShare {
  return benefit.costShare === 'copay'
    ? { kind: 'copay', copayCents: benefit.copayCents ?? 0 }
    : { kind: 'coinsurance', percent: benefit.coinsurancePercent ?? 0 }
}

/** Coverage and costs: plan details, how much of the deductible and out-of-pocket maximum is met, estimates and claims. */
export class CoverageService {
  constructor(
    private readonly coverage: CoverageRepository,
    private readonly access: RecordAccess,
    private readonly clock: Clock,
  ) {}

  async overview(viewing: Viewing): Promise<CoverageOverview> {
    return this.access.viewRecords(viewing, { type: 'coverage', action: 'coverage.view' }, async (memberId) => {
      const [{ coverage, benefits }, recent] = await Promise.all([
        this.coverage.currentCoverageWithBenefits(memberId, planDate(this.clock())),
        this.coverage.recentClaims(memberId, recentClaimCount),
      ])
      return { coverage, benefits, recentClaims: recent.claims, totalClaims: recent.total }
    })
  }

  /**
   * The estimate page: the services the member can ask about and, when one is asked about, what they would
   * pay given what they have met so far. No outcome when their plan has no such service, which the form reports.
   */
  async estimatePage(
    viewing: Viewing,
    request?: { serviceCode: string; priceCents?: number },
  ): Promise<{ services: BenefitRecord[]; covered: boolean; outcome?: EstimateOutcome }> {
    return this.access.viewRecords(viewing, { type: 'coverage', action: 'cost-estimate.view' }, async (memberId) => {
      const { coverage, benefits: services } = await this.coverage.currentCoverageWithBenefits(
        memberId,
        planDate(this.clock()),
      )
      if (!coverage) return { services: [], covered: false }
      const benefit = request && services.find((candidate) => candidate.serviceCode === request.serviceCode)
      if (!request || !benefit) return { services, covered: true }
      const estimate = estimateCost(costShareOf(benefit), request.priceCents ?? benefit.typicalAllowedCents, {
        deductibleCents: coverage.plan.deductibleCents,
        deductibleMetCents: coverage.deductibleMetCents,
        outOfPocketMaxCents: coverage.plan.outOfPocketMaxCents,
        outOfPocketMetCents: coverage.outOfPocketMetCents,
      })
      return { services, covered: true, outcome: { benefit, estimate, priceGiven: request.priceCents !== undefined } }
    })
  }

  /** The member's current coverage by its id (the API's Coverage read); any other id is a 404, audited. */
  async coverageRecord(viewing: Viewing, rawId: unknown): Promise<CoverageRecord> {
    return this.access.viewRecord(viewing, { type: 'coverage', id: rawId }, async (memberId, id) => {
      const coverage = await this.coverage.currentCoverage(memberId, planDate(this.clock()))
      return coverage?.id === id ? coverage : undefined
    })
  }

  async claims(viewing: Viewing, page: number, pageSize = claimsPerPage): Promise<Paged<ClaimRecord>> {
    return this.access.viewRecords(viewing, { type: 'claim', detail: { page } }, (memberId) =>
      loadPage(
        { page, pageSize },
        () => this.coverage.countClaims(memberId),
        (offset, limit) => this.coverage.listClaims(memberId, { offset, limit }),
      ),
    )
  }

  async claim(viewing: Viewing, rawId: unknown): Promise<ClaimRecord> {
    return this.access.viewRecord(viewing, { type: 'claim', id: rawId }, (memberId, id) =>
      this.coverage.findClaim(memberId, id),
    )
  }

  /**
   * The API's CARIN BB claims: professional ones with their diagnoses and lines, pharmacy ones with their fill,
   * hospital stays with their stay and revenue lines, audited as the claims page.
   */
  async apiClaims(viewing: Viewing, page: number, pageSize = claimsPerPage): Promise<Paged<ApiClaim>> {
    return this.access.viewRecords(viewing, { type: 'claim', detail: { page } }, async (memberId) => {
      const found = await loadPage(
        { page, pageSize },
        () => this.coverage.countClaims(memberId, { apiOnly: true }),
        (offset, limit) => this.coverage.listClaims(memberId, { offset, limit, apiOnly: true }),
      )
      return { ...found, items: await this.coverage.codingOf(found.items) }
    })
  }

  /** One claim the API serves, with its coding; any other claim, or another member's, is a 404 (audited). */
  async apiClaim(viewing: Viewing, rawId: unknown): Promise<ApiClaim> {
    return this.access.viewRecord(viewing, { type: 'claim', id: rawId }, async (memberId, id) => {
      const claim = await this.coverage.findClaim(memberId, id, { apiOnly: true })
      if (!claim) return undefined
      const [coded] = await this.coverage.codingOf([claim])
      return coded
    })
  }
}

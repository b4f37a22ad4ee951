import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type {
  ApiClaim,
  BenefitRecord,
  ClaimAmounts,
  ClaimDiagnosis,
  ClaimLine,
  ClaimStay,
  LineAmounts,
  RevenueLine,
  ClaimRecord,
  CoverageRecord,
  PharmacyFill,
} from './types'

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value))

function toAmounts(row: Record<string, unknown>): ClaimAmounts {
  return {
    billedCents: Number(row.billed_cents),
    allowedCents: numberOrNull(row.allowed_cents),
    planPaidCents: numberOrNull(row.plan_paid_cents),
    deductibleCents: numberOrNull(row.deductible_cents),
    copayCents: numberOrNull(row.copay_cents),
    coinsuranceCents: numberOrNull(row.coinsurance_cents),
    memberOwesCents: numberOrNull(row.member_owes_cents),
  }
}

function toClaim(row: Record<string, unknown>): ClaimRecord {
  return {
    id: Number(row.id),
    claimNumber: row.claim_number as string,
    serviceDate: row.service_date as string,
    providerName: row.provider_name as string,
    serviceDescription: row.service_description as string,
    status: row.status as ClaimRecord['status'],
    processedOn: row.processed_on as string | null,
    ...toAmounts(row),
    claimType: (row.claim_type ?? 'professional') as ClaimRecord['claimType'],
    billingClinicId: numberOrNull(row.billing_clinic_id),
    renderingProviderId: numberOrNull(row.rendering_provider_id),
    placeOfService: (row.place_of_service ?? null) as string | null,
    receivedOn: (row.received_on ?? null) as string | null,
    paidOn: (row.paid_on ?? null) as string | null,
    paymentStatus: (row.payment_status ?? null) as ClaimRecord['paymentStatus'],
    networkStatus: (row.network_status ?? 'in-network') as ClaimRecord['networkStatus'],
  }
}

function toLine(row: Record<string, unknown>): ClaimLine {
  return {
    ...toLineAmounts(row),
    procedureCode: String(row.procedure_code),
    codeSystem: row.code_system as ClaimLine['codeSystem'],
    modifier: (row.modifier ?? null) as string | null,
  }
}

function toRevenueLine(row: Record<string, unknown>): RevenueLine {
  return { ...toLineAmounts(row), revenueCode: String(row.revenue_code) }
}

function toStay(row: Record<string, unknown>): ClaimStay {
  return {
    typeOfBill: String(row.type_of_bill),
    admittedOn: String(row.admitted_on),
    dischargedOn: String(row.discharged_on),
    pointOfOrigin: String(row.point_of_origin),
    admissionType: String(row.admission_type),
    dischargeStatus: String(row.discharge_status),
    drg: (row.drg ?? null) as string | null,
  }
}

function toLineAmounts(row: Record<string, unknown>): LineAmounts {
  return {
    sequence: Number(row.sequence),
    description: String(row.description),
    units: Number(row.units),
    ...toAmounts(row),
  }
}

function toFill(row: Record<string, unknown>): PharmacyFill {
  return {
    ndc: String(row.ndc),
    drugDescription: String(row.drug_description),
    quantity: Number(row.quantity),
    quantityUnit: row.quantity_unit as PharmacyFill['quantityUnit'],
    daysSupply: Number(row.days_supply),
    dawCode: String(row.daw_code),
    brandGenericCode: (row.brand_generic_code ?? null) as string | null,
    compoundCode: String(row.compound_code),
    rxOriginCode: (row.rx_origin_code ?? null) as string | null,
    refillNumber: Number(row.refill_number),
    refillsAuthorized: Number(row.refills_authorized),
    prescriberId: numberOrNull(row.prescriber_provider_id),
    pharmacyId: Number(row.pharmacy_id),
  }
}

/**
 * The claims the API serves: professional ones, pharmacy ones whose fill is recorded and institutional ones whose
 * stay is (without them there is nothing to send under the pharmacy or inpatient profile).
 */
function apiClaimsOnly(query: Knex.QueryBuilder, trx: Knex.Transaction | Db): void {
  const recorded = (type: string, table: string) => (inner: Knex.QueryBuilder) =>
    inner
      .where('claim_type', type)
      .whereExists(trx(`${table} as r`).whereRaw('r.claim_id = claims.id').select(trx.raw('1')))
  query.where((inner) =>
    inner
      .where('claim_type', 'professional')
      .orWhere(recorded('pharmacy', 'claim_fills'))
      .orWhere(recorded('institutional', 'claim_stays')),
  )
}

const coverageColumns = [
  'c.id',
  'c.member_number',
  'c.group_number',
  'c.subscriber_name',
  'c.effective_from',
  'c.effective_to',
  'c.deductible_met_cents',
  'c.out_of_pocket_met_cents',
  'c.accumulators_as_of',
  'p.id as plan_id',
  'p.name as plan_name',
  'p.plan_type',
  'p.plan_year_start',
  'p.plan_year_end',
  'p.deductible_cents',
  'p.out_of_pocket_max_cents',
]

/** The member's coverages in force on the day, newest first, with their plan. */
function currentCoverageQuery(trx: Knex.Transaction | Db, memberId: number, onDate: string) {
  return trx('coverages as c')
    .join('plans as p', 'p.id', 'c.plan_id')
    .where('c.member_id', memberId)
    .andWhere('c.effective_from', '<=', onDate)
    .andWhere((query) => query.whereNull('c.effective_to').orWhere('c.effective_to', '>=', onDate))
    .orderBy('c.effective_from', 'desc')
    .select(coverageColumns)
}

function toCoverage(row: Record<string, unknown>): CoverageRecord {
  return {
    id: Number(row.id),
    memberNumber: String(row.member_number),
    groupNumber: String(row.group_number),
    subscriberName: String(row.subscriber_name),
    effectiveFrom: String(row.effective_from),
    effectiveTo: row.effective_to === null ? null : String(row.effective_to),
    deductibleMetCents: Number(row.deductible_met_cents),
    outOfPocketMetCents: Number(row.out_of_pocket_met_cents),
    accumulatorsAsOf: String(row.accumulators_as_of),
    plan: {
      id: Number(row.plan_id),
      name: String(row.plan_name),
      type: String(row.plan_type),
      yearStart: String(row.plan_year_start),
      yearEnd: String(row.plan_year_end),
      deductibleCents: Number(row.deductible_cents),
      outOfPocketMaxCents: Number(row.out_of_pocket_max_cents),
    },
  }
}

const benefitColumns = [
  'service_code',
  'service_name',
  'cost_share',
  'copay_cents',
  'coinsurance_percent',
  'typical_allowed_cents',
  'note',
]

function toBenefit(row: Record<string, unknown>, prefix = ''): BenefitRecord {
  const note = row[`${prefix}note`]
  return {
    serviceCode: String(row[`${prefix}service_code`]),
    serviceName: String(row[`${prefix}service_name`]),
    costShare: row[`${prefix}cost_share`] as BenefitRecord['costShare'],
    copayCents: numberOrNull(row[`${prefix}copay_cents`]),
    coinsurancePercent: numberOrNull(row[`${prefix}coinsurance_percent`]),
    typicalAllowedCents: Number(row[`${prefix}typical_allowed_cents`]),
    note: note === null || note === undefined ? null : String(note),
  }
}

/** A member's coverage, their plan's benefits and their claims. Member data is always looked up by member id. */
export class CoverageRepository {
  constructor(private readonly db: Db) {}

  /** The coverage in force on a day (YYYY-MM-DD): the newest that has started and not ended. */
  async currentCoverage(
    memberId: number,
    onDate: string,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<CoverageRecord | undefined> {
    const row = await currentCoverageQuery(trx, memberId, onDate).first()
    return row ? toCoverage(row) : undefined
  }

  /**
   * The coverage in force and its plan's benefits in one query (the coverage page and the estimate page need
   * both): the coverage row joined to each of its benefits, so a plan with none still gives its coverage.
   */
  async currentCoverageWithBenefits(
    memberId: number,
    onDate: string,
  ): Promise<{ coverage: CoverageRecord | undefined; benefits: BenefitRecord[] }> {
    const rows = await this.db
      .from(currentCoverageQuery(this.db, memberId, onDate).limit(1).as('cur'))
      .leftJoin('plan_benefits as b', 'b.plan_id', 'cur.plan_id')
      .orderBy('b.sort_order')
      .orderBy('b.service_name')
      .select('cur.*', ...benefitColumns.map((column) => `b.${column} as b_${column}`))
    if (rows.length === 0) return { coverage: undefined, benefits: [] }
    return {
      coverage: toCoverage(rows[0]),
      benefits: rows.filter((row) => row.b_service_code !== null).map((row) => toBenefit(row, 'b_')),
    }
  }

  /** The member's claims, or only those the API serves (`apiOnly`). */
  async countClaims(
    memberId: number,
    options: { apiOnly?: boolean } = {},
    trx: Knex.Transaction | Db = this.db,
  ): Promise<number> {
    const row = await trx('claims')
      .where({ member_id: memberId })
      .modify((query) => {
        if (options.apiOnly) apiClaimsOnly(query, trx)
      })
      .count<{ n: number }[]>({ n: '*' })
      .first()
    return Number(row?.n ?? 0)
  }

  /** The newest claims and how many the member has in all, in one query. */
  async recentClaims(
    memberId: number,
    limit: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ claims: ClaimRecord[]; total: number }> {
    const rows = await trx('claims')
      .where({ member_id: memberId })
      .orderBy('service_date', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .select('*', trx.raw('count(*) over () as claims_in_all'))
    return { claims: rows.map(toClaim), total: Number(rows[0]?.claims_in_all ?? 0) }
  }

  /** Newest first; only those the API serves with `apiOnly`. */
  async listClaims(
    memberId: number,
    options: { offset: number; limit: number; apiOnly?: boolean },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<ClaimRecord[]> {
    const rows = await trx('claims')
      .where({ member_id: memberId })
      .modify((query) => {
        if (options.apiOnly) apiClaimsOnly(query, trx)
      })
      .orderBy('service_date', 'desc')
      .orderBy('id', 'desc')
      .offset(options.offset)
      .limit(options.limit)
      .select()
    return rows.map(toClaim)
  }

  async findClaim(
    memberId: number,
    id: number,
    options: { apiOnly?: boolean } = {},
    trx: Knex.Transaction | Db = this.db,
  ): Promise<ClaimRecord | undefined> {
    const row = await trx('claims')
      .where({ member_id: memberId, id })
      .modify((query) => {
        if (options.apiOnly) apiClaimsOnly(query, trx)
      })
      .first()
    return row ? toClaim(row) : undefined
  }

  /**
   * What the API sends of claims already found for the member: a professional claim's diagnoses and lines, in
   * their order, a pharmacy claim's fill, and a hospital stay's stay, diagnoses and revenue lines.
   */
  async codingOf(claims: ClaimRecord[], trx: Knex.Transaction | Db = this.db): Promise<ApiClaim[]> {
    const ids = claims.map((claim) => claim.id)
    if (ids.length === 0) return []
    const [diagnoses, lines, fills, stays] = await Promise.all([
      trx('claim_diagnoses').whereIn('claim_id', ids).orderBy(['claim_id', 'sequence']).select(),
      trx('claim_lines').whereIn('claim_id', ids).orderBy(['claim_id', 'sequence']).select(),
      trx('claim_fills').whereIn('claim_id', ids).select(),
      trx('claim_stays').whereIn('claim_id', ids).select(),
    ])
    const ofClaim = (rows: Record<string, unknown>[], claim: ClaimRecord) =>
      rows.filter((row) => Number(row.claim_id) === claim.id)
    return claims.flatMap((claim): ApiClaim[] => {
      if (claim.claimType === 'pharmacy') {
        const [fill] = ofClaim(fills, claim)
        return fill ? [{ ...claim, claimType: 'pharmacy', fill: toFill(fill) }] : []
      }
      const coded = ofClaim(diagnoses, claim).map((row) => ({
        sequence: Number(row.sequence),
        code: String(row.icd10_code),
        display: String(row.display),
        kind: row.kind as ClaimDiagnosis['kind'],
      }))
      if (claim.claimType === 'institutional') {
        const [stay] = ofClaim(stays, claim)
        return stay
          ? [
              {
                ...claim,
                claimType: 'institutional',
                stay: toStay(stay),
                diagnoses: coded,
                lines: ofClaim(lines, claim).map(toRevenueLine),
              },
            ]
          : []
      }
      return [{ ...claim, claimType: 'professional', diagnoses: coded, lines: ofClaim(lines, claim).map(toLine) }]
    })
  }
}

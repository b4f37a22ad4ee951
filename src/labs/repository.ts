import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { ReleaseCategory } from './release'

export interface LabResultRecord {
  id: number
  testCode: string
  testName: string
  panelName: string | null
  releaseCategory: ReleaseCategory
  value: string
  numericValue: number | null
  unit: string | null
  referenceRange: string | null
  referenceLow: number | null
  referenceHigh: number | null
  flag: 'normal' | 'high' | 'low' | 'abnormal' | null
  collectedAt: Date
  resultedAt: Date
  orderingProvider: string
}

const columns = [
  'r.id',
  'r.test_code',
  'r.test_name',
  'r.panel_name',
  'r.release_category',
  'r.value',
  'r.numeric_value',
  'r.unit',
  'r.reference_range',
  'r.reference_low',
  'r.reference_high',
  'r.flag',
  'r.collected_at',
  'r.resulted_at',
  'p.name as ordering_provider',
]

const decimal = (value: string | number | null) => (value === null ? null : Number(value))

function toRecord(row: Record<string, unknown>): LabResultRecord {
  return {
    id: Number(row.id),
    testCode: row.test_code as string,
    testName: row.test_name as string,
    panelName: row.panel_name as string | null,
    releaseCategory: row.release_category as ReleaseCategory,
    value: row.value as string,
    numericValue: decimal(row.numeric_value as string | null),
    unit: row.unit as string | null,
    referenceRange: row.reference_range as string | null,
    referenceLow: decimal(row.reference_low as string | null),
    referenceHigh: decimal(row.reference_high as string | null),
    flag: row.flag as LabResultRecord['flag'],
    collectedAt: row.collected_at as Date,
    resultedAt: row.resulted_at as Date,
    orderingProvider: row.ordering_provider as string,
  }
}

/** A member's lab results. Every query takes the member id and filters by it: there is no lookup by id alone. */
export class LabResultRepository {
  constructor(private readonly db: Db) {}

  private forMember(memberId: number, trx: Knex.Transaction | Db, testCode?: string) {
    const query = trx('lab_results as r').where('r.member_id', memberId)
    if (testCode) query.andWhere('r.test_code', testCode)
    return query
  }

  /** Newest first. */
  async list(
    memberId: number,
    options: { testCode?: string; offset: number; limit: number },
    trx: Knex.Transaction | Db = this.db,
  ): Promise<LabResultRecord[]> {
    const rows = await this.forMember(memberId, trx, options.testCode)
      .join('providers as p', 'p.id', 'r.ordering_provider_id')
      .orderBy('r.collected_at', 'desc')
      .orderBy('r.id', 'desc')
      .offset(options.offset)
      .limit(options.limit)
      .select(columns)
    return rows.map(toRecord)
  }

  /** Every result, newest first (the API pages what is released, so it needs them all). */
  async all(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<LabResultRecord[]> {
    const rows = await this.forMember(memberId, trx)
      .join('providers as p', 'p.id', 'r.ordering_provider_id')
      .orderBy('r.collected_at', 'desc')
      .orderBy('r.id', 'desc')
      .select(columns)
    return rows.map(toRecord)
  }

  /** One result, or undefined when the member has none with that id. */
  async find(memberId: number, id: number, trx: Knex.Transaction | Db = this.db): Promise<LabResultRecord | undefined> {
    const row = await this.forMember(memberId, trx)
      .join('providers as p', 'p.id', 'r.ordering_provider_id')
      .where('r.id', id)
      .first(columns)
    return row ? toRecord(row) : undefined
  }

  /**
   * One result and every result of the same test, oldest first, for its trend, in one query; undefined when
   * the member has no result with that id.
   */
  async findWithHistory(
    memberId: number,
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ record: LabResultRecord; history: LabResultRecord[] } | undefined> {
    const sameTest = trx('lab_results').where({ id, member_id: memberId }).select('test_code')
    const rows = await this.forMember(memberId, trx)
      .join('providers as p', 'p.id', 'r.ordering_provider_id')
      .whereIn('r.test_code', sameTest)
      .orderBy('r.collected_at', 'asc')
      .orderBy('r.id', 'asc')
      .select(columns)
    const history = rows.map(toRecord)
    const record = history.find((candidate) => candidate.id === id)
    return record && { record, history }
  }

  /** The tests the member has results for, for the filter, each with its number of results (for paging). */
  async tests(
    memberId: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<{ code: string; name: string; results: number }[]> {
    const rows = await this.forMember(memberId, trx)
      .groupBy('r.test_code')
      .orderBy('name')
      .select('r.test_code as code', trx.raw('min(r.test_name) as name'), trx.raw('count(*) as results'))
    return rows.map((row: { code: string; name: string; results: number | string }) => ({
      code: row.code,
      name: row.name,
      results: Number(row.results),
    }))
  }
}

import type { Viewing } from '../viewing/middleware'
import type { Clock } from '../platform/clock'
import { loadPage, pageOf, Paged } from '../platform/pagination'
import type { RecordAccess } from '../viewing/record-access'
import type { LabResultRecord, LabResultRepository } from './repository'
import { Release, releaseOf } from './release'
import { trendChart, TrendChart, TrendLayout } from './trend-chart'

export const resultsPerPage = 10

const flagWords = { normal: 'Normal', high: 'High', low: 'Low', abnormal: 'Abnormal' } as const

/** What the member may read of a released result. Held results have no reading at all, so no page can show one. */
export interface Reading {
  value: string
  unit?: string
  referenceRange?: string
  flag?: (typeof flagWords)[keyof typeof flagWords]
  /** The value as a number, and the range's limits, when the test has them (for the API's quantities). */
  numericValue?: number
  referenceLow?: number
  referenceHigh?: number
}

export interface LabResultView {
  id: number
  testCode: string
  testName: string
  panelName?: string
  collectedAt: Date
  resultedAt: Date
  orderingProvider: string
  release: Release
  reading?: Reading
}

export interface Trend {
  rows: { id: number; collectedAt: Date; value: string; unit?: string; flag?: string }[]
  chart?: TrendChart
  /** The same chart drawn for phones. */
  phoneChart?: TrendChart
}

/** The member's view of a result: the value only once the release rule allows it. */
export function memberView(record: LabResultRecord, now: Date): LabResultView {
  const release = releaseOf(record.releaseCategory, record.resultedAt, now)
  return {
    id: record.id,
    testCode: record.testCode,
    testName: record.testName,
    panelName: record.panelName ?? undefined,
    collectedAt: record.collectedAt,
    resultedAt: record.resultedAt,
    orderingProvider: record.orderingProvider,
    release,
    reading:
      release.state === 'released'
        ? {
            value: record.value,
            unit: record.unit ?? undefined,
            referenceRange: record.referenceRange ?? undefined,
            flag: record.flag ? flagWords[record.flag] : undefined,
            numericValue: record.numericValue ?? undefined,
            referenceLow: record.referenceLow ?? undefined,
            referenceHigh: record.referenceHigh ?? undefined,
          }
        : undefined,
  }
}

/** Lab results: the list, one result with its trend, and the release rule applied to both. */
export class LabResultsService {
  constructor(
    private readonly results: LabResultRepository,
    private readonly access: RecordAccess,
    private readonly clock: Clock,
  ) {}

  /** A page of results, newest first; a test code the member has no results for is ignored (testCode comes back unset). */
  async listResults(
    viewing: Viewing,
    options: { testCode?: string; page: number },
  ): Promise<{ results: Paged<LabResultView>; tests: { code: string; name: string }[]; testCode?: string }> {
    const now = this.clock()
    return this.access.viewRecords(
      viewing,
      { type: 'lab-result', detail: { page: options.page } },
      async (memberId) => {
        // One query gives the filter's choices and the count to page by.
        const counted = await this.results.tests(memberId)
        const chosen = counted.find((test) => test.code === options.testCode)
        const testCode = chosen?.code
        const tests = counted.map(({ code, name }) => ({ code, name }))
        const page = await loadPage(
          { page: options.page, pageSize: resultsPerPage },
          async () => chosen?.results ?? counted.reduce((total, test) => total + test.results, 0),
          (offset, limit) => this.results.list(memberId, { testCode, offset, limit }),
        )
        return { results: { ...page, items: page.items.map((record) => memberView(record, now)) }, tests, testCode }
      },
    )
  }

  /**
   * Released results only, newest first, a page at a time: what an app may read through the API. A held or
   * never-online result is left out altogether, not shown as waiting.
   */
  async releasedResults(
    viewing: Viewing,
    page: number,
    pageSize = resultsPerPage,
  ): Promise<Paged<LabResultView & { reading: Reading }>> {
    const now = this.clock()
    return this.access.viewRecords(viewing, { type: 'lab-result', detail: { page } }, async (memberId) => {
      const released = (await this.results.all(memberId))
        .map((record) => memberView(record, now))
        .filter((view): view is LabResultView & { reading: Reading } => view.reading !== undefined)
      return pageOf(released, { page, pageSize })
    })
  }

  /** One released result; a held or never-online one is not found, as another member's is (and audited so). */
  async releasedResult(viewing: Viewing, rawId: unknown): Promise<LabResultView & { reading: Reading }> {
    const now = this.clock()
    return this.access.viewRecord(viewing, { type: 'lab-result', id: rawId }, async (memberId, id) => {
      const record = await this.results.find(memberId, id)
      const view = record && memberView(record, now)
      return view?.reading ? { ...view, reading: view.reading } : undefined
    })
  }

  /** One result; its trend holds only released values of the same test. */
  async showResult(viewing: Viewing, rawId: unknown): Promise<{ result: LabResultView; trend?: Trend }> {
    const now = this.clock()
    const { record, history } = await this.access.viewRecord(
      viewing,
      { type: 'lab-result', id: rawId },
      (memberId, id) => this.results.findWithHistory(memberId, id),
    )
    const result = memberView(record, now)
    if (!result.reading) return { result }
    const released = history
      .map((past) => ({ past, view: memberView(past, now) }))
      .filter(({ view }) => view.reading !== undefined)
    if (released.length < 2) return { result }
    const rows = released.map(({ view }) => ({
      id: view.id,
      collectedAt: view.collectedAt,
      value: view.reading!.value,
      unit: view.reading!.unit,
      flag: view.reading!.flag,
    }))
    const numeric = released.filter(({ past }) => past.numericValue !== null)
    if (numeric.length < 2) return { result, trend: { rows } }
    const points = numeric.map(({ past, view }) => ({
      collectedAt: past.collectedAt,
      value: past.numericValue!,
      flag: view.reading!.flag,
    }))
    const range = { low: record.referenceLow ?? undefined, high: record.referenceHigh ?? undefined }
    const draw = (layout: TrendLayout) => trendChart(record.testName, record.unit ?? undefined, points, range, layout)
    return { result, trend: { rows, chart: draw('wide'), phoneChart: draw('narrow') } }
  }
}

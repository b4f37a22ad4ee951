import { z } from 'zod'
import type { Viewing } from '../viewing/middleware'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import { ForbiddenError, NotFoundError } from '../platform/errors'
import { type FormError, parseForm } from '../platform/forms'
import type { Language } from '../platform/i18n'
import { addToOutbox } from '../platform/outbox'
import { loadPage, pageOf, Paged } from '../platform/pagination'
import { recordId } from '../platform/record-id'
import { type RecordAccess, who } from '../viewing/record-access'
import type { LabResultRecord, LabResultRepository } from './repository'
import {
  latestHoldEnd,
  longestWaitDays,
  Release,
  type ReleaseChoice,
  releaseChoices,
  releaseOf,
  type StateLawTable,
} from './release'
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
  /** The doctor's note to the member, shown with the released result only. */
  note?: string
}

export interface Trend {
  rows: { id: number; collectedAt: Date; value: string; unit?: string; flag?: string }[]
  chart?: TrendChart
  /** The same chart drawn for phones. */
  phoneChart?: TrendChart
}

/** The member's view of a result: the value (and the doctor's note) only once the release rule allows it. */
export function memberView(
  record: LabResultRecord,
  choice: ReleaseChoice | null,
  stateLaw: StateLawTable,
  now: Date,
): LabResultView {
  const release = releaseOf(record, choice, stateLaw, now)
  const released = release.state === 'released'
  return {
    id: record.id,
    testCode: record.testCode,
    testName: record.testName,
    panelName: record.panelName ?? undefined,
    collectedAt: record.collectedAt,
    resultedAt: record.resultedAt,
    orderingProvider: record.orderingProvider,
    release,
    note: released ? (record.reviewNote ?? undefined) : undefined,
    reading: released ? readingOf(record) : undefined,
  }
}

/** A result's value as it is read: by the member once released, by the office staff who review it. */
function readingOf(record: LabResultRecord): Reading {
  return {
    value: record.value,
    unit: record.unit ?? undefined,
    referenceRange: record.referenceRange ?? undefined,
    flag: record.flag ? flagWords[record.flag] : undefined,
    numericValue: record.numericValue ?? undefined,
    referenceLow: record.referenceLow ?? undefined,
    referenceHigh: record.referenceHigh ?? undefined,
  }
}

/** Who on the office side acts, as the office routes give it. */
export interface StaffActor {
  userId: number
  requestId?: string
  ip?: string
}

export const noteMaxLength = 500
export const holdReasonMaxLength = 500

const plainText = (value: unknown) =>
  typeof value === 'string'
    ? value
        .replace(/\r\n?/g, '\n')
        .replace(/[^\P{Cc}\n\t]/gu, '')
        .trim()
    : ''

const choiceForm = z.object({
  choice: z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.enum(releaseChoices, { error: 'labs:errors.chooseRelease' }),
  ),
})

const reviewForm = z.object({
  note: z.preprocess(plainText, z.string().max(noteMaxLength, `The note must be ${noteMaxLength} characters or fewer`)),
  discussed: z.preprocess((value) => value === 'yes', z.boolean()),
})

const holdForm = z.object({
  reason: z.preprocess(
    plainText,
    z
      .string()
      .min(1, 'Enter why the care team wants to talk with the member first')
      .max(holdReasonMaxLength, `The reason must be ${holdReasonMaxLength} characters or fewer`),
  ),
  days: z.preprocess(
    (value) => (typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : 0),
    z
      .number()
      .min(1, `Choose how many days to hold it: 1 to ${longestWaitDays}`)
      .max(longestWaitDays, `Choose how many days to hold it: 1 to ${longestWaitDays}`),
  ),
})

/** The department the staff member works in, from the messages feature (which owns departments). */
export type StaffDepartment = (userId: number) => Promise<{ id: number; name: string; clinicName: string } | undefined>

export const newResultJob = 'lab-result-released'
const notificationQueue = 'office-message-notifications'

/** Lab results: the list, one result with its trend, and the release rule applied to both. */
export class LabResultsService {
  constructor(
    private readonly db: Db,
    private readonly results: LabResultRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly stateLaw: StateLawTable,
    private readonly staffDepartment: StaffDepartment,
  ) {}

  private view(record: LabResultRecord, choice: ReleaseChoice | null, now: Date): LabResultView {
    return memberView(record, choice, this.stateLaw, now)
  }

  /** A page of results, newest first; a test code the member has no results for is ignored (testCode comes back unset). */
  async listResults(
    viewing: Viewing,
    options: { testCode?: string; page: number },
  ): Promise<{
    results: Paged<LabResultView>
    tests: { code: string; name: string }[]
    testCode?: string
    choice: ReleaseChoice | null
  }> {
    const now = this.clock()
    return this.access.viewRecords(
      viewing,
      { type: 'lab-result', detail: { page: options.page } },
      async (memberId) => {
        // One query gives the filter's choices and the count to page by.
        const counted = await this.results.tests(memberId)
        const choice = await this.results.releaseChoice(memberId)
        const chosen = counted.find((test) => test.code === options.testCode)
        const testCode = chosen?.code
        const tests = counted.map(({ code, name }) => ({ code, name }))
        const page = await loadPage(
          { page: options.page, pageSize: resultsPerPage },
          async () => chosen?.results ?? counted.reduce((total, test) => total + test.results, 0),
          (offset, limit) => this.results.list(memberId, { testCode, offset, limit }),
        )
        const items = page.items.map((record) => this.view(record, choice, now))
        return { results: { ...page, items }, tests, testCode, choice }
      },
    )
  }

  /**
   * Released results only, newest first, a page at a time: what an app may read through the API. A result
   * waiting under the release rule is left out altogether, not shown as waiting.
   */
  async releasedResults(
    viewing: Viewing,
    page: number,
    pageSize = resultsPerPage,
  ): Promise<Paged<LabResultView & { reading: Reading }>> {
    const now = this.clock()
    return this.access.viewRecords(viewing, { type: 'lab-result', detail: { page } }, async (memberId) => {
      const choice = await this.results.releaseChoice(memberId)
      const released = (await this.results.all(memberId))
        .map((record) => this.view(record, choice, now))
        .filter((view): view is LabResultView & { reading: Reading } => view.reading !== undefined)
      return pageOf(released, { page, pageSize })
    })
  }

  /** One released result; a waiting one is not found, as another member's is (and audited so). */
  async releasedResult(viewing: Viewing, rawId: unknown): Promise<LabResultView & { reading: Reading }> {
    const now = this.clock()
    return this.access.viewRecord(viewing, { type: 'lab-result', id: rawId }, async (memberId, id) => {
      const record = await this.results.find(memberId, id)
      const view = record && this.view(record, await this.results.releaseChoice(memberId), now)
      return view?.reading ? { ...view, reading: view.reading } : undefined
    })
  }

  /** One result; its trend holds only released values of the same test, its chart in the reader's language. */
  async showResult(
    viewing: Viewing,
    rawId: unknown,
    language: Language = 'en',
  ): Promise<{ result: LabResultView; trend?: Trend; choice: ReleaseChoice | null }> {
    const now = this.clock()
    const { record, history, choice } = await this.access.viewRecord(
      viewing,
      { type: 'lab-result', id: rawId },
      async (memberId, id) => {
        const found = await this.results.findWithHistory(memberId, id)
        return found && { ...found, choice: await this.results.releaseChoice(memberId) }
      },
    )
    const result = this.view(record, choice, now)
    if (!result.reading) return { result, choice }
    const released = history
      .map((past) => ({ past, view: this.view(past, choice, now) }))
      .filter(({ view }) => view.reading !== undefined)
    if (released.length < 2) return { result, choice }
    const rows = released.map(({ view }) => ({
      id: view.id,
      collectedAt: view.collectedAt,
      value: view.reading!.value,
      unit: view.reading!.unit,
      flag: view.reading!.flag,
    }))
    const numeric = released.filter(({ past }) => past.numericValue !== null)
    if (numeric.length < 2) return { result, trend: { rows }, choice }
    const points = numeric.map(({ past, view }) => ({
      collectedAt: past.collectedAt,
      value: past.numericValue!,
      flag: view.reading!.flag,
    }))
    const range = { low: record.referenceLow ?? undefined, high: record.referenceHigh ?? undefined }
    const draw = (layout: TrendLayout) =>
      trendChart(record.testName, record.unit ?? undefined, points, range, layout, language)
    return { result, trend: { rows, chart: draw('wide'), phoneChart: draw('narrow') }, choice }
  }

  /** The viewed member's choice of when to see results (their own, or a child's set by the parent). */
  async releaseChoice(viewing: Viewing): Promise<ReleaseChoice | null> {
    return this.results.releaseChoice(viewing.memberId)
  }

  /** The signed-on member's own settings: their choice and whether new results are emailed to them. */
  async ownSettings(viewing: Viewing): Promise<{ choice: ReleaseChoice | null; emails: boolean }> {
    return {
      choice: await this.results.releaseChoice(viewing.memberId),
      emails: await this.results.newResultEmails(viewing.actorUserId),
    }
  }

  async setNewResultEmails(viewing: Viewing, on: boolean): Promise<void> {
    await this.results.setNewResultEmails(viewing.actorUserId, on)
    await this.audit.record({ ...who(viewing), action: on ? 'new-result-emails.on' : 'new-result-emails.off' })
  }

  /** Saves the choice; it applies to every result not yet shown (a shown one stays shown). Audited. */
  async chooseRelease(
    viewing: Viewing,
    body: unknown,
    otherErrors: FormError[] = [],
  ): Promise<{ ok: true } | { ok: false; errors: FormError[] }> {
    const form = parseForm(choiceForm, body)
    if (!form.ok || otherErrors.length > 0)
      return { ok: false, errors: [...(form.ok ? [] : form.errors), ...otherErrors] }
    await this.results.setReleaseChoice(viewing.memberId, form.value.choice)
    await this.audit.record({
      ...who(viewing),
      action: 'lab-release-choice.change',
      targetType: 'member',
      targetId: viewing.memberId,
      detail: { choice: form.value.choice },
    })
    return { ok: true }
  }

  /**
   * "See it now": a result waiting only for the member's own choice is shown at once (audited). A result that is
   * not waiting for that (shown already, or held by state law or a clinician) is left as it is: the caller shows
   * its page, which says why. Another member's id, or none, is a 404 (audited).
   */
  async showEarly(viewing: Viewing, rawId: unknown): Promise<{ id: number; shown: boolean }> {
    const now = this.clock()
    const id = recordId(rawId)
    const found = id === undefined ? undefined : await this.results.find(viewing.memberId, id)
    if (!found) {
      await this.audit.record({
        ...who(viewing),
        action: 'lab-result.shown-early-denied',
        targetType: 'lab-result',
        targetId: typeof rawId === 'string' ? rawId.slice(0, 64) : undefined,
      })
      throw new NotFoundError()
    }
    const release = this.view(found, await this.results.releaseChoice(viewing.memberId), now).release
    if (release.state !== 'held' || release.reason !== 'member-choice') return { id: found.id, shown: false }
    await this.db.transaction(async (trx) => {
      await this.results.markShownEarly(found.id, viewing.actorUserId, now, trx)
      // They have seen it: no email about it.
      await this.results.markReleased(found.id, now, { noticeDue: false }, trx)
      await this.audit.record(
        { ...who(viewing), action: 'lab-result.shown-early', targetType: 'lab-result', targetId: found.id },
        trx,
      )
    })
    return { id: found.id, shown: true }
  }

  /**
   * Records the release of every result whose time has come (final with nothing to wait for, a hold or a wait
   * ended, a review), once each, with its new-result notice in the same transaction. Run by the worker's
   * schedule; an office review calls it for the one result. Returns how many were released.
   */
  async releaseDue(only?: number, batch = 500): Promise<number> {
    let released = 0
    let afterId = 0
    for (;;) {
      const ids = only === undefined ? await this.results.unreleasedIds(afterId, batch) : [only]
      for (const id of ids) if (await this.releaseIfDue(id)) released += 1
      if (only !== undefined || ids.length < batch) return released
      afterId = ids[ids.length - 1]
    }
  }

  /** One result's release, with its notice and audit row in one transaction; false when it is not due or done. */
  private async releaseIfDue(id: number): Promise<boolean> {
    const found = await this.results.findForRelease(id)
    if (!found || found.record.releasedAt) return false
    const now = this.clock()
    if (releaseOf(found.record, found.choice, this.stateLaw, now).state !== 'released') return false
    return this.db.transaction(async (trx) => {
      if (!(await this.results.markReleased(id, now, { noticeDue: true }, trx))) return false
      await addToOutbox(trx, this.clock, { queue: notificationQueue, jobName: newResultJob, payload: { resultId: id } })
      await this.audit.record(
        {
          actorUserId: null,
          subjectMemberId: found.memberId,
          action: 'lab-result.release',
          targetType: 'lab-result',
          targetId: id,
        },
        trx,
      )
      return true
    })
  }

  // The office side: the department's results to review, a result, "Mark reviewed" and "Hold to talk first".

  private async department(staff: StaffActor) {
    const department = await this.staffDepartment(staff.userId)
    if (!department) throw new ForbiddenError()
    return department
  }

  private staffAudit(staff: StaffActor) {
    return { actorUserId: staff.userId, requestId: staff.requestId, ip: staff.ip?.slice(0, 45) }
  }

  /** The department's results not reviewed yet, oldest first, abnormal ones marked, with why each waits. */
  async resultsToReview(staff: StaffActor) {
    const department = await this.department(staff)
    const now = this.clock()
    const rows = await this.results.toReview(department.id)
    await this.audit.record({
      ...this.staffAudit(staff),
      action: 'office-results.list',
      targetType: 'department',
      targetId: department.id,
    })
    return {
      department,
      results: rows.map((row) => ({
        id: row.record.id,
        memberName: row.memberName,
        mrn: row.mrn,
        testName: row.record.testName,
        finalAt: row.record.finalAt,
        abnormal: row.record.flag !== null && row.record.flag !== 'normal',
        release: releaseOf(row.record, row.choice, this.stateLaw, now),
      })),
    }
  }

  /** One result ordered in the staff member's department; any other id is a 404 (audited). */
  async officeResult(staff: StaffActor, rawId: unknown) {
    const department = await this.department(staff)
    const id = recordId(rawId)
    const found = id === undefined ? undefined : await this.results.forDepartment(department.id, id)
    if (!found) {
      await this.audit.record({
        ...this.staffAudit(staff),
        action: 'lab-result.view-denied',
        targetType: 'lab-result',
        targetId: typeof rawId === 'string' ? rawId.slice(0, 64) : undefined,
      })
      throw new NotFoundError()
    }
    await this.audit.record({
      ...this.staffAudit(staff),
      subjectMemberId: found.memberId,
      action: 'lab-result.office-view',
      targetType: 'lab-result',
      targetId: found.record.id,
    })
    const now = this.clock()
    const hold = found.record.hold
    const activeHold = hold && !hold.liftedAt && hold.endsAt.getTime() > now.getTime() ? hold : undefined
    return {
      department,
      ...found,
      release: releaseOf(found.record, found.choice, this.stateLaw, now),
      reading: readingOf(found.record),
      stateLawHold: found.record.stateLawKind ? this.stateLaw.kinds[found.record.stateLawKind] : undefined,
      activeHold: activeHold ? { endsAt: activeHold.endsAt, reason: found.holdReason } : undefined,
      latestHoldEnd: latestHoldEnd(now),
    }
  }

  /** "Mark reviewed", with an optional note the member reads with the result. Audited; releases it if due. */
  async review(staff: StaffActor, rawId: unknown, body: unknown): Promise<FormError[] | undefined> {
    const view = await this.officeResult(staff, rawId)
    if (view.record.reviewedAt) return [{ href: '#note', text: 'This result has been reviewed already' }]
    const form = parseForm(reviewForm, body)
    if (!form.ok) return form.errors
    if (view.stateLawHold && !form.value.discussed)
      return [
        {
          href: '#discussed',
          text: 'State law keeps this result offline until someone has talked with the member: confirm you have',
        },
      ]
    const now = this.clock()
    const note = form.value.note === '' ? null : form.value.note
    await this.db.transaction(async (trx) => {
      await this.results.markReviewed(
        view.record.id,
        { userId: staff.userId, at: now, note, discussed: form.value.discussed },
        trx,
      )
      const audit = { ...this.staffAudit(staff), subjectMemberId: view.memberId, targetType: 'lab-result' }
      await this.audit.record({ ...audit, action: 'lab-result.review', targetId: view.record.id }, trx)
      if (note) await this.audit.record({ ...audit, action: 'lab-result.note', targetId: view.record.id }, trx)
    })
    await this.releaseDue(view.record.id)
    return undefined
  }

  /** "Hold to talk first": this one result, with the reason, until a day at most 14 days on. Audited. */
  async hold(staff: StaffActor, rawId: unknown, body: unknown): Promise<FormError[] | undefined> {
    const view = await this.officeResult(staff, rawId)
    if (view.record.reviewedAt) return [{ href: '#reason', text: 'This result has been reviewed already' }]
    const form = parseForm(holdForm, body)
    if (!form.ok) return form.errors
    const now = this.clock()
    const endsAt = new Date(now.getTime() + form.value.days * 24 * 60 * 60 * 1000)
    await this.db.transaction(async (trx) => {
      const holdId = await this.results.addHold(
        view.record.id,
        { reason: form.value.reason, userId: staff.userId, at: now, endsAt },
        trx,
      )
      await this.audit.record(
        {
          ...this.staffAudit(staff),
          subjectMemberId: view.memberId,
          action: 'lab-result.hold',
          targetType: 'lab-result',
          targetId: view.record.id,
          // The reason stays in the department: the audit keeps only which hold and until when.
          detail: { holdId, endsAt: endsAt.toISOString() },
        },
        trx,
      )
    })
    return undefined
  }
}

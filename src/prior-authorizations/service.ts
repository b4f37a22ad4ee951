import type { Viewing } from '../viewing/middleware'
import type { Clock } from '../platform/clock'
import type { Db } from '../platform/db'
import type { SentEmails } from '../platform/sent-emails'
import { addToOutbox } from '../platform/outbox'
import { loadPage, type Paged } from '../platform/pagination'
import type { RecordAccess } from '../viewing/record-access'
import { NotFoundError } from '../platform/errors'
import { translatorFor } from '../platform/i18n'
import { authorizationChangedMessage } from './emails'
import type { AuthorizationChange, AuthorizationRecord, AuthorizationRepository } from './repository'
import { authorizationStatuses, decisionDueBy, effectiveStatus, statusKey, unitsLeft } from './rules'

/** The email job that tells a member a prior authorization changed; it carries the authorization's id only. */
export const authorizationNoticeJob = 'prior-authorization-changed'
export const authorizationNoticeQueue = 'office-message-notifications'

export const authorizationsPerPage = 10

/** An authorization as the pages show it: the record, its status as it stands today, and what comes next. */
export interface AuthorizationView extends AuthorizationRecord {
  shownStatus: AuthorizationRecord['status']
  /** The status as a message key, for pages and letters. */
  statusKey: string
  /** The status in English, for the API (FHIR's disposition), which is not translated. */
  statusText: string
  decisionDueBy?: Date
  unitsLeft: number | null
}

/**
 * Prior authorizations: the member's pages, the API's searches, and changes from the plan's utilization
 * management system, each of which emails the member a notice through the outbox.
 */
export class PriorAuthorizationService {
  constructor(
    private readonly deps: {
      db: Db
      repository: AuthorizationRepository
      access: RecordAccess
      sentEmails: SentEmails
      clock: Clock
      publicUrl: string
      /** Member Services' number (HELP_PHONE), which every email gives. */
      helpPhone: string
    },
  ) {}

  private view(record: AuthorizationRecord): AuthorizationView {
    const shownStatus = effectiveStatus(record, this.deps.clock())
    return {
      ...record,
      shownStatus,
      statusKey: statusKey(shownStatus),
      statusText: translatorFor('en')(statusKey(shownStatus)),
      ...(record.status === 'pending' ? { decisionDueBy: decisionDueBy(record) } : {}),
      unitsLeft: unitsLeft(record),
    }
  }

  /** The member's authorizations, newest request first, a page at a time (audited as one list view). */
  async list(
    viewing: Viewing,
    page: number,
    options: { pageSize?: number; changedSince?: Date } = {},
  ): Promise<Paged<AuthorizationView>> {
    const pageSize = options.pageSize ?? authorizationsPerPage
    const paged = await this.deps.access.viewRecords(
      viewing,
      { type: 'prior-authorization', detail: { page } },
      (memberId) =>
        loadPage(
          { page, pageSize },
          () => this.deps.repository.count(memberId, options.changedSince),
          (offset, limit) => this.deps.repository.list(memberId, { changedSince: options.changedSince, offset, limit }),
        ),
    )
    return { ...paged, items: paged.items.map((record) => this.view(record)) }
  }

  /** One authorization of the member's; another member's id is a 404, audited. */
  async show(viewing: Viewing, rawId: unknown): Promise<AuthorizationView> {
    const record = await this.deps.access.viewRecord(
      viewing,
      { type: 'prior-authorization', id: rawId },
      (memberId, id) => this.deps.repository.find(memberId, id),
    )
    return this.view(record)
  }

  /**
   * A change from the plan's utilization management system (a decision, units used, a cancellation). It is
   * in the pages and the API as soon as this returns; the member's notice is queued in the same transaction.
   */
  async recordChange(authorizationId: number, change: AuthorizationChange): Promise<void> {
    if (!authorizationStatuses.includes(change.status)) throw new Error(`Unknown status ${String(change.status)}`)
    const { db, clock, repository } = this.deps
    await db.transaction(async (trx) => {
      const now = clock()
      if (!(await repository.applyChange(authorizationId, change, now, trx))) throw new NotFoundError()
      await addToOutbox(trx, clock, {
        queue: authorizationNoticeQueue,
        jobName: authorizationNoticeJob,
        payload: { authorizationId },
      })
    })
  }

  /** Sends the notice of a change, once per job (a retried job finds it sent). */
  async sendChangeNotice(authorizationId: number, jobKey: string): Promise<'sent' | 'skipped'> {
    const { sentEmails, repository, publicUrl, helpPhone } = this.deps
    return sentEmails.sendOnce(jobKey, authorizationNoticeJob, async () => {
      const contact = await repository.noticeContact(authorizationId)
      if (!contact?.email) return undefined
      return {
        email: authorizationChangedMessage(
          contact.email,
          `${publicUrl}/coverage/authorizations/${authorizationId}`,
          helpPhone,
          contact.language,
        ),
        userId: contact.userId,
      }
    })
  }
}

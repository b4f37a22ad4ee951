import type { Redis } from 'ioredis'
import { MembershipThrottledError, type MembershipService } from '../accounts/membership'
import type { SentEmails } from '../platform/sent-emails'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import { NotFoundError, type Problem, RuleBrokenError } from '../platform/errors'
import type { FormError } from '../platform/forms'
import { addToOutbox } from '../platform/outbox'
import { loadPage, type Paged } from '../platform/pagination'
import { recordId } from '../platform/record-id'
import { FailureThrottle } from '../platform/throttle'
import { message } from '../platform/i18n'
import { accessGrantedMessage } from './emails'
import { type GrantFormValues, parseGrantForm } from './forms'
import { describeAction } from './history'
import type { FamilyRepository, GrantRow } from './repository'
import type { Viewing } from '../viewing/middleware'
import { who } from '../viewing/record-access'
import { adultAge, ageOn, childAccess, grantedTools, grantInForce, type MemberTool } from '../viewing/rules'

/** The email job that tells a member someone gave them access; it carries the grant's id only. */
export const grantNoticeJob = 'proxy-access-granted'
export const grantNoticeQueue = 'office-message-notifications'

/** Grants (each emails someone) a member may make in a day. */
export const grantsPerDay = 10

export interface GrantGiven {
  id: number
  name: string
  tools: MemberTool[]
  endsOn: string | null
  status: 'active' | 'ended' | 'revoked'
}

/** One line of the access history: who and what are message keys (i18n.ts), read in the member's language. */
export interface AccessHistoryEntry {
  at: Date
  who: string
  what: string
}

/** Thrown when access cannot be given to the member named: not found, not an adult, no account, too many today. */
export class GrantRefusedError extends RuleBrokenError {
  constructor(
    problems: Problem[],
    /** What was typed, to show again. */
    readonly values: GrantFormValues,
  ) {
    super(problems)
  }
}

export type GrantOutcome =
  { ok: true; granteeName: string; created: boolean } | { ok: false; errors: FormError[]; values: GrantFormValues }

const fullName = (row: { firstName: string; lastName: string }) => `${row.firstName} ${row.lastName}`

/**
 * Proxy access: the grants a member gives and revokes (whom they may act for is `ViewingService`'s), the email that tells the grantee, and each member's access history.
 */
export class FamilyService {
  private readonly grantCap: FailureThrottle

  constructor(
    private readonly repository: FamilyRepository,
    private readonly membership: Pick<MembershipService, 'matchMembership'>,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly sentEmails: SentEmails,
    private readonly publicUrl: string,
    /** Member Services' number (HELP_PHONE), for the grant email and the throttled answer. */
    private readonly helpPhone: string,
    throttles: { redis: Redis; prefix: string },
  ) {
    this.grantCap = new FailureThrottle(
      throttles.redis,
      `${throttles.prefix}:proxy-grants`,
      grantsPerDay,
      86_400,
      86_400,
    )
  }

  private today(): string {
    return planDate(this.clock())
  }

  /** The switcher's choice, audited so the member sees in their history when someone started acting for them. */
  async recordSwitch(viewing: Viewing): Promise<void> {
    await this.audit.record({ ...who(viewing), action: 'proxy-access.switch' })
  }

  /** Whether the member is old enough to give someone access to their records. */
  async mayGrant(memberId: number): Promise<boolean> {
    const birthDate = await this.repository.birthDateOf(memberId)
    return birthDate !== undefined && ageOn(birthDate, this.today()) >= adultAge
  }

  /** The grants a member has given: who, which tools, until when, and whether they still work. */
  async grantsGiven(memberId: number): Promise<GrantGiven[]> {
    const today = this.today()
    return (await this.repository.grantsGiven(memberId)).map((grant: GrantRow) => ({
      id: grant.id,
      name: fullName(grant),
      tools: grantedTools(grant.tools),
      endsOn: grant.endsOn,
      status: grant.revokedAt ? 'revoked' : grantInForce(grant, today) ? 'active' : 'ended',
    }))
  }

  /** The member's parents and guardians, who may see their records while they are under 18. */
  async guardiansOf(memberId: number): Promise<{ name: string; relationship: string }[]> {
    const birthDate = await this.repository.birthDateOf(memberId)
    if (!birthDate || childAccess(birthDate, this.today()).kind === 'none') return []
    return (await this.repository.guardiansOf(memberId)).map((guardian) => ({
      name: fullName(guardian),
      relationship: guardian.relationship,
    }))
  }

  /**
   * Gives another adult member access to some of the grantor's tools (or changes what they had). The grantee is
   * named as on their member ID card and matched through the roster, with its throttle; they must be 18 or over
   * and have an account. The grant, its audit row and the email's outbox row are written together.
   */
  async grantAccess(grantor: Viewing, body: unknown): Promise<GrantOutcome> {
    const form = parseGrantForm(body, this.today())
    if (!form.ok) return form
    const fail = (text: string) => new GrantRefusedError([{ field: 'firstName', text }], form.values)
    if (await this.grantCap.isBlocked(String(grantor.memberId)))
      throw fail(message('family:errors.grantCap', { max: grantsPerDay }))
    let match
    try {
      match = await this.membership.matchMembership(form.value, grantor.ip ?? 'unknown')
    } catch (error) {
      if (error instanceof MembershipThrottledError)
        throw fail(message('family:errors.throttled', { phone: this.helpPhone }))
      throw error
    }
    if (!match) throw fail('family:errors.noMatch')
    const grantee = match.member
    if (grantee.id === grantor.memberId) throw fail('family:errors.self')
    if (ageOn(String(grantee.birth_date), this.today()) < adultAge) throw fail('family:errors.notAdult')
    if (!match.hasAccount) throw fail('family:errors.noAccount')
    const now = this.clock()
    const saved = await this.repository.transaction(async (trx) => {
      const result = await this.repository.saveGrant(
        {
          grantorMemberId: grantor.memberId,
          granteeMemberId: grantee.id,
          tools: form.value.tools,
          endsOn: form.value.endsOn,
          now,
        },
        trx,
      )
      await this.audit.record(
        {
          ...who(grantor),
          action: result.created ? 'proxy-grant.create' : 'proxy-grant.change',
          targetType: 'proxy-grant',
          targetId: result.id,
          detail: { granteeMemberId: grantee.id, tools: form.value.tools, endsOn: form.value.endsOn },
        },
        trx,
      )
      await addToOutbox(trx, this.clock, {
        queue: grantNoticeQueue,
        jobName: grantNoticeJob,
        payload: { grantId: result.id },
      })
      return result
    })
    await this.grantCap.recordFailure(String(grantor.memberId))
    return {
      ok: true,
      granteeName: fullName({ firstName: grantee.first_name, lastName: grantee.last_name }),
      created: saved.created,
    }
  }

  /** Revokes one of the member's own grants; it stops working on the grantee's next request. */
  async revoke(grantor: Viewing, rawId: unknown): Promise<void> {
    const id = recordId(rawId)
    const revoked =
      id !== undefined &&
      (await this.repository.transaction(async (trx) => {
        if (!(await this.repository.revokeGrant(grantor.memberId, id, this.clock(), trx))) return false
        await this.audit.record(
          { ...who(grantor), action: 'proxy-grant.revoke', targetType: 'proxy-grant', targetId: id },
          trx,
        )
        return true
      }))
    if (!revoked) {
      await this.audit.record({
        ...who(grantor),
        action: 'proxy-grant.revoke-denied',
        targetType: 'proxy-grant',
        targetId: typeof rawId === 'string' ? rawId.slice(0, 64) : undefined,
      })
      throw new NotFoundError()
    }
  }

  /**
   * The worker's job: tells the grantee who gave them access and how to use it — a name and a link, no health
   * information. Sent once per job (recorded in sent_emails); nothing is sent once the grant is revoked.
   */
  async sendGrantNotice(grantId: number, jobKey: string): Promise<'sent' | 'skipped'> {
    return this.sentEmails.sendOnce(jobKey, grantNoticeJob, async () => {
      const notice = await this.repository.grantNotice(grantId)
      if (!notice?.email || notice.revoked_at) return undefined
      return {
        email: accessGrantedMessage(
          notice.email,
          fullName({ firstName: notice.first_name, lastName: notice.last_name }),
          `${this.publicUrl}/sign-on`,
          this.helpPhone,
          notice.language,
        ),
        userId: notice.user_id,
      }
    })
  }

  /** Who has done what with the member's records, newest first, 20 to a page, in words. */
  async accessHistory(viewing: Viewing, page: number): Promise<Paged<AccessHistoryEntry>> {
    const subject = viewing.memberId
    const entries = await loadPage(
      { page, pageSize: 20 },
      () => this.repository.countAccessHistory(subject),
      (offset, limit) => this.repository.accessHistory(subject, offset, limit),
    )
    await this.audit.record({ ...who(viewing), action: 'access-history.view', detail: { page: entries.page } })
    return {
      ...entries,
      items: entries.items.map((row) => ({
        at: row.at,
        what: describeAction(row.action),
        who:
          row.actorUserId === null
            ? 'family:history.portal'
            : row.actorUserId === viewing.actorUserId
              ? 'family:history.you'
              : row.actorRole && row.actorRole !== 'member'
                ? row.actorName
                  ? message('family:history.staff', { name: row.actorName })
                  : 'family:history.staffUnnamed'
                : row.actorName
                  ? message('family:history.member', { name: row.actorName })
                  : 'family:history.aMember',
      })),
    }
  }
}

import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import type { ActableMember, ProxyDirectory } from './middleware'
import type { ViewingRepository } from './repository'
import { childAccess, grantedTools, grantInForce, memberTools } from './rules'

const fullName = (row: { firstName: string; lastName: string }) => `${row.firstName} ${row.lastName}`

/** Whom a signed-on member may act for, with which tools, and the audit row when they ask beyond it. */
export class ViewingService implements ProxyDirectory {
  constructor(
    private readonly repository: ViewingRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * The members this person may act for today, themselves first (none for staff): children under 12 (every tool), teens (their
   * limited tools), and adults whose grant is in force (the tools they chose). Ages come from birth dates and
   * today's date on the clock, so a child turning 18 drops out on their birthday without anything stored.
   * The pages' switcher reads it on every request, and so can anything else that acts for a member (an API).
   */
  async membersActedFor(user: {
    role: string
    memberId: number | null
    displayName?: string
  }): Promise<ActableMember[]> {
    if (user.role !== 'member' || !user.memberId) return []
    const today = planDate(this.clock())
    const relations = await this.repository.relationsOf(user.memberId)
    const { children, grants } = relations
    const self: ActableMember = {
      memberId: user.memberId,
      name: user.displayName ?? relations.self?.name ?? '',
      relationship: 'self',
      tools: memberTools,
      accessHistory: true,
      unreadReplies: relations.self?.unreadReplies ?? 0,
      summary: relations.self?.summary,
    }
    const others = new Map<number, ActableMember>()
    for (const child of children) {
      const access = childAccess(child.birthDate, today)
      if (access.kind === 'none') continue
      others.set(child.memberId, {
        memberId: child.memberId,
        name: fullName(child),
        relationship: access.kind,
        tools: access.tools,
        accessHistory: access.kind === 'child',
        unreadReplies: child.unreadReplies,
        summary: child.summary,
      })
    }
    for (const grant of grants) {
      // The look-up reads unrevoked grants only.
      if (!grantInForce({ revokedAt: null, endsOn: grant.endsOn }, today)) continue
      const tools = grantedTools(grant.tools)
      const existing = others.get(grant.grantorMemberId)
      // A teen's grant to their parent adds to what the parent may already use.
      if (existing) existing.tools = memberTools.filter((tool) => existing.tools.includes(tool) || tools.includes(tool))
      else
        others.set(grant.grantorMemberId, {
          memberId: grant.grantorMemberId,
          name: fullName(grant),
          relationship: 'grant',
          tools,
          accessHistory: false,
          endsOn: grant.endsOn,
          unreadReplies: grant.unreadReplies,
          summary: grant.summary,
        })
    }
    const sorted = [...others.values()].sort((a, b) => a.name.localeCompare(b.name))
    return [self, ...sorted]
  }

  /** A proxy asked for a page outside their scope, or for someone they may not act for: audited, then a 404. */
  async recordRefusal(entry: Parameters<ProxyDirectory['recordRefusal']>[0]): Promise<void> {
    await this.audit.record({
      actorUserId: entry.actorUserId,
      subjectMemberId: entry.subjectMemberId,
      action: 'proxy-access.denied',
      targetType: 'page',
      targetId: entry.page,
      requestId: entry.requestId,
      ip: entry.ip,
      appClientId: entry.appClientId,
    })
  }
}

import { type MemberSummary, summaryColumns, summaryJoins, toMemberSummary } from '../members/summary'
import { unreadReplies } from '../messages/unread'
import { Db, preparedQuery } from '../platform/db'

/** What the look-up reads with each member: their name, unread office replies and the summary member pages show. */
interface Related {
  memberId: number
  firstName: string
  lastName: string
  birthDate: string
  unreadReplies: number
  summary: MemberSummary
}

/** Whom a member may act for, as stored (whether each still counts is the rules'), each one `Related`. */
export interface Relations {
  self: ({ name: string } & Related) | undefined
  children: (Related & { relationship: 'parent' | 'guardian' })[]
  /** Unrevoked grants received, from the grantor; `endsOn` is the grant's last day, if it ends. */
  grants: (Related & { id: number; grantorMemberId: number; endsOn: string | null; tools: string[] })[]
}

/** Whom `member` may act for (see `ViewingRepository.relationsOf`), with each one's unread office replies. */
function relationsQuery(db: Db, member: string | number) {
  const unread = unreadReplies(db, db.ref('m.id')).as('unread')
  const self = summaryJoins(db('members as m'))
    .where('m.id', member)
    .select(
      db.raw("'self' as kind"),
      ...summaryColumns,
      db.raw('null as relationship, null as grant_id, null as ends_on, null as created_at, null as tools'),
      unread,
    )
  const children = summaryJoins(db('guardianships as g').join('members as m', 'm.id', 'g.child_member_id'))
    .where('g.guardian_member_id', member)
    .select(
      db.raw("'child' as kind"),
      ...summaryColumns,
      'g.relationship',
      db.raw('null as grant_id, null as ends_on, null as created_at, null as tools'),
      unread,
    )
  const grants = summaryJoins(db('proxy_grants as g').join('members as m', 'm.id', 'g.grantor_member_id'))
    .where('g.grantee_member_id', member)
    .whereNull('g.revoked_at')
    .select(
      db.raw("'grant' as kind"),
      ...summaryColumns,
      db.raw('null as relationship'),
      'g.id as grant_id',
      'g.ends_on',
      'g.created_at',
      db.raw("(select group_concat(t.tool separator ',') from proxy_grant_tools t where t.grant_id = g.id) as tools"),
      unread,
    )
  return self.unionAll([children, grants])
}

/** The per-request look-up of whom a signed-on member may act for. */
export class ViewingRepository {
  // Sent by every signed-on member page, so compiled once.
  private readonly relationRows: (memberId: number) => Promise<Record<string, unknown>[]>

  constructor(db: Db) {
    this.relationRows = preparedQuery<[number]>(db, 1, (member) => relationsQuery(db, member))
  }

  /**
   * The member, their children and the unrevoked grants they have received, each with its count of unread
   * office replies, in one statement: every signed-on member's request reads them (see
   * `ViewingService.membersActedFor` and the page header's message count), and separate look-ups cost four round
   * trips to the database on every page.
   */
  async relationsOf(memberId: number): Promise<Relations> {
    const rows = await this.relationRows(memberId)
    const result: Relations = { self: undefined, children: [], grants: [] }
    for (const row of rows) {
      const related: Related = {
        memberId: Number(row.id),
        firstName: String(row.first_name),
        lastName: String(row.last_name),
        birthDate: String(row.birth_date),
        unreadReplies: Number(row.unread),
        summary: toMemberSummary(row),
      }
      if (row.kind === 'self') result.self = { ...related, name: `${related.firstName} ${related.lastName}` }
      else if (row.kind === 'child')
        result.children.push({ ...related, relationship: row.relationship as 'parent' | 'guardian' })
      else
        result.grants.push({
          ...related,
          id: Number(row.grant_id),
          grantorMemberId: related.memberId,
          endsOn: row.ends_on === null ? null : String(row.ends_on),
          tools: row.tools ? String(row.tools).split(',') : [],
        })
    }
    return result
  }
}

import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import { unreadReplies } from './unread'

type Trx = Knex.Transaction | Db

export const topics = [
  'doctor-question',
  'medication-question',
  'test-result-question',
  'renewal-request',
  'other',
] as const
export type Topic = (typeof topics)[number]
export type ThreadStatus = 'waiting' | 'answered' | 'handled'

export interface Department {
  id: number
  name: string
  clinicName: string
}

export interface ThreadSummary {
  id: number
  topic: Topic
  subject: string
  status: ThreadStatus
  departmentName: string
  clinicName: string
  medication: string | null
  lastMessageAt: Date
  createdAt: Date
  unread: number
}

export interface Message {
  id: number
  author: 'member' | 'office'
  authorName: string
  /** For a member's message, whether someone acting for the member wrote it (a parent or another proxy). */
  writtenByProxy: boolean
  body: string
  createdAt: Date
  readAt: Date | null
}

export interface Thread extends ThreadSummary {
  memberId: number
  departmentId: number
  waitingSince: Date | null
  handledAt: Date | null
  messages: Message[]
}

export interface OfficeThreadSummary {
  id: number
  topic: Topic
  subject: string
  status: ThreadStatus
  medication: string | null
  rxNumber: string | null
  waitingSince: Date | null
  lastMessageAt: Date
  memberId: number
  firstName: string
  lastName: string
  mrn: string
  birthDate: string
}

const threadColumns = [
  't.id',
  't.member_id',
  't.department_id',
  't.topic',
  't.subject',
  't.status',
  't.waiting_since',
  't.last_message_at',
  't.handled_at',
  't.created_at',
  'd.name as department_name',
  'c.name as clinic_name',
  'md.name as medication',
]

function toSummary(row: Record<string, unknown>): ThreadSummary {
  return {
    id: Number(row.id),
    topic: row.topic as Topic,
    subject: String(row.subject),
    status: row.status as ThreadStatus,
    departmentName: String(row.department_name),
    clinicName: String(row.clinic_name),
    medication: (row.medication as string | null) ?? null,
    lastMessageAt: row.last_message_at as Date,
    createdAt: row.created_at as Date,
    unread: Number(row.unread ?? 0),
  }
}

/** All the SQL of messages with the doctor's office. Member reads always filter by the member id. */
export class MessageRepository {
  constructor(private readonly db: Db) {}

  private threads(trx: Trx) {
    return trx('message_threads as t')
      .join('departments as d', 'd.id', 't.department_id')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .leftJoin('medications as md', 'md.id', 't.medication_id')
  }

  /**
   * The departments a member may write to: their primary care doctor's first, then those of doctors they have
   * seen (a past visit), who ordered a test for them or prescribed one of their medicines.
   */
  async departmentsFor(memberId: number, now: Date, trx: Trx = this.db): Promise<Department[]> {
    const primary = await trx('members as m')
      .join('providers as p', 'p.id', 'm.pcp_provider_id')
      .join('departments as d', 'd.id', 'p.department_id')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .where('m.id', memberId)
      .first<{ id: number; name: string; clinic_name: string } | undefined>('d.id', 'd.name', 'c.name as clinic_name')
    const seenProviders = trx
      .select('provider_id as id')
      .from('appointments')
      .where({ member_id: memberId, status: 'booked' })
      .andWhere('starts_at', '<', now)
      .union((query) => query.select('ordering_provider_id').from('lab_results').where({ member_id: memberId }))
      .union((query) => query.select('prescriber_provider_id').from('medications').where({ member_id: memberId }))
    const seen: { id: number; name: string; clinic_name: string }[] = await trx('departments as d')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .whereIn('d.id', trx('providers').whereIn('id', seenProviders).select('department_id'))
      .orderBy(['c.name', 'd.name'])
      .select('d.id', 'd.name', 'c.name as clinic_name')
    const all = [...(primary ? [primary] : []), ...seen.filter((row) => row.id !== primary?.id)]
    return all.map((row) => ({ id: Number(row.id), name: row.name, clinicName: row.clinic_name }))
  }

  /** The department of a medicine's prescriber, where a renewal request goes. */
  async prescriberDepartment(memberId: number, medicationId: number, trx: Trx = this.db): Promise<number | undefined> {
    const row = await trx('medications as md')
      .join('providers as p', 'p.id', 'md.prescriber_provider_id')
      .where({ 'md.id': medicationId, 'md.member_id': memberId })
      .first<{ department_id: number | null } | undefined>('p.department_id')
    return row?.department_id ?? undefined
  }

  async createThread(
    thread: {
      memberId: number
      departmentId: number
      topic: Topic
      subject: string
      medicationId?: number
      renewalRequestId?: number
      at: Date
    },
    trx: Knex.Transaction,
  ): Promise<number> {
    const [id] = await trx('message_threads').insert({
      member_id: thread.memberId,
      department_id: thread.departmentId,
      topic: thread.topic,
      subject: thread.subject,
      medication_id: thread.medicationId ?? null,
      renewal_request_id: thread.renewalRequestId ?? null,
      status: 'waiting',
      waiting_since: thread.at,
      last_message_at: thread.at,
      created_at: thread.at,
    })
    return Number(id)
  }

  async addMessage(
    message: { threadId: number; author: 'member' | 'office'; authorUserId: number; body: string; at: Date },
    trx: Knex.Transaction,
  ): Promise<number> {
    const [id] = await trx('messages').insert({
      thread_id: message.threadId,
      author: message.author,
      author_user_id: message.authorUserId,
      body: message.body,
      created_at: message.at,
    })
    // A member's message puts the thread back in the office's queue; an office reply answers it.
    const change =
      message.author === 'member'
        ? {
            status: 'waiting',
            waiting_since: trx.raw('coalesce(waiting_since, ?)', [message.at]),
            handled_at: null,
            handled_by_user_id: null,
          }
        : { status: 'answered', waiting_since: null }
    await trx('message_threads')
      .where({ id: message.threadId })
      .update({ ...change, last_message_at: message.at })
    return Number(id)
  }

  /** The member's conversations, newest activity first, each with its count of unread office replies. */
  async threadsForMember(memberId: number, limit = 100, trx: Trx = this.db): Promise<ThreadSummary[]> {
    const rows = await this.threads(trx)
      .where('t.member_id', memberId)
      .orderBy([
        { column: 't.last_message_at', order: 'desc' },
        { column: 't.id', order: 'desc' },
      ])
      .limit(limit)
      .select(
        ...threadColumns,
        trx.raw(
          "(select count(*) from messages m where m.thread_id = t.id and m.author = 'office' and m.read_at is null) as unread",
        ),
      )
    return rows.map(toSummary)
  }

  /** What the member (or someone acting for them) sent, newest first. */
  async sentByMember(memberId: number, limit = 100, trx: Trx = this.db) {
    const rows: Record<string, unknown>[] = await trx('messages as m')
      .join('message_threads as t', 't.id', 'm.thread_id')
      .join('departments as d', 'd.id', 't.department_id')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .where({ 't.member_id': memberId, 'm.author': 'member' })
      .orderBy('m.id', 'desc')
      .limit(limit)
      .select(
        'm.id',
        'm.created_at',
        't.id as thread_id',
        't.subject',
        'd.name as department_name',
        'c.name as clinic_name',
      )
    return rows.map((row) => ({
      id: Number(row.id),
      threadId: Number(row.thread_id),
      subject: String(row.subject),
      createdAt: row.created_at as Date,
      departmentName: String(row.department_name),
      clinicName: String(row.clinic_name),
    }))
  }

  async unreadCount(memberId: number, trx: Trx = this.db): Promise<number> {
    const row = await unreadReplies(trx, memberId).first()
    return Number(row?.n ?? 0)
  }

  /** One thread, scoped to the member or to the department asking: another's id is simply not found. */
  async findThread(
    scope: { memberId: number } | { departmentId: number },
    threadId: number,
    trx: Trx = this.db,
  ): Promise<Thread | undefined> {
    const query = this.threads(trx).where('t.id', threadId)
    if ('memberId' in scope) query.andWhere('t.member_id', scope.memberId)
    else query.andWhere('t.department_id', scope.departmentId)
    const row = await query.first(...threadColumns)
    if (!row) return undefined
    const messages: Record<string, unknown>[] = await trx('messages as m')
      .join('users as u', 'u.id', 'm.author_user_id')
      .where('m.thread_id', threadId)
      .orderBy('m.id')
      .select('m.id', 'm.author', 'm.body', 'm.created_at', 'm.read_at', 'u.display_name', 'u.member_id')
    return {
      ...toSummary(row),
      unread: messages.filter((message) => message.author === 'office' && !message.read_at).length,
      memberId: Number(row.member_id),
      departmentId: Number(row.department_id),
      waitingSince: (row.waiting_since as Date | null) ?? null,
      handledAt: (row.handled_at as Date | null) ?? null,
      messages: messages.map((message) => ({
        id: Number(message.id),
        author: message.author as 'member' | 'office',
        authorName: String(message.display_name),
        writtenByProxy: message.author === 'member' && Number(message.member_id) !== Number(row.member_id),
        body: String(message.body),
        createdAt: message.created_at as Date,
        readAt: (message.read_at as Date | null) ?? null,
      })),
    }
  }

  /** The member opened the thread: every office reply in it is read. */
  async markReadByMember(memberId: number, threadId: number, at: Date, trx: Trx = this.db): Promise<number> {
    return trx('messages')
      .whereIn('thread_id', trx('message_threads').where({ id: threadId, member_id: memberId }).select('id'))
      .andWhere({ author: 'office' })
      .whereNull('read_at')
      .update({ read_at: at })
  }

  /** The office opened the thread: the member's messages in it are read. */
  async markReadByOffice(threadId: number, at: Date, trx: Trx = this.db): Promise<void> {
    await trx('messages').where({ thread_id: threadId, author: 'member' }).whereNull('read_at').update({ read_at: at })
  }

  /**
   * The office is done with the thread. A renewal request's thread closes its request too: the office has answered
   * it, so the member's prescriptions page stops saying "you asked for a renewal" and lets them ask again.
   */
  async markHandled(departmentId: number, threadId: number, userId: number, at: Date): Promise<void> {
    await this.db.transaction(async (trx) => {
      const changed = await trx('message_threads')
        .where({ id: threadId, department_id: departmentId })
        .whereNot('status', 'handled')
        .update({ status: 'handled', waiting_since: null, handled_at: at, handled_by_user_id: userId })
      if (changed === 0) return
      await trx('renewal_requests')
        .where('status', 'open')
        .whereIn(
          'id',
          trx('message_threads')
            .where({ id: threadId })
            .whereNotNull('renewal_request_id')
            .select('renewal_request_id'),
        )
        .update({ status: 'closed' })
    })
  }

  /**
   * A department's inbox: threads waiting for a reply, oldest first; then those answered but not yet marked
   * handled, most recent first.
   */
  async officeInbox(departmentId: number, limit = 200, trx: Trx = this.db) {
    const base = () =>
      trx('message_threads as t')
        .join('members as mb', 'mb.id', 't.member_id')
        .leftJoin('medications as md', 'md.id', 't.medication_id')
        .where('t.department_id', departmentId)
        .limit(limit)
        .select(
          't.id',
          't.topic',
          't.subject',
          't.status',
          't.waiting_since',
          't.last_message_at',
          'md.name as medication',
          'md.rx_number',
          'mb.id as member_id',
          'mb.first_name',
          'mb.last_name',
          'mb.mrn',
          'mb.birth_date',
        )
    const waiting = await base()
      .where('t.status', 'waiting')
      .orderBy([{ column: 't.waiting_since' }, { column: 't.id' }])
    const answered = await base()
      .where('t.status', 'answered')
      .orderBy([
        { column: 't.last_message_at', order: 'desc' },
        { column: 't.id', order: 'desc' },
      ])
    const map = (row: Record<string, unknown>): OfficeThreadSummary => ({
      id: Number(row.id),
      topic: row.topic as Topic,
      subject: String(row.subject),
      status: row.status as ThreadStatus,
      medication: (row.medication as string | null) ?? null,
      rxNumber: (row.rx_number as string | null) ?? null,
      waitingSince: (row.waiting_since as Date | null) ?? null,
      lastMessageAt: row.last_message_at as Date,
      memberId: Number(row.member_id),
      firstName: String(row.first_name),
      lastName: String(row.last_name),
      mrn: String(row.mrn),
      birthDate: String(row.birth_date),
    })
    return { waiting: waiting.map(map), answered: answered.map(map) }
  }

  /** The department an office account works in. */
  async staffDepartment(userId: number, trx: Trx = this.db): Promise<Department | undefined> {
    const row = await trx('users as u')
      .join('departments as d', 'd.id', 'u.department_id')
      .join('clinics as c', 'c.id', 'd.clinic_id')
      .where({ 'u.id': userId, 'u.role': 'office' })
      .first<{ id: number; name: string; clinic_name: string } | undefined>('d.id', 'd.name', 'c.name as clinic_name')
    return row && { id: Number(row.id), name: row.name, clinicName: row.clinic_name }
  }

  async memberOf(memberId: number, trx: Trx = this.db) {
    return trx('members')
      .where({ id: memberId })
      .first<{ first_name: string; last_name: string; mrn: string; birth_date: string }>(
        'first_name',
        'last_name',
        'mrn',
        'birth_date',
      )
  }

  // What the notice worker reads: ids and yes/no answers only, never the words of a message.

  async officeMessage(messageId: number, trx: Trx = this.db) {
    const row = await trx('messages as m')
      .join('message_threads as t', 't.id', 'm.thread_id')
      .where({ 'm.id': messageId, 'm.author': 'office' })
      .first<{ member_id: number; read_at: Date | null } | undefined>('t.member_id', 'm.read_at')
    return row && { memberId: Number(row.member_id), read: Boolean(row.read_at) }
  }

  /** The newest office reply to the member still unread, after the given one. */
  async newestUnreadAfter(memberId: number, afterMessageId: number, trx: Trx = this.db): Promise<number | undefined> {
    const row = await trx('messages as m')
      .join('message_threads as t', 't.id', 'm.thread_id')
      .where({ 't.member_id': memberId, 'm.author': 'office' })
      .andWhere('m.id', '>', afterMessageId)
      .whereNull('m.read_at')
      .max<{ id: number | null }>('m.id as id')
      .first()
    return row?.id ? Number(row.id) : undefined
  }

  /**
   * Records a notice (or a window's follow-up) for a reply and, only if it is new, its outbox row, in one
   * transaction: a repeated job records nothing twice. Returns whether it was new.
   */
  async recordNotice(
    notice: { kind: 'notice' | 'follow-up'; memberId: number; messageId: number; at: Date },
    outbox: (trx: Knex.Transaction, noticeId: number) => Promise<unknown>,
  ): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const [id] = await trx('office_reply_notices')
        .insert({ kind: notice.kind, member_id: notice.memberId, message_id: notice.messageId, created_at: notice.at })
        .onConflict(['message_id', 'kind'])
        .ignore()
      if (!id) return false
      await outbox(trx, Number(id))
      return true
    })
  }

  async notice(id: number, trx: Trx = this.db) {
    const row = await trx('office_reply_notices')
      .where({ id })
      .first<{ member_id: number; message_id: number } | undefined>('member_id', 'message_id')
    return row && { memberId: Number(row.member_id), messageId: Number(row.message_id) }
  }

  /** Where an office-reply notice goes: the member's own account, if it has an email and wants these. */
  async noticeRecipients(memberId: number, trx: Trx = this.db) {
    return trx('users as u')
      .join('members as m', 'm.id', 'u.member_id')
      .where({ 'u.member_id': memberId, 'u.role': 'member', 'u.office_reply_emails': true })
      .whereNotNull('u.email')
      .select<{ id: number; email: string; language: string }[]>('u.id', 'u.email', 'm.preferred_language as language')
  }
}

import type { Knex } from 'knex'
import { z } from 'zod'
import type { Viewing } from '../viewing/middleware'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import type { Db } from '../platform/db'
import { ForbiddenError, NotFoundError } from '../platform/errors'
import { fieldError, FormError, parseForm, text } from '../platform/forms'
import { addToOutbox } from '../platform/outbox'
import { RecordAccess, who } from '../viewing/record-access'
import { recordId } from '../platform/record-id'
import { translatorFor } from '../platform/i18n'
import { Department, MessageRepository, Topic, topics } from './repository'
import type { RenewalThreadRequest } from '../prescriptions/service'

export const subjectMaxLength = 100
export const bodyMaxLength = 2000

/** Each topic in English, for the office's pages (English only); member pages read `messages:topics.<topic>`. */
export const topicWords = Object.fromEntries(
  topics.map((topic) => [topic, translatorFor('en')(`messages:topics.${topic}`)]),
) as Record<Topic, string>

export const notificationQueue = 'office-message-notifications'

// Control characters have no place in a message; line breaks and tabs stay, Windows line ends become plain ones.
const plainText = (value: unknown) =>
  typeof value === 'string' ? value.replace(/\r\n?/g, '\n').replace(/[^\P{Cc}\n\t]/gu, '') : value

const bodyField = z.preprocess(
  plainText,
  text('messages:fields.message', { max: bodyMaxLength, missing: 'messages:errors.bodyMissing' }),
)

const notUrgentField = z.preprocess(
  (value) => (value === 'yes' ? 'yes' : ''),
  z.literal('yes', {
    error: 'messages:errors.notUrgent',
  }),
)

const newMessageForm = z.object({
  topic: z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.enum(topics, { error: 'messages:errors.topic' }),
  ),
  department: z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.string().regex(/^[1-9]\d{0,9}$/, 'messages:errors.department'),
  ),
  subject: z.preprocess(
    plainText,
    text('messages:fields.subject', { max: subjectMaxLength, missing: 'messages:errors.subjectMissing' }).refine(
      (value) => !value.includes('\n'),
      'messages:errors.subjectOneLine',
    ),
  ),
  body: bodyField,
  notUrgent: notUrgentField,
})

const memberReplyForm = z.object({ body: bodyField, notUrgent: notUrgentField })
const officeReplyForm = z.object({
  body: z.preprocess(
    plainText,
    text('messages:fields.reply', { max: bodyMaxLength, missing: 'messages:errors.replyMissing' }),
  ),
})

export type SendOutcome = { ok: true; threadId: number } | { ok: false; errors: FormError[] }

/** The member's age in whole years on the plan's calendar day. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number)
  const [ty, tm, td] = today.split('-').map(Number)
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

/** How long a thread has waited, in words an office reads at a glance ("3 hours", "2 days"). */
export function waitedFor(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000))
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`
  if (minutes < 60) return minutes < 1 ? 'less than a minute' : plural(minutes, 'minute')
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return plural(hours, 'hour')
  return plural(Math.floor(hours / 24), 'day')
}

/**
 * Messages between members and their doctor's office. Member reads go through `RecordAccess` with the
 * member of the viewing scope; what a member sends records who acted (the actor's user id), so someone
 * acting for a family member is on record. An office reply queues its email notice through the outbox.
 */
export class MessageService {
  constructor(
    private readonly db: Db,
    private readonly repository: MessageRepository,
    private readonly recordAccess: RecordAccess,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async departments(viewing: Viewing): Promise<Department[]> {
    return this.repository.departmentsFor(viewing.memberId, this.clock())
  }

  async send(viewing: Viewing, body: unknown): Promise<SendOutcome> {
    const form = parseForm(newMessageForm, body)
    const departments = await this.departments(viewing)
    const departmentId = recordId((body as Record<string, unknown> | undefined)?.department)
    const errors = form.ok ? [] : [...form.errors]
    if (departmentId !== undefined && !departments.some((department) => department.id === departmentId))
      errors.push(fieldError('department', 'messages:errors.department'))
    if (!form.ok || errors.length > 0) return { ok: false, errors: ordered(errors) }
    const at = this.clock()
    const threadId = await this.db.transaction(async (trx) => {
      const id = await this.repository.createThread(
        {
          memberId: viewing.memberId,
          departmentId: departmentId!,
          topic: form.value.topic,
          subject: form.value.subject,
          at,
        },
        trx,
      )
      const messageId = await this.repository.addMessage(
        {
          threadId: id,
          author: 'member',
          authorUserId: viewing.actorUserId,
          body: form.value.body,
          at,
        },
        trx,
      )
      await this.audit.record(
        {
          ...who(viewing),
          action: 'message.send',
          targetType: 'message',
          targetId: messageId,
          detail: { threadId: id },
        },
        trx,
      )
      return id
    })
    return { ok: true, threadId }
  }

  async reply(viewing: Viewing, threadId: unknown, body: unknown): Promise<SendOutcome> {
    const thread = await this.openThread(viewing, threadId, { markRead: false })
    const form = parseForm(memberReplyForm, body)
    if (!form.ok) return form
    await this.db.transaction(async (trx) => {
      const messageId = await this.repository.addMessage(
        {
          threadId: thread.id,
          author: 'member',
          authorUserId: viewing.actorUserId,
          body: form.value.body,
          at: this.clock(),
        },
        trx,
      )
      await this.audit.record(
        {
          ...who(viewing),
          action: 'message.send',
          targetType: 'message',
          targetId: messageId,
          detail: { threadId: thread.id },
        },
        trx,
      )
    })
    return { ok: true, threadId: thread.id }
  }

  async inbox(viewing: Viewing) {
    return this.recordAccess.viewRecords(viewing, { type: 'message-thread' }, (memberId) =>
      this.repository.threadsForMember(memberId),
    )
  }

  async sent(viewing: Viewing) {
    return this.recordAccess.viewRecords(viewing, { type: 'message', action: 'message.list-sent' }, (memberId) =>
      this.repository.sentByMember(memberId),
    )
  }

  /** One of the member's threads; opening it marks the office's replies read. */
  async openThread(viewing: Viewing, id: unknown, options: { markRead: boolean } = { markRead: true }) {
    const thread = await this.recordAccess.viewRecord(viewing, { type: 'message-thread', id }, (memberId, threadId) =>
      this.repository.findThread({ memberId }, threadId),
    )
    if (options.markRead && thread.unread > 0)
      await this.repository.markReadByMember(viewing.memberId, thread.id, this.clock())
    return thread
  }

  /** Unread office replies, for the navigation and home: a count, not a view of any message. */
  async unreadCount(viewing: Viewing): Promise<number> {
    return this.repository.unreadCount(viewing.memberId)
  }

  /**
   * A renewal request from the prescriptions tool becomes a thread of its own topic, in the transaction that
   * stores the request, to the prescriber's department (or the member's primary care one).
   */
  async openRenewalThread(renewal: RenewalThreadRequest, trx: Knex.Transaction): Promise<number> {
    const departmentId =
      (await this.repository.prescriberDepartment(renewal.memberId, renewal.medicationId, trx)) ??
      (await this.repository.departmentsFor(renewal.memberId, renewal.at, trx))[0]?.id
    if (departmentId === undefined) throw new Error(`Member ${renewal.memberId} has no department to write to`)
    // The member asked in their language: the request reads as they would have written it.
    const t = translatorFor(renewal.language)
    const threadId = await this.repository.createThread(
      {
        memberId: renewal.memberId,
        departmentId,
        topic: 'renewal-request',
        subject: t('messages:renewal.subject', { medication: renewal.medicationName }).slice(0, subjectMaxLength),
        medicationId: renewal.medicationId,
        renewalRequestId: renewal.renewalRequestId,
        at: renewal.at,
      },
      trx,
    )
    await this.repository.addMessage(
      {
        threadId,
        author: 'member',
        authorUserId: renewal.actorUserId,
        body: t('messages:renewal.body', { medication: renewal.medicationName }),
        at: renewal.at,
      },
      trx,
    )
    return threadId
  }

  // The office side: staff see and answer only their own department's threads.

  private async department(staffUserId: number): Promise<Department> {
    const department = await this.repository.staffDepartment(staffUserId)
    if (!department) throw new ForbiddenError()
    return department
  }

  async officeInbox(staff: StaffActor) {
    const department = await this.department(staff.userId)
    const inbox = await this.repository.officeInbox(department.id)
    await this.audit.record({
      actorUserId: staff.userId,
      action: 'office-inbox.view',
      targetType: 'department',
      targetId: department.id,
      requestId: staff.requestId,
      ip: staff.ip,
    })
    const now = this.clock()
    const today = planDate(now)
    const describe = (thread: (typeof inbox.waiting)[number]) => ({
      ...thread,
      age: ageOn(thread.birthDate, today),
      waited: thread.waitingSince ? waitedFor(thread.waitingSince, now) : undefined,
    })
    return { department, waiting: inbox.waiting.map(describe), answered: inbox.answered.map(describe) }
  }

  /** A thread of the staff member's department, or 404 (audited) for any other id. */
  async officeThread(staff: StaffActor, id: unknown) {
    const department = await this.department(staff.userId)
    const threadId = recordId(id)
    const thread =
      threadId === undefined ? undefined : await this.repository.findThread({ departmentId: department.id }, threadId)
    const audit = { actorUserId: staff.userId, requestId: staff.requestId, ip: staff.ip, targetType: 'message-thread' }
    if (!thread) {
      await this.audit.record({
        ...audit,
        action: 'message-thread.view-denied',
        targetId: typeof id === 'string' ? id.slice(0, 64) : undefined,
      })
      throw new NotFoundError()
    }
    await this.audit.record({
      ...audit,
      action: 'message-thread.view',
      targetId: thread.id,
      subjectMemberId: thread.memberId,
    })
    await this.repository.markReadByOffice(thread.id, this.clock())
    const member = await this.repository.memberOf(thread.memberId)
    const now = this.clock()
    return {
      department,
      thread,
      member: { ...member, age: ageOn(member.birth_date, planDate(now)) },
      waited: thread.waitingSince ? waitedFor(thread.waitingSince, now) : undefined,
    }
  }

  /** An office reply: stored, and its email notice queued in the same transaction. */
  async officeReply(staff: StaffActor, id: unknown, body: unknown): Promise<SendOutcome> {
    const { thread } = await this.officeThread(staff, id)
    const form = parseForm(officeReplyForm, body)
    if (!form.ok) return form
    await this.db.transaction(async (trx) => {
      const messageId = await this.repository.addMessage(
        {
          threadId: thread.id,
          author: 'office',
          authorUserId: staff.userId,
          body: form.value.body,
          at: this.clock(),
        },
        trx,
      )
      await addToOutbox(trx, this.clock, { queue: notificationQueue, jobName: 'office-reply', payload: { messageId } })
      await this.audit.record(
        {
          actorUserId: staff.userId,
          subjectMemberId: thread.memberId,
          action: 'message.reply',
          targetType: 'message',
          targetId: messageId,
          detail: { threadId: thread.id },
          requestId: staff.requestId,
          ip: staff.ip,
        },
        trx,
      )
    })
    return { ok: true, threadId: thread.id }
  }

  async markHandled(staff: StaffActor, id: unknown): Promise<void> {
    const { thread, department } = await this.officeThread(staff, id)
    await this.repository.markHandled(department.id, thread.id, staff.userId, this.clock())
    await this.audit.record({
      actorUserId: staff.userId,
      subjectMemberId: thread.memberId,
      action: 'message-thread.handled',
      targetType: 'message-thread',
      targetId: thread.id,
      requestId: staff.requestId,
      ip: staff.ip,
    })
  }
}

export interface StaffActor {
  userId: number
  requestId?: string
  ip?: string
}

const fieldOrder = ['#topic', '#department', '#subject', '#body', '#notUrgent']

/** Errors in the order of the form's fields, so the summary follows the page. */
function ordered(errors: FormError[]): FormError[] {
  const unique = errors.filter((error, index) => errors.findIndex((other) => other.href === error.href) === index)
  return unique.sort((a, b) => fieldOrder.indexOf(a.href) - fieldOrder.indexOf(b.href))
}

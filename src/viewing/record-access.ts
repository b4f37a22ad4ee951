import type { AuditLog } from '../platform/audit'
import { NotFoundError } from '../platform/errors'
import { recordId } from '../platform/record-id'
import type { Viewing } from './middleware'

/**
 * The one authorization check and audit call that every view of health information goes through. Loaders
 * are given the member id of the viewing scope and must filter by it, so another member's record is simply
 * not found: the visitor gets a 404 that says nothing about whether it exists, and the attempt is audited.
 */
export class RecordAccess {
  constructor(private readonly audit: AuditLog) {}

  /** One record, by the id from the address; `type` names it in the audit trail ("lab-result" → "lab-result.view"). */
  async viewRecord<T>(
    viewing: Viewing,
    target: { type: string; id: unknown },
    load: (memberId: number, id: number) => Promise<T | undefined>,
  ): Promise<T> {
    const id = recordId(target.id)
    const record = id === undefined ? undefined : await load(viewing.memberId, id)
    if (record === undefined) {
      await this.audit.record({
        ...who(viewing),
        action: `${target.type}.view-denied`,
        targetType: target.type,
        targetId: typeof target.id === 'string' ? target.id.slice(0, 64) : undefined,
      })
      throw new NotFoundError()
    }
    await this.audit.record({ ...who(viewing), action: `${target.type}.view`, targetType: target.type, targetId: id })
    return record
  }

  /**
   * A page or document built from the member's records (a list, a PDF). `action` defaults to "<type>.list";
   * `detail` is for ids and page numbers, never health information.
   */
  async viewRecords<T>(
    viewing: Viewing,
    what: { type: string; action?: string; targetId?: string | number; detail?: Record<string, unknown> },
    load: (memberId: number) => Promise<T>,
  ): Promise<T> {
    const records = await load(viewing.memberId)
    await this.audit.record({
      ...who(viewing),
      action: what.action ?? `${what.type}.list`,
      targetType: what.type,
      targetId: what.targetId,
      detail: what.detail,
    })
    return records
  }
}

/** Who acted and for whom, as every audit row of a member tool records it. */
export function who(viewing: Viewing) {
  return {
    actorUserId: viewing.actorUserId,
    subjectMemberId: viewing.memberId,
    requestId: viewing.requestId,
    ip: viewing.ip,
    appClientId: viewing.appClientId,
  }
}

import type { Roster } from '../members/types'
import type { AuditLog } from '../platform/audit'
import type { Clock } from '../platform/clock'
import { NotFoundError } from '../platform/errors'
import type { AppRegistration } from './clients'
import type { AppAccessRecord, SmartRepository } from './repository'
import { FhirResourceType, grantedTypes, scopeWords } from './scopes'

export interface ConnectedApp {
  id: number
  appName: string
  /** Whose records it reads: the member's own, or someone they act for. */
  patientName: string
  forSelf: boolean
  reads: string[]
  grantedAt: Date
}

/**
 * The apps a member has let read records: recorded at consent, listed and revoked in account settings.
 * Revoking deletes the grant's tokens in the authorization server, so the app's next call fails.
 */
export class ConnectedAppService {
  constructor(
    private readonly repository: SmartRepository,
    private readonly members: Pick<Roster, 'findSummary'>,
    private readonly apps: AppRegistration[],
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly revokeGrant: (grantId: string) => Promise<void>,
  ) {}

  appName(clientId: string): string {
    return this.apps.find((app) => app.client_id === clientId)?.client_name ?? clientId
  }

  /** What a scope lets an app read, in words, for the consent page and the settings list. */
  reads(scope: string): { type: FhirResourceType; words: string }[] {
    return grantedTypes(scope).map((type) => ({ type, words: scopeWords[type] }))
  }

  async recordConsent(access: { grantId: string; userId: number; memberId: number; clientId: string; scope: string }) {
    const grantedAt = this.clock()
    await this.repository.recordAccess({ ...access, grantedAt })
    await this.audit.record({
      actorUserId: access.userId,
      subjectMemberId: access.memberId,
      action: 'app-access.grant',
      targetType: 'app',
      targetId: access.clientId,
      appClientId: access.clientId,
    })
  }

  /** The grant's record while it has not been revoked. */
  async activeGrant(grantId: string): Promise<AppAccessRecord | undefined> {
    const access = await this.repository.findByGrant(grantId)
    return access && !access.revokedAt ? access : undefined
  }

  async list(user: { id: number; memberId: number | null }): Promise<ConnectedApp[]> {
    const rows = await this.repository.activeForUser(user.id)
    return Promise.all(
      rows.map(async (row) => {
        const member = await this.members.findSummary(row.memberId)
        return {
          id: row.id,
          appName: this.appName(row.clientId),
          patientName: member ? `${member.firstName} ${member.lastName}` : 'Unknown',
          forSelf: row.memberId === user.memberId,
          reads: this.reads(row.scope).map((read) => read.words),
          grantedAt: row.grantedAt,
        }
      }),
    )
  }

  /**
   * The member takes an app's access away. Another member's id (or one already revoked, or made up) is not
   * found, and the attempt is audited like a refused view of a record.
   */
  async revoke(
    user: { id: number; memberId: number | null },
    rawId: unknown,
    request: { requestId?: string; ip?: string },
  ): Promise<string> {
    const userId = user.id
    const id = typeof rawId === 'string' && /^[1-9]\d{0,9}$/.test(rawId) ? Number(rawId) : undefined
    const access = id === undefined ? undefined : await this.repository.findActiveForUser(userId, id)
    if (!access) {
      await this.audit.record({
        actorUserId: userId,
        subjectMemberId: user.memberId,
        action: 'app-access.revoke-denied',
        targetType: 'app-access',
        targetId: typeof rawId === 'string' ? rawId.slice(0, 64) : undefined,
        requestId: request.requestId,
        ip: request.ip,
      })
      throw new NotFoundError()
    }
    await this.revokeGrant(access.grantId)
    await this.repository.markRevoked(access.grantId, this.clock())
    await this.audit.record({
      actorUserId: userId,
      subjectMemberId: access.memberId,
      action: 'app-access.revoke',
      targetType: 'app',
      targetId: access.clientId,
      appClientId: access.clientId,
      requestId: request.requestId,
      ip: request.ip,
    })
    return this.appName(access.clientId)
  }

  /** The authorization server revoked a grant itself (a refresh token used twice, or the app signing out). */
  async grantEnded(grantId: string): Promise<void> {
    await this.repository.markRevoked(grantId, this.clock())
  }
}

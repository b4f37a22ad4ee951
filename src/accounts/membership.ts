import type { Redis } from 'ioredis'
import type { Roster, RosterEntry } from '../members/types'
import { RuleBrokenError } from '../platform/errors'
import { FailureThrottle } from '../platform/throttle'
import type { UserRepository } from './repository'

export interface MembershipDetails {
  firstName: string
  lastName: string
  birthDate: string
  mrn: string
}

/** The roster entry the typed membership details matched, and whether it already has an account. */
export interface MembershipMatch {
  member: RosterEntry
  hasAccount: boolean
}

/**
 * Thrown when membership details have missed too often from the address or against the MRN: none are checked
 * until the hour's block ends (429). Its problem is the recovery pages' words; another page may word it its own way.
 */
export class MembershipThrottledError extends RuleBrokenError {
  override readonly status = 429
  constructor() {
    super([{ field: 'firstName', text: 'accounts:errors.tooManyAttempts' }])
  }
}

/** Names match whatever their case, accents or surrounding and doubled spaces ("  maría  garcía" = "Maria Garcia"). */
export function sameName(typed: string, onFile: string): boolean {
  const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()
  return fold(typed) === fold(onFile)
}

/**
 * Who on the roster typed these membership details, and whether they already have an account: asked by
 * registration (step 1) and by recovery (forgot user ID, a new letter by mail).
 */
export class MembershipService {
  private readonly ipThrottle: FailureThrottle
  private readonly mrnThrottle: FailureThrottle

  constructor(
    private readonly members: Pick<Roster, 'findByMrn'>,
    private readonly users: UserRepository,
    throttles: { redis: Redis; prefix: string },
  ) {
    // Guessing memberships: 20 misses an hour from one address, or 5 against one MRN, block for an hour.
    this.ipThrottle = new FailureThrottle(throttles.redis, `${throttles.prefix}:membership-ip`, 20, 3600, 3600)
    this.mrnThrottle = new FailureThrottle(throttles.redis, `${throttles.prefix}:membership-mrn`, 5, 3600, 3600)
  }

  /**
   * Matches typed membership details against the roster: undefined when they match no one. A miss says nothing
   * about which detail was wrong or whether the MRN exists, and counts against both the address and the MRN;
   * while either is blocked, a `MembershipThrottledError`.
   */
  async matchMembership(details: MembershipDetails, ip: string): Promise<MembershipMatch | undefined> {
    const [ipBlocked, mrnBlocked] = await Promise.all([
      this.ipThrottle.isBlocked(ip),
      this.mrnThrottle.isBlocked(details.mrn),
    ])
    if (ipBlocked || mrnBlocked) throw new MembershipThrottledError()
    const member = await this.members.findByMrn(details.mrn)
    const matches =
      member !== undefined &&
      member.birth_date === details.birthDate &&
      sameName(details.firstName, member.first_name) &&
      sameName(details.lastName, member.last_name)
    if (!matches) {
      await Promise.all([this.ipThrottle.recordFailure(ip), this.mrnThrottle.recordFailure(details.mrn)])
      return undefined
    }
    await this.mrnThrottle.clear(details.mrn)
    return { member, hasAccount: await this.users.hasAccount(member.id) }
  }
}

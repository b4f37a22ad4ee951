import type { Db } from '../platform/db'
import { planDate } from '../platform/dates'

/** The CMS Patient Access API figures for one calendar year. */
export interface ApiUsage {
  year: number
  /** Unique members whose data went to an app they chose, at least once in the year. */
  membersReached: number
  /** Of those, the members whose data went to an app more than once. */
  membersReachedMoreThanOnce: number
}

export const firstReportYear = 2020
export const lastReportYear = 2100

/** The first instant of 1 January of the year in the plan's time zone (California: -08:00 in winter). */
export function startOfPlanYear(year: number): Date {
  // Midnight UTC, moved by the zone's offset on that day: 08:00 UTC is midnight in Los Angeles in January.
  const midnightUtc = new Date(Date.UTC(year, 0, 1))
  for (let hours = 0; hours <= 14; hours++) {
    const candidate = new Date(midnightUtc.getTime() + hours * 3_600_000)
    if (planDate(candidate) === `${year}-01-01`) return candidate
  }
  return midnightUtc
}

/**
 * Counts, from the audit trail, the members whose records an app read through the API: an audit row with an app
 * client id, for a member, that is a read (not a refused one, not a consent or revocation). Each API request is
 * one transfer (a request writes several rows when it reads several records); a member with two or more
 * requests in the year counts again in "more than once". See docs/operations.md, "The CMS usage figures".
 */
export class ApiUsageReport {
  constructor(private readonly db: Db) {}

  async forYear(year: number): Promise<ApiUsage> {
    const perMember = this.db('audit_log')
      .whereNotNull('app_client_id')
      .whereNotNull('subject_member_id')
      .andWhere('at', '>=', startOfPlanYear(year))
      .andWhere('at', '<', startOfPlanYear(year + 1))
      .andWhereNot('action', 'like', '%.view-denied')
      .andWhereNot('action', 'like', 'app-access.%')
      .andWhereNot('action', 'like', 'proxy-access.%')
      .groupBy('subject_member_id')
      .select('subject_member_id')
      .select(this.db.raw('COUNT(DISTINCT COALESCE(request_id, CONCAT("row-", id))) as transfers'))
    const row = await this.db
      .from(perMember.as('m'))
      .first(
        this.db.raw('COUNT(*) as reached'),
        this.db.raw('COALESCE(SUM(CASE WHEN transfers > 1 THEN 1 ELSE 0 END), 0) as again'),
      )
    return {
      year,
      membersReached: Number(row?.reached ?? 0),
      membersReachedMoreThanOnce: Number(row?.again ?? 0),
    }
  }
}

/** The figures as a CSV file: a header row and one row for the year. */
export function usageCsv(usage: ApiUsage): string {
  return [
    'year,unique_members_data_sent_to_app,unique_members_data_sent_to_app_more_than_once',
    `${usage.year},${usage.membersReached},${usage.membersReachedMoreThanOnce}`,
    '',
  ].join('\r\n')
}

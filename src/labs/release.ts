import { addBusinessDays } from '../platform/dates'

/** How soon a member may see a result online, decided by the kind of test. */
export type ReleaseCategory = 'routine' | 'standard' | 'sensitive' | 'never-online'

/** Business days a result is held before it is shown online, so the doctor can review it and call first. */
export const holdBusinessDays: Record<Exclude<ReleaseCategory, 'never-online'>, number> = {
  routine: 0,
  standard: 3,
  sensitive: 7,
}

export type Release =
  { state: 'released' } | { state: 'held'; releasesAt: Date; businessDays: number } | { state: 'never-online' }

/**
 * Routine panels are shown as soon as they are resulted; most other results after 3 business days;
 * sensitive ones (pathology, genetics, imaging reports) after 7; some (HIV, for example) never online.
 */
export function releaseOf(category: ReleaseCategory, resultedAt: Date, now: Date): Release {
  if (category === 'never-online') return { state: 'never-online' }
  const businessDays = holdBusinessDays[category]
  const releasesAt = addBusinessDays(resultedAt, businessDays)
  return releasesAt.getTime() <= now.getTime() ? { state: 'released' } : { state: 'held', releasesAt, businessDays }
}

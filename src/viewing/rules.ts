/** The member tools, in the order the navigation lists them; proxy access grants some of them and not others. */
export const memberTools = ['labs', 'prescriptions', 'messages', 'appointments', 'vaccinations', 'coverage'] as const
export type MemberTool = (typeof memberTools)[number]

/**
 * Each tool's page, and its name and what it is for as message keys (locales/<language>/viewing.json), which a
 * page prints with `tm`: the navigation, the home page and the family pages show them.
 */
export const toolPages: Record<MemberTool, { path: string; name: string; description: string }> = {
  labs: { path: '/labs', name: 'viewing:tools.labs.name', description: 'viewing:tools.labs.description' },
  prescriptions: {
    path: '/prescriptions',
    name: 'viewing:tools.prescriptions.name',
    description: 'viewing:tools.prescriptions.description',
  },
  messages: {
    path: '/messages',
    name: 'viewing:tools.messages.name',
    description: 'viewing:tools.messages.description',
  },
  appointments: {
    path: '/appointments',
    name: 'viewing:tools.appointments.name',
    description: 'viewing:tools.appointments.description',
  },
  vaccinations: {
    path: '/vaccinations',
    name: 'viewing:tools.vaccinations.name',
    description: 'viewing:tools.vaccinations.description',
  },
  coverage: {
    path: '/coverage',
    name: 'viewing:tools.coverage.name',
    description: 'viewing:tools.coverage.description',
  },
}

/** The pages that belong to the member being viewed without being a tool: their home and access history. */
export type SubjectPage = MemberTool | 'home' | 'access-history'

/** What one member may use for another: the tools, and whether the access history is theirs to read. */
export interface Scope {
  tools: readonly MemberTool[]
  accessHistory: boolean
}

/** Whether the scope covers the page. */
export function scopeAllows(scope: Scope, page: SubjectPage): boolean {
  if (page === 'home') return true
  if (page === 'access-history') return scope.accessHistory
  return scope.tools.includes(page)
}

/** The tools a scope allows, as navigation links (in the navigation's order). */
export function navigationFor(scope: Scope): { path: string; name: string; description: string }[] {
  return memberTools.filter((tool) => scope.tools.includes(tool)).map((tool) => toolPages[tool])
}

/** Below this age a parent or guardian uses every tool for the child. */
export const childAgeLimit = 12
/** From this age nobody acts for the member as their parent: an adult grants access themselves. */
export const adultAge = 18

/**
 * What a parent or guardian may do for a teen (12–17): the vaccination record, routine appointments and
 * messages to the office. Lab results, prescriptions and claims stay with the teen: their confidential care
 * stays confidential.
 */
export const teenTools: readonly MemberTool[] = memberTools.filter((tool) =>
  (['vaccinations', 'appointments', 'messages'] as string[]).includes(tool),
)

/** Whole years between a birth date and a day (both YYYY-MM-DD): the member's age on that day. */
export function ageOn(birthDate: string, day: string): number {
  const [birthYear, birthMonthDay] = [Number(birthDate.slice(0, 4)), birthDate.slice(5)]
  const [year, monthDay] = [Number(day.slice(0, 4)), day.slice(5)]
  // Someone born on 29 February has their birthday on 1 March in other years.
  return year - birthYear - (monthDay < birthMonthDay ? 1 : 0)
}

export type ChildAccess =
  { kind: 'child'; tools: readonly MemberTool[] } | { kind: 'teen'; tools: readonly MemberTool[] } | { kind: 'none' }

/** What a parent or guardian may use for their child today, worked out from the birth date each time. */
export function childAccess(birthDate: string, today: string): ChildAccess {
  const age = ageOn(birthDate, today)
  if (age < 0) return { kind: 'none' }
  if (age < childAgeLimit) return { kind: 'child', tools: memberTools }
  if (age < adultAge) return { kind: 'teen', tools: teenTools }
  return { kind: 'none' }
}

/** A grant works from when it is made until it is revoked, through its last day (in the plan's time zone). */
export function grantInForce(grant: { revokedAt: Date | null; endsOn: string | null }, today: string): boolean {
  if (grant.revokedAt) return false
  return grant.endsOn === null || today <= grant.endsOn
}

/** The tools a grant names, in the portal's order; names that are not tools (an old or tampered row) count for nothing. */
export function grantedTools(names: readonly string[]): MemberTool[] {
  return memberTools.filter((tool) => names.includes(tool))
}

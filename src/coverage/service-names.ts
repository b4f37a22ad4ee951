import { sharedI18n, translatorFor } from '../platform/i18n'
import type { BenefitRecord, ClaimRecord } from './types'

const english = () => translatorFor('en')

/** The service categories the portal has words for in every language (locales/<language>/coverage.json). */
function knownCategories(): string[] {
  return Object.keys((sharedI18n().getResource('en', 'coverage', 'services') as Record<string, unknown>) ?? {})
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
  const t = english()
  const code = knownCategories().find((each) => t(`coverage:services.${each}.name`) === claim.serviceDescription)
  return { ...claim, label: code ? `coverage:services.${code}.name` : claim.serviceDescription }
}

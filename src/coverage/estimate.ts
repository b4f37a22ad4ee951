/** How a service is shared between the plan and the member. */
export type CostShare = { kind: 'copay'; copayCents: number } | { kind: 'coinsurance'; percent: number }

export interface Accumulators {
  deductibleCents: number
  deductibleMetCents: number
  outOfPocketMaxCents: number
  outOfPocketMetCents: number
}

export interface CostEstimate {
  allowedCents: number
  /** Paid toward what is left of the deductible. */
  deductibleCents: number
  copayCents: number
  coinsuranceCents: number
  /** What the member would pay: the parts above, capped by what is left of the out-of-pocket maximum. */
  memberPaysCents: number
  planPaysCents: number
  /** True when the out-of-pocket maximum lowered the amount. */
  cappedByOutOfPocket: boolean
  deductibleLeftCents: number
  outOfPocketLeftCents: number
}

/**
 * What a member would pay for one service, in whole cents. Copay services cost the copay (no more than the price or what
 * is left of the out-of-pocket maximum). For coinsurance
 * services the member pays the allowed amount up to what is left of the deductible, then the coinsurance
 * percentage of the rest (rounded to the nearest cent), and never more than what is left of the
 * out-of-pocket maximum.
 */
export function estimateCost(share: CostShare, allowedCents: number, accumulators: Accumulators): CostEstimate {
  const deductibleLeftCents = Math.max(0, accumulators.deductibleCents - accumulators.deductibleMetCents)
  const outOfPocketLeftCents = Math.max(0, accumulators.outOfPocketMaxCents - accumulators.outOfPocketMetCents)
  if (share.kind === 'copay') {
    // Copays count toward the out-of-pocket maximum, so once it is met they stop; never more than the price.
    const copayCents = Math.min(share.copayCents, allowedCents)
    const memberPaysCents = Math.min(copayCents, outOfPocketLeftCents)
    return {
      allowedCents,
      deductibleCents: 0,
      copayCents,
      coinsuranceCents: 0,
      memberPaysCents,
      planPaysCents: allowedCents - memberPaysCents,
      cappedByOutOfPocket: memberPaysCents < copayCents,
      deductibleLeftCents,
      outOfPocketLeftCents,
    }
  }
  const deductibleCents = Math.min(allowedCents, deductibleLeftCents)
  const coinsuranceCents = Math.round(((allowedCents - deductibleCents) * share.percent) / 100)
  const uncapped = deductibleCents + coinsuranceCents
  const memberPaysCents = Math.min(uncapped, outOfPocketLeftCents)
  return {
    allowedCents,
    deductibleCents,
    copayCents: 0,
    coinsuranceCents,
    memberPaysCents,
    planPaysCents: allowedCents - memberPaysCents,
    cappedByOutOfPocket: memberPaysCents < uncapped,
    deductibleLeftCents,
    outOfPocketLeftCents,
  }
}

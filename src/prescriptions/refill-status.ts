import type { RefillStatus } from './types'

/**
 * Where a refill request may go from each status. The pharmacy's calls can arrive late, twice or out of order;
 * a call that would move a request backwards or out of an end state changes nothing. The pharmacy's word beats
 * our "failed": a last attempt that timed out may still have placed the order. "Ready" may still move on to
 * "shipped" (a pickup order mailed instead); "shipped" and "denied" are final.
 */
export const refillTransitions: Record<RefillStatus, readonly RefillStatus[]> = {
  requested: ['sent', 'ready', 'shipped', 'denied', 'failed'],
  sent: ['ready', 'shipped', 'denied'],
  failed: ['sent', 'ready', 'shipped', 'denied'],
  ready: ['shipped'],
  shipped: [],
  denied: [],
}

/** The statuses a request may reach `to` from. */
export function statusesBefore(to: RefillStatus): RefillStatus[] {
  return (Object.keys(refillTransitions) as RefillStatus[]).filter((from) => refillTransitions[from].includes(to))
}

const filled: readonly RefillStatus[] = ['ready', 'shipped']

/**
 * Whether a move fills the order and so uses a refill of each medicine: only the first move into a filled status.
 * "Ready" and then "shipped" is one fill, whichever of the two the pharmacy says first or how often.
 */
export function movesUseARefill(from: RefillStatus, to: RefillStatus): boolean {
  return filled.includes(to) && !filled.includes(from)
}

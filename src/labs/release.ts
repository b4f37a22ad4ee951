import fs from 'node:fs'
import { z } from 'zod'

/**
 * When a member may see a lab result online. The information-blocking rule (45 CFR 171) allows no blanket hold:
 * a result is shown as soon as it is final unless, in this order,
 *   1. state law holds this kind of test (the plan's state's table, config/state-law/), until a clinician has
 *      talked with the member about it;
 *   2. a clinician has held this one result for this one member, with a reason, until a date at most 14 days on
 *      (the preventing-harm exception, 45 CFR 171.201);
 *   3. the member chose to wait for their doctor's review, of sensitive results or of all (the privacy
 *      exception, 45 CFR 171.202(e)): until it is reviewed, 14 days at most, or until they choose to see it.
 * The first that applies is what the member reads. The pages, the trend, the API and the emails all ask this
 * one function, so a held value never reaches any of them.
 */

export const longestWaitDays = 14
const dayMs = 24 * 60 * 60 * 1000

export const releaseChoices = ['at-once', 'sensitive-after-review', 'all-after-review'] as const
export type ReleaseChoice = (typeof releaseChoices)[number]

/** The member's choices in their own words (message keys), for the lab page and account settings. */
export const releaseChoiceWords: Record<ReleaseChoice, string> = {
  'at-once': 'labs:choices.at-once',
  'sensitive-after-review': 'labs:choices.sensitive-after-review',
  'all-after-review': 'labs:choices.all-after-review',
}

/** One row of a state's table: a kind of test its law keeps off the internet until a clinician has talked with the patient. */
export interface StateLawHold {
  /** What the member reads: "an HIV test". */
  name: string
  /** The section that requires it, for the docs and the office page. */
  law: string
}

/** The plan's state's table, by kind of test; empty when the plan's state has none (the default). */
export interface StateLawTable {
  state?: string
  kinds: Record<string, StateLawHold>
}

export const noStateLaw: StateLawTable = { kinds: {} }

const tableSchema = z.object({
  state: z.string().min(2).max(40),
  source: z.string().min(1),
  kinds: z.record(
    z.string().regex(/^[a-z-]{1,30}$/),
    z.object({ name: z.string().min(1).max(80), law: z.string().min(1).max(120) }),
  ),
})

/** Reads a state's table (config/state-law/<state>.json); a mistyped file stops the process with its place named. */
export function loadStateLawTable(file: string | undefined): StateLawTable {
  if (!file) return noStateLaw
  const parsed = tableSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')))
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`)
  return { state: parsed.data.state, kinds: parsed.data.kinds }
}

/** What the rule needs to know about one result. */
export interface ReleaseFacts {
  finalAt: Date
  sensitive: boolean
  stateLawKind: string | null
  reviewedAt: Date | null
  discussedAt: Date | null
  shownEarlyAt: Date | null
  releasedAt: Date | null
  /** The clinician's hold in force or last set, if any. */
  hold: { endsAt: Date; liftedAt: Date | null } | null
}

export type Release =
  | { state: 'released' }
  | { state: 'held'; reason: 'state-law'; law: StateLawHold; kind: string }
  | { state: 'held'; reason: 'clinician'; until: Date }
  | { state: 'held'; reason: 'member-choice'; choice: Exclude<ReleaseChoice, 'at-once'>; until: Date }

/** Whether a result waits for the doctor's review under the member's choice. */
function waitsUnderChoice(choice: ReleaseChoice, sensitive: boolean): choice is Exclude<ReleaseChoice, 'at-once'> {
  return choice === 'all-after-review' || (choice === 'sensitive-after-review' && sensitive)
}

/** The rule itself: the first reason to wait that applies, or released. */
export function releaseOf(
  result: ReleaseFacts,
  choice: ReleaseChoice | null,
  stateLaw: StateLawTable,
  now: Date,
): Release {
  const at = now.getTime()
  const law = result.stateLawKind ? stateLaw.kinds[result.stateLawKind] : undefined
  if (law && result.stateLawKind && !result.discussedAt)
    return { state: 'held', reason: 'state-law', law, kind: result.stateLawKind }
  // A clinician's hold applies even to a result already shown: it is their judgement about this member now.
  const hold = result.hold
  if (hold && !hold.liftedAt && hold.endsAt.getTime() > at && !result.reviewedAt)
    return { state: 'held', reason: 'clinician', until: hold.endsAt }
  // Once released (by the sweep, a review or an early view), a result stays released whatever is chosen later.
  if (result.releasedAt && result.releasedAt.getTime() <= at) return { state: 'released' }
  const waiting = choice ?? 'at-once'
  if (waitsUnderChoice(waiting, result.sensitive) && !result.reviewedAt && !result.shownEarlyAt) {
    const until = new Date(result.finalAt.getTime() + longestWaitDays * dayMs)
    if (until.getTime() > at) return { state: 'held', reason: 'member-choice', choice: waiting, until }
  }
  return { state: 'released' }
}

/** The last moment a clinician's hold set now may run to. */
export function latestHoldEnd(now: Date): Date {
  return new Date(now.getTime() + longestWaitDays * dayMs)
}

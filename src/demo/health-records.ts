import fs from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import { z } from 'zod'
import { estimateCost } from '../coverage/estimate'
import { releaseChoices } from '../labs/release'
import { planDate } from '../platform/dates'

/**
 * The demo members' own records: lab results under each release rule (at once, a clinician's hold, a member's
 * wait, California's law), immunizations from birth on, coverage
 * partly met and a year of claims. The records are data in `data/*.json`; times there are offsets from the
 * seed's clock (days before it, months after a birth date) so the release rules show the same way whenever
 * the demo is loaded (a result from yesterday is still inside its hold).
 */

export interface SeededMember {
  id: number
  mrn: string
  firstName: string
  lastName: string
  birthDate: string
}

const hourMs = 60 * 60 * 1000
const dayMs = 24 * hourMs

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const text = z.string().min(1)
const byMrn = <T extends z.ZodType>(records: T) => z.record(z.string().regex(/^\d{8}$/), records)

const labsSchema = byMrn(
  z.object({
    about: text,
    /** The member's choice of when to see results; without it they have not chosen yet. */
    choice: z.enum(releaseChoices).optional(),
    series: z.array(
      z.object({
        code: text,
        name: text,
        panel: text.optional(),
        /** Pathology, genetics, imaging: what "wait for my doctor's review of sensitive results" covers. */
        sensitive: z.boolean().optional(),
        /** A kind in the state-law table (config/state-law/). */
        stateLaw: z
          .string()
          .regex(/^[a-z-]{1,30}$/)
          .optional(),
        unit: text.optional(),
        range: text.optional(),
        low: z.number().optional(),
        high: z.number().optional(),
        /** A key of the demo providers (`bell`, `park`, …). */
        provider: text,
        about: text.optional(),
        /** The newest result's review: the doctor's note, a talk recorded, or a clinician's hold with days left. */
        latest: z
          .object({
            note: text.optional(),
            discussed: z.boolean().optional(),
            hold: z.object({ reason: text, daysLeft: z.number().int().min(1).max(14) }).optional(),
          })
          .optional(),
        /** [days before the seed, value, flag]; a numeric value also feeds the trend. */
        results: z.array(
          z.tuple([z.number().int().min(0), text, z.enum(['normal', 'high', 'low', 'abnormal']).nullable()]),
        ),
      }),
    ),
  }),
)

const vaccine = { vaccine: text, cvx: z.string().regex(/^\d{2,3}$/) }
const immunizationsSchema = z.object({
  childhoodSeries: z.object({
    about: text,
    atBirth: text,
    at: text,
    vaccines: z.array(z.object({ ...vaccine, months: z.array(z.number().int().min(0)) })),
  }),
  members: byMrn(
    z.object({
      childhoodSeries: z.boolean().optional(),
      /** A shot on a calendar date, or some months after the member's birth date. */
      shots: z
        .array(
          z.union([
            z.object({ ...vaccine, dose: text, at: text, on: isoDate }),
            z.object({ ...vaccine, dose: text, at: text, monthsAfterBirth: z.number().int().min(0) }),
          ]),
        )
        .optional(),
      /** One flu shot each autumn (October 14) for the last few seasons that have started. */
      flu: z.object({ ...vaccine, at: text, seasons: z.number().int().min(1) }).optional(),
    }),
  ),
})

const plansSchema = z.record(
  z.string(),
  z.object({
    name: text,
    type: text,
    groupNumber: text,
    deductibleCents: z.number().int().min(0),
    outOfPocketMaxCents: z.number().int().min(0),
    benefits: z.array(
      z.object({
        code: text,
        name: text,
        copay: z.number().int().min(0).optional(),
        coinsurance: z.number().int().min(0).max(100).optional(),
        typical: z.number().int().min(0),
        note: text.optional(),
      }),
    ),
  }),
)

/**
 * The package NDCs (FDA National Drug Code, 11 digits in 5-4-2 form) of the demo plan's pharmacy fills, each with
 * the package as its label describes it, checked against copies of the DailyMed labels (docs/api.md names them). A
 * drug whose NDC could not be confirmed is left out, and its fills stay out of the API rather than carry a guess.
 */
const ndcCodes: Readonly<Record<string, { ndc: string; description: string }>> = {
  // Ascend Laboratories, atorvastatin calcium tablets USP 20 mg, bottle of 90 (DailyMed label, "How supplied":
  // "20 mg of atorvastatin Bottle of 90 67877-512-90").
  'atorvastatin-20-mg-tablet': {
    ndc: '67877-0512-90',
    description: 'Atorvastatin calcium 20 mg film-coated tablet, 90 in 1 bottle',
  },
  // Zydus (Cadila Healthcare), metformin hydrochloride tablets USP 500 mg, bottle of 100 (DailyMed set
  // 5043d03e-3c9d-4c96-b48d-187f02a1d27c, package label: "NDC 65841-809-01 in bottle of 100 tablets").
  'metformin-500-mg-tablet': {
    ndc: '65841-0809-01',
    description: 'Metformin hydrochloride 500 mg tablet, 100 in 1 bottle',
  },
}

/**
 * A pharmacy claim's fill as NCPDP and CARIN Blue Button's pharmacy profile ask for it: the drug (a key of
 * `ndcCodes`), the quantity dispensed in its NCPDP unit, days' supply, the refill number (0 the first fill) and
 * refills authorized, the dispense-as-written code, the dispensing pharmacy (its code in data/pharmacies.json) and
 * the prescriber (a demo provider's key) where the member's medication list names them.
 */
const fillSchema = z.object({
  kind: z.literal('pharmacy'),
  drug: z.string().refine((key) => key in ndcCodes, 'a drug with a confirmed NDC'),
  quantity: z.number().positive(),
  unit: z.enum(['EA', 'ML', 'GM']),
  daysSupply: z.number().int().min(1),
  refill: z.number().int().min(0),
  refillsAuthorized: z.number().int().min(0),
  daw: z.string().regex(/^\d$/),
  pharmacy: text,
  prescriber: text.optional(),
})

/**
 * A hospital stay as CARIN Blue Button's inpatient institutional claim asks for it: the billing hospital (a clinic
 * key), NUBC's type of bill, point of origin, admission type and discharge status, the nights stayed, the MS-DRG,
 * ICD-10-CM diagnoses (the first the principal one) and a NUBC revenue code per line.
 */
const stayCoding = z.object({
  kind: z.literal('institutional'),
  billing: text,
  typeOfBill: z.string().regex(/^0\d{3}$/),
  days: z.number().int().min(1),
  pointOfOrigin: z.string().regex(/^[0-9A-Z]$/),
  admissionType: z.string().regex(/^\d$/),
  dischargeStatus: z.string().regex(/^\d{2}$/),
  drg: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  diagnoses: z.array(z.tuple([z.string().regex(/^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/), text])).min(1),
  lines: z.array(z.tuple([z.string().regex(/^0\d{3}$/), text])).min(1),
})

/**
 * How a claim is coded. A professional claim as CARIN Blue Button asks for it: the billing clinic and rendering
 * doctor (directory keys), the CMS place-of-service code, ICD-10-CM diagnoses (the first is the principal one) and a
 * CPT code per line (`99213-25`: a code with its modifier). A pharmacy claim with its fill; one whose drug has no
 * confirmed NDC carries its kind alone. A hospital stay as above.
 */
const claimCodingSchema = z.union([
  fillSchema,
  z.object({
    billing: text,
    rendering: text.optional(),
    pos: z.string().regex(/^\d{2}$/),
    diagnoses: z.array(z.tuple([z.string().regex(/^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/), text])).min(1),
    lines: z.array(z.tuple([z.string().regex(/^(\d{4}[0-9FT]|[A-V]\d{4})(-[0-9A-Z]{2})?$/), text])).min(1),
  }),
  stayCoding,
  z.object({ kind: z.literal('pharmacy') }),
])

/** Splits an amount between a claim's lines: equal shares, the cents left over on the first line. */
function shares(cents: number | null, lines: number): (number | null)[] {
  if (cents === null) return Array<null>(lines).fill(null)
  const each = Math.floor(cents / lines)
  return Array.from({ length: lines }, (_, index) => (index === 0 ? cents - each * (lines - 1) : each))
}

/**
 * A claim with, for a professional one, its diagnoses and its lines (the amounts shared between the lines, so
 * they add up to the claim's), and for a pharmacy one its fill.
 */
async function insertClaim(
  trx: Knex.Transaction,
  claim: Record<string, unknown> & { billed_cents: number },
  coding: Extract<z.infer<typeof claimCodingSchema>, { billing: string }> | z.infer<typeof fillSchema> | undefined,
  amounts: Record<string, number | null>,
  prescriberIds: Map<string, { id: number }>,
): Promise<void> {
  const [id] = await trx('claims').insert({ ...claim, ...amounts })
  if (coding && 'drug' in coding) {
    const pharmacy = await trx('pharmacies').where({ code: coding.pharmacy }).first<{ id: number } | undefined>('id')
    if (!pharmacy) throw new Error(`src/demo/data/coverage.json: no pharmacy ${coding.pharmacy}`)
    await trx('claim_fills').insert({
      claim_id: Number(id),
      ndc: ndcCodes[coding.drug].ndc,
      drug_description: ndcCodes[coding.drug].description,
      quantity: coding.quantity,
      quantity_unit: coding.unit,
      days_supply: coding.daysSupply,
      daw_code: coding.daw,
      // The plan's generic-drugs benefit: generic products, none compounded, sent to the pharmacy electronically
      // (California requires e-prescribing since 2022).
      brand_generic_code: '2',
      compound_code: '1',
      rx_origin_code: '3',
      refill_number: coding.refill,
      refills_authorized: coding.refillsAuthorized,
      prescriber_provider_id: coding.prescriber ? prescriberIds.get(coding.prescriber)!.id : null,
      pharmacy_id: pharmacy.id,
    })
    return
  }
  if (!coding) return
  const stay = 'typeOfBill' in coding ? coding : undefined
  if (stay)
    await trx('claim_stays').insert({
      claim_id: Number(id),
      type_of_bill: stay.typeOfBill,
      admitted_on: claim.service_date,
      discharged_on: dateAfter(String(claim.service_date), 0, stay.days),
      point_of_origin: stay.pointOfOrigin,
      admission_type: stay.admissionType,
      discharge_status: stay.dischargeStatus,
      drg: stay.drg ?? null,
    })
  await trx('claim_diagnoses').insert(
    coding.diagnoses.map(([code, display], index) => ({
      claim_id: Number(id),
      sequence: index + 1,
      icd10_code: code,
      display,
      kind: index === 0 ? 'principal' : 'secondary',
    })),
  )
  const count = coding.lines.length
  const split = Object.fromEntries(
    Object.entries({ billed_cents: claim.billed_cents, ...amounts }).map(([column, cents]) => [
      column,
      shares(cents, count),
    ]),
  )
  await trx('claim_lines').insert(
    coding.lines.map(([written, description], index) => {
      const [code, modifier] = written.split('-')
      return {
        claim_id: Number(id),
        sequence: index + 1,
        // A hospital's line is coded by its revenue code alone.
        ...(stay
          ? { revenue_code: code }
          : { procedure_code: code, code_system: /^\d/.test(code) ? 'cpt' : 'hcpcs', modifier: modifier ?? null }),
        description,
        units: 1,
        ...Object.fromEntries(Object.entries(split).map(([column, values]) => [column, values[index]])),
      }
    }),
  )
}

const coverageSchema = byMrn(
  z.object({
    plan: text,
    subscriber: text,
    /** Covered since this date; without it, since birth. */
    effectiveFrom: isoDate.optional(),
    /** [days before the seed, benefit code, what was done, who did it, how the claim is coded] */
    visits: z.array(z.tuple([z.number().int().min(0), text, text, text, claimCodingSchema])),
  }),
)

/** Reads and checks one of the demo data files, so a mistyped record stops the seed with its place named. */
function load<T extends z.ZodType>(file: string, schema: T): z.infer<T> {
  const parsed = schema.safeParse(JSON.parse(fs.readFileSync(path.join(__dirname, 'data', file), 'utf8')))
  if (!parsed.success) throw new Error(`src/demo/data/${file}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

type Shot = { vaccine: string; cvx: string; dose: string; on: string; at: string }

/** A calendar date some months (and days) after another. */
function dateAfter(date: string, months: number, days = 0): string {
  const at = new Date(`${date}T12:00:00Z`)
  at.setUTCMonth(at.getUTCMonth() + months)
  at.setUTCDate(at.getUTCDate() + days)
  return at.toISOString().slice(0, 10)
}

/** The member's shots on calendar dates: the childhood series, their own shots, then the recent flu seasons. */
function immunizationsFor(
  member: SeededMember,
  today: string,
  { childhoodSeries, members }: z.infer<typeof immunizationsSchema>,
): Shot[] {
  const record = members[member.mrn]
  if (!record) return []
  const series = record.childhoodSeries
    ? childhoodSeries.vaccines.flatMap(({ vaccine, cvx, months }) =>
        months.map((month, index) => ({
          vaccine,
          cvx,
          dose: `Dose ${index + 1} of ${months.length}`,
          on: dateAfter(member.birthDate, month),
          at: month === 0 ? childhoodSeries.atBirth : childhoodSeries.at,
        })),
      )
    : []
  const own = (record.shots ?? []).map(({ vaccine, cvx, dose, at, ...when }) => ({
    vaccine,
    cvx,
    dose,
    at,
    on: 'on' in when ? when.on : dateAfter(member.birthDate, when.monthsAfterBirth),
  }))
  const flu: Shot[] = []
  if (record.flu) {
    const { seasons, ...shot } = record.flu
    const year = Number(today.slice(0, 4))
    for (let season = year - seasons; season <= year; season++) {
      const on = `${season}-10-14`
      if (on <= today) flu.push({ ...shot, dose: `${season}–${season + 1} season`, on })
    }
  }
  return [...series, ...own, ...flu.slice(-(record.flu?.seasons ?? 0))]
}

/**
 * The plan year runs from the first of the month eight months before the seed, so it is always well under way
 * (claims up to 240 days old are always in it, those over 280 days never are).
 */
function planYear(today: string): { start: string; end: string } {
  const start = dateAfter(`${today.slice(0, 7)}-01`, -8)
  return { start, end: dateAfter(start, 12, -1) }
}

export async function seedHealthRecords(
  trx: Knex.Transaction,
  now: Date,
  members: SeededMember[],
  providerIds: Map<string, { id: number }>,
  clinicIds: Map<string, number>,
): Promise<void> {
  const labs = load('labs.json', labsSchema)
  const immunizations = load('immunizations.json', immunizationsSchema)
  const plans = load('plans.json', plansSchema)
  const coverageOf = load('coverage.json', coverageSchema)
  const today = planDate(now)
  const year = planYear(today)

  for (const member of members) {
    const record = labs[member.mrn]
    if (record?.choice) await trx('members').where('id', member.id).update({ lab_release_choice: record.choice })
    for (const series of record?.series ?? []) {
      const newest = Math.min(...series.results.map(([daysAgo]) => daysAgo))
      for (const [daysAgo, value, flag] of series.results) {
        // Routine panels come back within hours; the rest a day or two after the sample.
        const resultedAt = new Date(now.getTime() - daysAgo * dayMs - 3 * hourMs)
        const quick = !series.sensitive && !series.stateLaw && series.unit !== undefined
        const collectedAt = new Date(resultedAt.getTime() - (quick ? 5 * hourMs : 2 * dayMs))
        const numeric = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null
        const latest = daysAgo === newest ? series.latest : undefined
        // Results over a week old were reviewed two days after they were final; newer ones wait for the office.
        const reviewedAt =
          daysAgo > 7 || latest?.note || latest?.discussed ? new Date(resultedAt.getTime() + 2 * hourMs) : null
        const waitsForChoice =
          record?.choice === 'all-after-review' || (record?.choice === 'sensitive-after-review' && series.sensitive)
        const waits =
          Boolean(latest?.hold) ||
          (series.stateLaw !== undefined && !latest?.discussed) ||
          (waitsForChoice === true && !reviewedAt && daysAgo < 14)
        // What was released before the seed is recorded as released and announced; the rest waits for the sweep.
        const releasedAt = waits ? null : (reviewedAt ?? resultedAt)
        const [id] = await trx('lab_results').insert({
          member_id: member.id,
          test_code: series.code,
          test_name: series.name,
          panel_name: series.panel ?? null,
          sensitive: series.sensitive ?? false,
          state_law_kind: series.stateLaw ?? null,
          value,
          numeric_value: numeric,
          unit: series.unit ?? null,
          reference_range: series.range ?? null,
          reference_low: series.low ?? null,
          reference_high: series.high ?? null,
          flag,
          collected_at: collectedAt,
          resulted_at: resultedAt,
          final_at: resultedAt,
          ordering_provider_id: providerIds.get(series.provider)!.id,
          reviewed_at: reviewedAt,
          review_note: latest?.note ?? null,
          discussed_at: latest?.discussed ? reviewedAt : null,
          released_at: releasedAt,
          notice_at: releasedAt,
        })
        if (latest?.hold) {
          // Set by the ordering doctor's office, as "Hold to talk first" would.
          const setBy = await trx('users')
            .where({ role: 'office' })
            .whereIn(
              'department_id',
              trx('providers').where('id', providerIds.get(series.provider)!.id).select('department_id'),
            )
            .first<{ id: number } | undefined>('id')
          if (setBy)
            await trx('lab_result_holds').insert({
              lab_result_id: Number(id),
              kind: 'clinician',
              reason: latest.hold.reason,
              set_by_user_id: setBy.id,
              set_at: new Date(now.getTime() - hourMs),
              ends_at: new Date(now.getTime() + latest.hold.daysLeft * dayMs),
            })
        }
      }
    }
    const shots = immunizationsFor(member, today, immunizations).filter((shot) => shot.on <= today)
    for (const shot of shots) {
      await trx('immunizations').insert({
        member_id: member.id,
        vaccine_name: shot.vaccine,
        cvx_code: shot.cvx,
        dose: shot.dose,
        administered_on: shot.on,
        given_at: shot.at,
      })
    }
  }

  const planIds: Record<string, number> = {}
  for (const [key, plan] of Object.entries(plans)) {
    const [id] = await trx('plans').insert({
      name: plan.name,
      plan_type: plan.type,
      plan_year_start: year.start,
      plan_year_end: year.end,
      deductible_cents: plan.deductibleCents,
      out_of_pocket_max_cents: plan.outOfPocketMaxCents,
    })
    planIds[key] = Number(id)
    for (const [order, benefit] of plan.benefits.entries()) {
      await trx('plan_benefits').insert({
        plan_id: Number(id),
        service_code: benefit.code,
        service_name: benefit.name,
        cost_share: benefit.copay === undefined ? 'coinsurance' : 'copay',
        copay_cents: benefit.copay ?? null,
        coinsurance_percent: benefit.coinsurance ?? null,
        typical_allowed_cents: benefit.typical,
        note: benefit.note ?? null,
        sort_order: order,
      })
    }
  }

  for (const member of members) {
    const coverage = coverageOf[member.mrn]
    if (!coverage) continue
    const plan = plans[coverage.plan]
    if (!plan) throw new Error(`src/demo/data/coverage.json: ${member.mrn} is on an unknown plan, ${coverage.plan}`)
    // Claims are priced by the same rule as the estimate, in date order, so the meters add up.
    let deductibleMet = 0
    let outOfPocketMet = 0
    let sequence = 0
    for (const [daysAgo, code, description, provider, coding] of [...coverage.visits].sort((a, b) => b[0] - a[0])) {
      const benefit = plan.benefits.find((candidate) => candidate.code === code)!
      const serviceDate = planDate(new Date(now.getTime() - daysAgo * dayMs))
      const inPlanYear = serviceDate >= year.start
      const allowed = benefit.typical
      // Providers bill more than the plan allows; the difference is the plan's negotiated discount.
      const billed = Math.round((allowed * 1.4) / 100) * 100
      sequence += 1
      const claimNumber = `C${member.mrn}${String(sequence).padStart(3, '0')}`
      // Claims reach the plan a day or two after the visit, a hospital's after the discharge.
      const daysBilled = 'days' in coding ? coding.days + 2 : 2
      const receivedOn = planDate(new Date(now.getTime() - Math.max(0, daysAgo - daysBilled) * dayMs))
      const professional = 'billing' in coding ? coding : undefined
      const fill = 'drug' in coding ? coding : undefined
      const claim = {
        member_id: member.id,
        claim_number: claimNumber,
        service_date: serviceDate,
        provider_name: provider,
        service_description: description,
        claim_type: 'kind' in coding ? coding.kind : 'professional',
        billing_clinic_id: professional ? clinicIds.get(professional.billing)! : null,
        rendering_provider_id:
          professional && 'rendering' in professional && professional.rendering
            ? providerIds.get(professional.rendering)!.id
            : null,
        place_of_service: professional && 'pos' in professional ? professional.pos : null,
        received_on: receivedOn,
        network_status: 'in-network',
        billed_cents: billed,
      }
      let amounts: Record<string, number | null> = {
        allowed_cents: null,
        plan_paid_cents: null,
        deductible_cents: null,
        copay_cents: null,
        coinsurance_cents: null,
        member_owes_cents: null,
      }
      if (daysAgo < 10) {
        await insertClaim(trx, { ...claim, status: 'pending' }, professional ?? fill, amounts, providerIds)
        continue
      }
      const estimate = estimateCost(
        benefit.copay === undefined
          ? { kind: 'coinsurance', percent: benefit.coinsurance! }
          : { kind: 'copay', copayCents: benefit.copay },
        allowed,
        {
          deductibleCents: plan.deductibleCents,
          deductibleMetCents: inPlanYear ? deductibleMet : 0,
          outOfPocketMaxCents: plan.outOfPocketMaxCents,
          outOfPocketMetCents: inPlanYear ? outOfPocketMet : 0,
        },
      )
      const owes = estimate.memberPaysCents
      const deductible = Math.min(estimate.deductibleCents, owes)
      if (inPlanYear) {
        deductibleMet += deductible
        outOfPocketMet += owes
      }
      const processedOn = planDate(new Date(now.getTime() - (daysAgo - 9) * dayMs))
      amounts = {
        allowed_cents: allowed,
        plan_paid_cents: allowed - owes,
        deductible_cents: deductible,
        copay_cents: estimate.copayCents,
        coinsurance_cents: owes - deductible - estimate.copayCents,
        member_owes_cents: owes,
      }
      await insertClaim(
        trx,
        { ...claim, status: 'processed', processed_on: processedOn, paid_on: processedOn, payment_status: 'paid' },
        professional ?? fill,
        amounts,
        providerIds,
      )
    }
    await trx('coverages').insert({
      member_id: member.id,
      plan_id: planIds[coverage.plan],
      member_number: `HB${member.mrn}`,
      group_number: plan.groupNumber,
      subscriber_name: coverage.subscriber,
      effective_from: coverage.effectiveFrom ?? member.birthDate,
      deductible_met_cents: deductibleMet,
      out_of_pocket_met_cents: outOfPocketMet,
      accumulators_as_of: planDate(new Date(now.getTime() - 2 * dayMs)),
    })
  }
}

import type { Viewing } from '../viewing/middleware'
import type { Clock } from '../platform/clock'
import { planDate } from '../platform/dates'
import type { RecordAccess } from '../viewing/record-access'
import type { Roster } from '../members/types'
import type { MemberSummary } from '../members/summary'
import { NotFoundError } from '../platform/errors'
import { message } from '../platform/i18n'
import type { ImmunizationRepository } from './repository'
import type { ImmunizationRecord } from './types'

export interface VaccinationRecord {
  member: MemberSummary
  /** Each with its dose in the reader's words (`doseWords`, a message), for the page and the PDF. */
  immunizations: (ImmunizationRecord & { doseWords: string })[]
  /** The day the record is issued, in the plan's time zone, as forms ask for it. */
  issuedOn: string
}

/** The immunization history as one record, the same on the page, on paper and in the PDF. */
export class VaccinationService {
  constructor(
    private readonly immunizations: ImmunizationRepository,
    private readonly members: Pick<Roster, 'summaryOf'>,
    private readonly access: RecordAccess,
    private readonly clock: Clock,
  ) {}

  /** `purpose` tells the audit trail whether the record was looked at or taken away as a PDF. */
  async record(viewing: Viewing, purpose: 'page' | 'pdf'): Promise<VaccinationRecord> {
    return this.access.viewRecords(
      viewing,
      { type: 'immunization', action: purpose === 'pdf' ? 'immunization.pdf-download' : 'immunization.list' },
      async (memberId) => {
        const [member, immunizations] = await Promise.all([
          this.members.summaryOf({ ...viewing, memberId }),
          this.immunizations.list(memberId),
        ])
        if (!member) throw new NotFoundError()
        return {
          member,
          immunizations: immunizations.map((shot) => ({ ...shot, doseWords: doseWords(shot.dose) })),
          issuedOn: planDate(this.clock()),
        }
      },
    )
  }

  /** One vaccination (the API's Immunization read); anyone else's id is a 404, audited. */
  async immunization(viewing: Viewing, rawId: unknown): Promise<ImmunizationRecord> {
    return this.access.viewRecord(viewing, { type: 'immunization', id: rawId }, (memberId, id) =>
      this.immunizations.find(memberId, id),
    )
  }
}

const doseNames: Record<string, string> = {
  Booster: 'vaccinations:dose.booster',
  'Adolescent booster': 'vaccinations:dose.adolescentBooster',
  'Single dose': 'vaccinations:dose.single',
}

/**
 * A recorded dose in the reader's words: the record keeps the forms the plan's systems write ("Dose 1 of 2",
 * "Booster", "2026–2027 season"); anything else is shown as recorded.
 */
export function doseWords(dose: string): string {
  const series = /^Dose (\d+) of (\d+)$/.exec(dose)
  if (series) return message('vaccinations:dose.ofSeries', { dose: Number(series[1]), of: Number(series[2]) })
  const season = /^(\d{4})\s*[–-]\s*(\d{4}) season$/.exec(dose)
  if (season) return message('vaccinations:dose.season', { from: season[1], to: season[2] })
  return doseNames[dose] ?? dose
}

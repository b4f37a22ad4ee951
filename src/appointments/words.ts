import { message } from '../platform/i18n'
import type { VisitType } from './types'

/**
 * The words for what the plan records in English (visit types, doctors' specialties) as messages: the portal's
 * translation when the message files have one, else the recorded text as it is. Pages read them with `tm`; a
 * form error takes them as values. The codes posted by forms never change.
 */

/** "Office visit" / "Consulta en el consultorio". */
export function visitName(visitType: Pick<VisitType, 'code' | 'name'>): string {
  return message(`appointments:visitTypes.${visitType.code}.name`, { defaultValue: visitType.name })
}

/** The visit type inside a sentence: "office visit". */
export function visitNameInSentence(visitType: Pick<VisitType, 'code' | 'name'>): string {
  return message(`appointments:visitTypes.${visitType.code}.inSentence`, {
    defaultValue: visitType.name.toLowerCase(),
  })
}

export function whatToBring(visitType: Pick<VisitType, 'code' | 'whatToBring'>): string {
  return message(`appointments:visitTypes.${visitType.code}.whatToBring`, { defaultValue: visitType.whatToBring })
}

/** "Family Medicine" / "Medicina familiar". */
export function specialtyName(specialty: string): string {
  const slug = specialty.toLowerCase().replace(/[^a-z]+/g, '-')
  return message(`appointments:specialties.${slug}`, { defaultValue: specialty })
}

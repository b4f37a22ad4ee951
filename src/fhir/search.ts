/**
 * FHIR search parameter values (R4 "Search": token, string and date parameters) parsed once, so a malformed value
 * is a 400 before anything is read, and matched against the resources the member's own records give.
 */

/** Thrown for a search the API does not support, or a parameter value it cannot read (400). */
export class UnsupportedSearchError extends Error {
  readonly status = 400
}

/** One value a parameter was given: a repeated parameter (`date=ge…&date=le…`) gives several. */
function valuesOf(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined
  const values = Array.isArray(raw) ? raw : [raw]
  if (values.length === 0 || values.length > 4 || !values.every((value) => typeof value === 'string' && value !== ''))
    throw new UnsupportedSearchError(`${name} must have a value`)
  return values as string[]
}

/** A token: `system|code`, `|code` (no system) or `code` (any system); a comma means "or". */
export type TokenFilter = { system?: string; code: string }[]

export function tokenFilter(name: string, raw: unknown): TokenFilter | undefined {
  const values = valuesOf(name, raw)
  if (!values) return undefined
  if (values.length > 1) throw new UnsupportedSearchError(`${name} may be given once`)
  return values[0].split(',').map((part) => {
    const bar = part.indexOf('|')
    const token = bar === -1 ? { code: part } : { system: part.slice(0, bar), code: part.slice(bar + 1) }
    if (!token.code || token.code.length > 100 || (token.system?.length ?? 0) > 200)
      throw new UnsupportedSearchError(`${name} must be a code, or a system and a code`)
    return token
  })
}

/** Whether any of the codings matches any of the tokens (an empty system in the token: a coding without one). */
export function matchesToken(filter: TokenFilter, codings: { system?: string; code?: string; value?: string }[]) {
  return filter.some((token) =>
    codings.some(
      (coding) =>
        (coding.code ?? coding.value) === token.code &&
        (token.system === undefined || (token.system === '' ? !coding.system : coding.system === token.system)),
    ),
  )
}

/** A string parameter: case- and accent-blind, matching the start of any word of the field (R4's default). */
export function stringFilter(name: string, raw: unknown): string[] | undefined {
  const values = valuesOf(name, raw)
  if (!values) return undefined
  if (values.some((value) => value.length > 100)) throw new UnsupportedSearchError(`${name} is too long`)
  return values.map(fold)
}

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()

/** Every value (repeated parameters are "and") starts one of the fields or a word of one; a comma is "or". */
export function matchesString(filter: string[], fields: (string | undefined)[]) {
  const words = fields.flatMap((field) => (field ? [fold(field), ...fold(field).split(/[\s,.-]+/)] : []))
  return filter.every((value) => value.split(',').some((part) => words.some((word) => word.startsWith(part.trim()))))
}

/** A date parameter: each value a prefix (eq, ne, gt, lt, ge, le; eq when absent) and a date of some precision. */
export type DateFilter = { prefix: string; start: number; end: number }[]

export function dateFilter(name: string, raw: unknown): DateFilter | undefined {
  const values = valuesOf(name, raw)
  if (!values) return undefined
  return values.map((value) => {
    const match =
      /^(eq|ne|gt|lt|ge|le)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.exec(
        value,
      )
    if (!match) throw new UnsupportedSearchError(`${name} must be a date, with an optional prefix such as ge or le`)
    const [, prefix = 'eq', year, month, day, hour, minute, second, zone] = match
    const y = Number(year)
    const m = month ? Number(month) - 1 : 0
    const d = day ? Number(day) : 1
    if (m > 11 || d < 1 || d > 31) throw new UnsupportedSearchError(`${name} is not a real date`)
    let start: number
    let end: number
    if (hour !== undefined) {
      const at = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${zone}`)
      if (Number.isNaN(at)) throw new UnsupportedSearchError(`${name} is not a real time`)
      start = at
      end = at + (second === undefined ? 60_000 : 1000)
    } else {
      start = Date.UTC(y, m, d)
      end = day ? Date.UTC(y, m, d + 1) : month ? Date.UTC(y, m + 1, 1) : Date.UTC(y + 1, 0, 1)
      if (day && new Date(start).getUTCDate() !== d) throw new UnsupportedSearchError(`${name} is not a real date`)
    }
    return { prefix, start, end }
  })
}

/** Whether a day or an instant (the resource's, taken as the range it covers) meets every value of the filter. */
export function matchesDate(filter: DateFilter, value: string | undefined): boolean {
  if (!value) return false
  const start = value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value)
  const end = value.length === 10 ? start + 24 * 60 * 60 * 1000 : start + 1
  return filter.every((range) => {
    switch (range.prefix) {
      case 'eq':
        return start >= range.start && end <= range.end
      case 'ne':
        return !(start >= range.start && end <= range.end)
      case 'gt':
        return end > range.end
      case 'ge':
        return end > range.start
      case 'lt':
        return start < range.start
      default:
        return start < range.end
    }
  })
}

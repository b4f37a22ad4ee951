// USPS Publication 28 forms for the mailing manifest and envelope window: upper case, no punctuation,
// standard suffix and unit abbreviations.
const suffixes: Record<string, string> = {
  ALLEY: 'ALY',
  AVENUE: 'AVE',
  BOULEVARD: 'BLVD',
  CIRCLE: 'CIR',
  COURT: 'CT',
  DRIVE: 'DR',
  EXPRESSWAY: 'EXPY',
  FREEWAY: 'FWY',
  HIGHWAY: 'HWY',
  LANE: 'LN',
  PARKWAY: 'PKWY',
  PLACE: 'PL',
  PLAZA: 'PLZ',
  ROAD: 'RD',
  SQUARE: 'SQ',
  STREET: 'ST',
  TERRACE: 'TER',
  TRAIL: 'TRL',
  WAY: 'WAY',
}
const units: Record<string, string> = {
  APARTMENT: 'APT',
  APT: 'APT',
  BUILDING: 'BLDG',
  FLOOR: 'FL',
  SUITE: 'STE',
  UNIT: 'UNIT',
  ROOM: 'RM',
  '#': '#',
}
const directions: Record<string, string> = {
  NORTH: 'N',
  SOUTH: 'S',
  EAST: 'E',
  WEST: 'W',
  NORTHEAST: 'NE',
  NORTHWEST: 'NW',
  SOUTHEAST: 'SE',
  SOUTHWEST: 'SW',
}

function clean(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9# ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

export function pub28Line(line: string): string {
  const words = clean(line).split(' ').filter(Boolean)
  return words
    .map((word, index) => {
      const last = index === words.length - 1
      if (units[word] && (index > 0 || words.length > 1)) return units[word]
      if (directions[word] && (index === 1 || last)) return directions[word]
      if (suffixes[word] && (last || units[words[index + 1]])) return suffixes[word]
      return word
    })
    .join(' ')
}

export interface PostalAddress {
  name: string
  line1: string
  line2: string | null
  city: string
  state: string
  zip: string
}

/** Name, delivery line(s) and last line; a secondary line (apartment, unit) joins the delivery line as USPS prefers. */
export function pub28Address(address: PostalAddress): { name: string; delivery: string; lastLine: string } {
  const delivery = [address.line1, address.line2]
    .filter(Boolean)
    .map((line) => pub28Line(line!))
    .join(' ')
  const zip = address.zip.replace(/[^0-9-]/g, '')
  return { name: clean(address.name), delivery, lastLine: `${clean(address.city)} ${clean(address.state)} ${zip}` }
}

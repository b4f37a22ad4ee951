/** An iCalendar (RFC 5545) file for one appointment, for "Add to calendar". Times are UTC ('Z'), so no
 * calendar has to know the clinic's time zone rules to put the visit at the right moment. */

export interface CalendarEvent {
  uid: string
  sequence: number
  startsAt: Date
  endsAt: Date
  stamp: Date
  summary: string
  location: string
  description: string
  /** Who arranges the visit (the clinic) and the mailbox the file names for it. */
  organizer: { name: string; email: string }
  cancelled?: boolean
  /** The language SUMMARY and DESCRIPTION are written in (RFC 5545 3.2.10, the LANGUAGE parameter): "es". */
  language?: string
}

/** 20261201T172000Z */
function utc(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** TEXT values escape backslashes, semicolons, commas and line breaks (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
}

/** Lines longer than 75 octets are folded: CRLF then a space (RFC 5545 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = []
  let current = ''
  let octets = 0
  for (const character of line) {
    const size = Buffer.byteLength(character)
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current)
      current = ''
      octets = 0
    }
    current += character
    octets += size
  }
  parts.push(current)
  return parts.join('\r\n ')
}

/** A quoted parameter value (RFC 5545 3.1): no DQUOTE or control characters may appear inside it. */
function quotedParameter(value: string): string {
  const allowed = [...value].filter((character) => character >= ' ' && character !== '"' && character !== '\u007f')
  return `"${allowed.join('')}"`
}

/**
 * The whole event, as iTIP (RFC 5546) sends it: METHOD:PUBLISH while booked, METHOD:CANCEL once cancelled. Both
 * methods require ORGANIZER (§3.2.1, §3.2.5), and a calendar applies a file over the copy it holds only when the
 * UID is the same and the SEQUENCE higher, so the caller keeps the UID and raises the sequence on every change.
 */
export function calendarFile(event: CalendarEvent): string {
  // A language tag (RFC 5646) is letters, digits and hyphens; anything else is left out rather than quoted.
  const language =
    event.language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(event.language) ? `;LANGUAGE=${event.language}` : ''
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Member Portal//Appointments//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${event.cancelled ? 'CANCEL' : 'PUBLISH'}`,
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `SEQUENCE:${event.sequence}`,
    `ORGANIZER;CN=${quotedParameter(event.organizer.name)}:mailto:${event.organizer.email}`,
    `DTSTAMP:${utc(event.stamp)}`,
    `DTSTART:${utc(event.startsAt)}`,
    `DTEND:${utc(event.endsAt)}`,
    `SUMMARY${language}:${escapeText(event.summary)}`,
    `LOCATION:${escapeText(event.location)}`,
    `DESCRIPTION${language}:${escapeText(event.description)}`,
    `STATUS:${event.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ]
  return lines.map(foldLine).join('\r\n') + '\r\n'
}

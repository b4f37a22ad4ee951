import assert from 'node:assert/strict'
import { calendarFile, escapeText, foldLine } from './calendar-file'

describe('the calendar file', () => {
  const event = {
    uid: 'appointment-7@portal.example',
    sequence: 2,
    stamp: new Date('2026-11-25T15:00:00Z'),
    startsAt: new Date('2026-12-01T17:20:00Z'),
    endsAt: new Date('2026-12-01T18:00:00Z'),
    summary: 'Annual physical with Dr. Marcus Bell',
    location: 'San Leandro Medical Center, 2500 Merced Street, San Leandro, CA 94577',
    description: 'What to bring: your card; a list\nCall (510) 555-0300',
    organizer: { name: 'San Leandro Medical Center', email: 'no-reply@portal.example' },
  }

  it('writes CRLF lines with UTC times, a UID and a sequence', () => {
    const ics = calendarFile(event)
    assert.ok(ics.endsWith('\r\n'))
    assert.doesNotMatch(ics.replace(/\r\n/g, ''), /[\r\n]/)
    const lines = ics.replace(/\r\n /g, '').split('\r\n')
    assert.ok(lines.includes('DTSTART:20261201T172000Z'))
    assert.ok(lines.includes('DTEND:20261201T180000Z'))
    assert.ok(lines.includes('UID:appointment-7@portal.example'))
    assert.ok(lines.includes('SEQUENCE:2'))
    assert.ok(lines.includes('STATUS:CONFIRMED'))
    assert.ok(lines.includes('DESCRIPTION:What to bring: your card\\; a list\\nCall (510) 555-0300'))
  })

  it('names the organizer, as iTIP requires of both PUBLISH and CANCEL, and cancels under the same UID', () => {
    const organizer = 'ORGANIZER;CN="San Leandro Medical Center":mailto:no-reply@portal.example'
    const booked = calendarFile(event).replace(/\r\n /g, '').split('\r\n')
    assert.ok(booked.includes('METHOD:PUBLISH'))
    assert.ok(booked.includes(organizer))
    const cancelled = calendarFile({ ...event, sequence: 3, cancelled: true })
      .replace(/\r\n /g, '')
      .split('\r\n')
    for (const line of [
      'METHOD:CANCEL',
      'STATUS:CANCELLED',
      'SEQUENCE:3',
      'UID:appointment-7@portal.example',
      organizer,
    ])
      assert.ok(cancelled.includes(line), line)
    // A quote or a line break in a clinic's name cannot break out of the parameter.
    const odd = calendarFile({ ...event, organizer: { name: 'The "Best"\r\nClinic, Inc.', email: 'a@b.example' } })
    assert.ok(odd.replace(/\r\n /g, '').includes('ORGANIZER;CN="The BestClinic, Inc.":mailto:a@b.example'))
  })

  it('marks SUMMARY and DESCRIPTION with the language they are written in (RFC 5545 3.2.10)', () => {
    const lines = calendarFile({
      ...event,
      summary: 'Examen físico anual con Dr. Marcus Bell',
      description: 'Qué debe traer: su tarjeta',
      language: 'es',
    })
      .replace(/\r\n /g, '')
      .split('\r\n')
    assert.ok(lines.includes('SUMMARY;LANGUAGE=es:Examen físico anual con Dr. Marcus Bell'))
    assert.ok(lines.includes('DESCRIPTION;LANGUAGE=es:Qué debe traer: su tarjeta'))
    // The place is named as recorded, in no particular language.
    assert.ok(lines.some((line) => line.startsWith('LOCATION:San Leandro')))
    const odd = calendarFile({ ...event, language: 'es";x=1' })
    assert.ok(odd.includes('\r\nSUMMARY:Annual physical'), 'a malformed tag is left out')
  })

  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    assert.equal(escapeText('a\\b;c,d\r\ne'), 'a\\\\b\\;c\\,d\\ne')
    const folded = foldLine(`SUMMARY:${'é'.repeat(60)}`)
    for (const line of folded.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75)
    assert.equal(folded.replace(/\r\n /g, ''), `SUMMARY:${'é'.repeat(60)}`)
  })
})

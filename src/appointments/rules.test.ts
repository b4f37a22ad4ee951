import assert from 'node:assert/strict'
import { bookingWeek, cancellationAllowed, groupByDay, nearestTimes, reminderWindows } from './rules'
import { clinicTime, formatTimeWithZone } from './times'

const hourMs = 3_600_000

describe('appointment rules', () => {
  it('allows cancelling online up to 24 hours before the start, not a minute later', () => {
    const start = new Date('2026-12-01T17:20:00Z')
    assert.equal(cancellationAllowed(start, new Date(start.getTime() - 24 * hourMs)), true)
    assert.equal(cancellationAllowed(start, new Date(start.getTime() - 24 * hourMs + 60_000)), false)
    assert.equal(cancellationAllowed(start, new Date(start.getTime() + hourMs)), false)
  })

  it('turns clinic wall-clock times into instants across the daylight-saving change', () => {
    assert.equal(clinicTime('2026-10-30', '09:00').toISOString(), '2026-10-30T16:00:00.000Z')
    assert.equal(clinicTime('2026-11-02', '09:00').toISOString(), '2026-11-02T17:00:00.000Z')
    assert.equal(clinicTime('2027-03-15', '08:40').toISOString(), '2027-03-15T15:40:00.000Z')
    assert.equal(formatTimeWithZone(clinicTime('2026-07-01', '13:20')), '1:20 PM PDT')
  })

  it('shows the week asked for between this week and eight weeks ahead, otherwise this week', () => {
    // Saturday 23:30 in California is already Sunday in UTC: still the week of Monday the 23rd.
    const now = new Date('2026-11-29T07:30:00Z')
    const week = bookingWeek(undefined, now)
    assert.equal(week.start, '2026-11-23')
    assert.equal(week.heading, 'Week of November 23, 2026')
    assert.equal(week.previous, undefined)
    assert.equal(week.next, '2026-11-30')
    assert.equal(week.from.toISOString(), '2026-11-23T08:00:00.000Z')
    assert.equal(bookingWeek('2026-12-09', now).start, '2026-12-07', 'a mid-week date shows its week')
    assert.equal(bookingWeek('2026-12-07', now).previous, '2026-11-30')
    const last = bookingWeek('2027-01-18', now)
    assert.equal(last.start, '2027-01-18')
    assert.equal(last.next, undefined)
    for (const asked of ['2027-01-25', '2020-01-01', 'soon', ['2026-12-07'], '2026-13-45']) {
      assert.equal(bookingWeek(asked, now).start, '2026-11-23', String(asked))
    }
  })

  it("groups open times by the clinic's day", () => {
    const slot = (id: number, at: string) => ({ id, providerId: 1, startsAt: new Date(at), lengthMinutes: 20 })
    const days = groupByDay([
      slot(1, '2026-12-01T16:40:00Z'),
      slot(2, '2026-12-02T07:40:00Z'),
      slot(3, '2026-12-02T17:00:00Z'),
    ])
    assert.deepEqual(
      days.map((day) => [day.heading, day.times.map((time) => time.time)]),
      [
        ['Tuesday, December 1, 2026', ['8:40 AM', '11:40 PM']],
        ['Wednesday, December 2, 2026', ['9:00 AM']],
      ],
    )
  })

  it('offers the nearest open times either side of the one that was lost, in order', () => {
    const lost = new Date('2026-12-01T17:00:00Z')
    const at = (minutes: number, id: number) => ({
      id,
      providerId: 1,
      startsAt: new Date(lost.getTime() + minutes * 60_000),
      lengthMinutes: 20,
    })
    const nearest = nearestTimes([at(-60, 1), at(-20, 2), at(20, 3), at(40, 4), at(24 * 60, 5)], lost, 3)
    assert.deepEqual(
      nearest.map((slot) => slot.id),
      [2, 3, 4],
    )
  })

  it('sends only the shortest due reminder: each lead covers starts beyond the next shorter one', () => {
    const now = new Date('2026-12-01T00:00:00Z')
    const windows = reminderWindows([10_080, 1440, 1440], now)
    assert.deepEqual(
      windows.map((window) => [window.leadMinutes, window.from.toISOString(), window.to.toISOString()]),
      [
        [1440, '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'],
        [10_080, '2026-12-02T00:00:00.000Z', '2026-12-08T00:00:00.000Z'],
      ],
    )
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DateTime } from 'luxon'
import { instantAtLocalHour, localDateOf, localDayBounds } from '../../src/domain/local-day.js'

const HOUR_MS = 3_600_000

function hoursIn (bounds: { start: Date, end: Date }): number {
  return (bounds.end.getTime() - bounds.start.getTime()) / HOUR_MS
}

function isoBounds (bounds: { start: Date, end: Date }): { start: string, end: string } {
  return { start: bounds.start.toISOString(), end: bounds.end.toISOString() }
}

describe('localDayBounds', () => {
  it('is 24 hours on an ordinary day', () => {
    const bounds = localDayBounds('2026-01-05', 'Asia/Shanghai')
    assert.deepEqual(isoBounds(bounds), { start: '2026-01-04T16:00:00.000Z', end: '2026-01-05T16:00:00.000Z' })
    assert.equal(hoursIn(bounds), 24)
  })

  it('is 23 hours when clocks spring forward (New York, London)', () => {
    const newYork = localDayBounds('2026-03-08', 'America/New_York')
    assert.deepEqual(isoBounds(newYork), { start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' })
    assert.equal(hoursIn(newYork), 23)
    const london = localDayBounds('2026-03-29', 'Europe/London')
    assert.deepEqual(isoBounds(london), { start: '2026-03-29T00:00:00.000Z', end: '2026-03-29T23:00:00.000Z' })
    assert.equal(hoursIn(london), 23)
  })

  it('is 25 hours when clocks fall back', () => {
    const bounds = localDayBounds('2026-11-01', 'America/New_York')
    assert.deepEqual(isoBounds(bounds), { start: '2026-11-01T04:00:00.000Z', end: '2026-11-02T05:00:00.000Z' })
    assert.equal(hoursIn(bounds), 25)
  })

  it('is 23.5 and 24.5 hours on Lord Howe Island, whose clocks move by half an hour', () => {
    assert.equal(hoursIn(localDayBounds('2026-10-04', 'Australia/Lord_Howe')), 23.5)
    assert.equal(hoursIn(localDayBounds('2026-04-05', 'Australia/Lord_Howe')), 24.5)
  })

  it('starts at the first instant that exists when midnight is skipped (Santiago, Havana, Beirut)', () => {
    // Guard the tz data assumption first: luxon must see midnight as skipped on these days.
    for (const [zone, date] of [['America/Santiago', '2026-09-06'], ['America/Havana', '2026-03-08'], ['Asia/Beirut', '2026-03-29']] as const) {
      assert.equal(DateTime.fromISO(`${date}T00:00`, { zone }).hour, 1, `${zone} should skip midnight on ${date}`)
    }
    const santiago = localDayBounds('2026-09-06', 'America/Santiago')
    assert.deepEqual(isoBounds(santiago), { start: '2026-09-06T04:00:00.000Z', end: '2026-09-07T03:00:00.000Z' })
    assert.equal(DateTime.fromJSDate(santiago.start, { zone: 'America/Santiago' }).toISO(), '2026-09-06T01:00:00.000-03:00')
    assert.equal(hoursIn(santiago), 23)
    assert.deepEqual(isoBounds(localDayBounds('2026-03-08', 'America/Havana')), { start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' })
    assert.equal(localDayBounds('2026-03-29', 'Asia/Beirut').start.toISOString(), '2026-03-28T22:00:00.000Z')
  })

  it('ends where the next day starts, also across a skipped midnight', () => {
    for (const [zone, date, next] of [
      ['America/Santiago', '2026-09-05', '2026-09-06'],
      ['Asia/Beirut', '2026-03-28', '2026-03-29'],
      ['America/New_York', '2026-10-31', '2026-11-01']
    ] as const) {
      assert.equal(localDayBounds(date, zone).end.getTime(), localDayBounds(next, zone).start.getTime(), `${zone} ${date}`)
    }
  })

  it('starts at the first of two midnights when clocks fall back to midnight (Havana)', () => {
    const bounds = localDayBounds('2026-11-01', 'America/Havana')
    assert.deepEqual(isoBounds(bounds), { start: '2026-11-01T04:00:00.000Z', end: '2026-11-02T05:00:00.000Z' })
    assert.equal(hoursIn(bounds), 25)
  })

  it('is 25 hours when clocks fall back from midnight into the day before (Santiago)', () => {
    const bounds = localDayBounds('2026-04-04', 'America/Santiago')
    assert.deepEqual(isoBounds(bounds), { start: '2026-04-04T03:00:00.000Z', end: '2026-04-05T04:00:00.000Z' })
    assert.equal(hoursIn(bounds), 25)
  })

  it('rolls over months and years', () => {
    assert.deepEqual(isoBounds(localDayBounds('2026-12-31', 'Asia/Tokyo')), { start: '2026-12-30T15:00:00.000Z', end: '2026-12-31T15:00:00.000Z' })
    assert.equal(localDayBounds('2024-02-29', 'UTC').end.toISOString(), '2024-03-01T00:00:00.000Z')
  })

  it('throws RangeError for an impossible date or unknown zone', () => {
    assert.throws(() => localDayBounds('2026-02-30', 'Asia/Shanghai'), RangeError)
    assert.throws(() => localDayBounds('2026-01-05', 'Mars/Olympus'), RangeError)
  })
})

describe('instantAtLocalHour', () => {
  it('reads the hour on the zone\'s clock, with 24 meaning the next midnight', () => {
    assert.equal(instantAtLocalHour('2026-01-05', 12, 'Asia/Shanghai').toISOString(), '2026-01-05T04:00:00.000Z')
    assert.equal(instantAtLocalHour('2026-01-05', 24, 'Asia/Shanghai').toISOString(), '2026-01-05T16:00:00.000Z')
    assert.equal(instantAtLocalHour('2026-01-05', 6, 'Asia/Kathmandu').toISOString(), '2026-01-05T00:15:00.000Z')
  })

  it('answers the jump for an hour the clocks skip', () => {
    assert.equal(instantAtLocalHour('2026-03-08', 2, 'America/New_York').toISOString(), '2026-03-08T07:00:00.000Z')
  })
})

describe('localDateOf', () => {
  it('is the date on the zone\'s clock, which may differ from the UTC date either way', () => {
    const instant = new Date('2026-01-05T04:00:00.000Z')
    assert.equal(localDateOf(instant, 'Asia/Shanghai'), '2026-01-05')
    assert.equal(localDateOf(instant, 'America/Los_Angeles'), '2026-01-04')
    assert.equal(localDateOf(new Date('2026-01-05T10:00:00.000Z'), 'Pacific/Kiritimati'), '2026-01-06')
    assert.equal(localDateOf(new Date('2026-01-05T10:00:00.000Z'), 'Pacific/Pago_Pago'), '2026-01-04')
  })

  it('is the new date from the first instant of a day whose midnight is skipped', () => {
    assert.equal(localDateOf(new Date('2026-09-06T04:00:00.000Z'), 'America/Santiago'), '2026-09-06')
    assert.equal(localDateOf(new Date('2026-09-06T03:59:59.999Z'), 'America/Santiago'), '2026-09-05')
  })

  it('throws RangeError for an unknown zone', () => {
    assert.throws(() => localDateOf(new Date(), 'Mars/Olympus'), RangeError)
  })
})

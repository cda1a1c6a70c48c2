import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  canonicalTimeZoneName,
  firstInstantAtOrAfter,
  instantMillis,
  instantsAtWallClock,
  isValidInstant,
  isValidLocalDate,
  isValidLocalDateTime,
  isValidTimeZone,
  parseLocalDateTime,
  type WallClock
} from '../../src/domain/time-zones.js'

function wallClock (s: string): WallClock {
  const wall = parseLocalDateTime(s)
  assert.ok(wall, `test fixture ${s} should parse`)
  return wall
}

describe('isValidTimeZone', () => {
  it('accepts IANA names, including UTC spellings and Etc/GMT zones', () => {
    for (const name of ['Asia/Shanghai', 'America/New_York', 'UTC', 'Etc/UTC', 'America/Port-au-Prince',
      'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Asia/Kolkata', 'Pacific/Chatham']) {
      assert.equal(isValidTimeZone(name), true, name)
    }
  })

  it('accepts names in the wrong case (they are canonicalised, see canonicalTimeZoneName)', () => {
    assert.equal(isValidTimeZone('asia/seoul'), true)
    assert.equal(isValidTimeZone('AMERICA/NEW_YORK'), true)
  })

  it('refuses unknown names, fixed offsets and padded names', () => {
    for (const name of ['Mars/Olympus', 'UTC+3', 'UTC+03:00', '+03:00', '-0500', 'GMT+8', '', ' Asia/Seoul',
      'Asia/Seoul ', 'Asia/Seoul/Extra', 'Asia//Seoul', '/Asia/Seoul', 'Asia\\Seoul', 'Asia/Seoul\n', 'x'.repeat(200)]) {
      assert.equal(isValidTimeZone(name), false, JSON.stringify(name))
    }
  })

  it('answers the same the second time (cached)', () => {
    assert.equal(isValidTimeZone('Europe/Paris'), true)
    assert.equal(isValidTimeZone('Europe/Paris'), true)
    assert.equal(isValidTimeZone('Mars/Olympus'), false)
    assert.equal(isValidTimeZone('Mars/Olympus'), false)
  })
})

describe('canonicalTimeZoneName', () => {
  it('fixes the case of canonical names', () => {
    assert.equal(canonicalTimeZoneName('asia/seoul'), 'Asia/Seoul')
    assert.equal(canonicalTimeZoneName('ASIA/SHANGHAI'), 'Asia/Shanghai')
    assert.equal(canonicalTimeZoneName('america/port-au-prince'), 'America/Port-au-Prince')
    assert.equal(canonicalTimeZoneName('etc/gmt+5'), 'Etc/GMT+5')
    assert.equal(canonicalTimeZoneName('utc'), 'UTC')
  })

  it('gives the same answer for every spelling, whichever came first', () => {
    assert.equal(canonicalTimeZoneName('Europe/Berlin'), 'Europe/Berlin')
    assert.equal(canonicalTimeZoneName('europe/berlin'), 'Europe/Berlin')
    assert.equal(canonicalTimeZoneName('EUROPE/ROME'), 'Europe/Rome')
    assert.equal(canonicalTimeZoneName('Europe/Rome'), 'Europe/Rome')
  })

  it('keeps aliases as sent instead of the runtime\'s legacy IDs', () => {
    assert.equal(canonicalTimeZoneName('Asia/Kolkata'), 'Asia/Kolkata')
    assert.equal(canonicalTimeZoneName('Europe/Kyiv'), 'Europe/Kyiv')
    assert.equal(canonicalTimeZoneName('Asia/Kathmandu'), 'Asia/Kathmandu')
    assert.equal(canonicalTimeZoneName('Etc/UTC'), 'Etc/UTC')
  })

  it('is null for names it does not know', () => {
    assert.equal(canonicalTimeZoneName('Mars/Olympus'), null)
    assert.equal(canonicalTimeZoneName('UTC+3'), null)
  })
})

describe('isValidLocalDate', () => {
  it('accepts real calendar dates', () => {
    for (const s of ['2026-01-05', '2024-02-29', '2000-02-29', '2026-12-31', '2026-04-30']) {
      assert.equal(isValidLocalDate(s), true, s)
    }
  })

  it('refuses dates that are not on the calendar', () => {
    for (const s of ['2026-02-30', '2026-13-01', '2025-02-29', '1900-02-29', '2026-00-10', '2026-01-00', '2026-04-31', '2026-01-32']) {
      assert.equal(isValidLocalDate(s), false, s)
    }
  })

  it('refuses anything but strict YYYY-MM-DD', () => {
    for (const s of ['2026-1-05', '20260105', '2026/01/05', ' 2026-01-05', '2026-01-05\n', '2026-01-05T00:00', '+2026-01-05', '']) {
      assert.equal(isValidLocalDate(s), false, JSON.stringify(s))
    }
  })
})

describe('isValidLocalDateTime', () => {
  it('accepts wall-clock readings to the minute, second or millisecond', () => {
    for (const s of ['2026-01-05T14:30', '2026-01-05T14:30:15', '2026-01-05T14:30:15.250', '2026-01-05T00:00', '2024-02-29T23:59:59.999']) {
      assert.equal(isValidLocalDateTime(s), true, s)
    }
  })

  it('refuses offsets, Z and impossible readings', () => {
    for (const s of ['2026-01-05T14:30Z', '2026-01-05T14:30:00+08:00', '2026-01-05T14:30:00.000Z', '2026-01-05 14:30',
      '2026-01-05t14:30', '2026-01-05T24:00', '2026-01-05T14:60', '2026-01-05T14:30:60', '2026-01-05T14:30:00.5',
      '2026-02-30T10:00', '2025-02-29T10:00', '2026-01-05T1430', '2026-01-05', '']) {
      assert.equal(isValidLocalDateTime(s), false, JSON.stringify(s))
    }
  })
})

describe('isValidInstant', () => {
  it('accepts date-times with Z or an offset', () => {
    for (const s of ['2026-01-05T15:00:00+08:00', '2026-01-05T04:00:00.000Z', '2026-01-05T04:00Z', '2026-01-05T04:00:00.123456Z',
      '2026-01-05T09:30:00-03:30', '2026-01-05T17:45:00+13:45', '2026-01-05T04:00:00-00:00']) {
      assert.equal(isValidInstant(s), true, s)
    }
  })

  it('refuses wall-clock readings, malformed offsets and impossible dates', () => {
    for (const s of ['2026-01-05T15:00:00', '2026-01-05T15:00:00+0800', '2026-01-05T15:00:00+08', '2026-01-05T15:00:00 +08:00',
      '2026-01-05T15:00:00z', '2026-01-05T15:00:00+24:00', '2026-01-05T15:00:00+08:60', '2026-02-30T10:00:00Z',
      '2026-01-05T24:00:00Z', '2026-01-05', '2026-01-05T15:00:00.Z', '']) {
      assert.equal(isValidInstant(s), false, JSON.stringify(s))
    }
  })
})

describe('the supported range (src/domain/time-range.ts)', () => {
  it('local dates and readings have years 0001 to 9999: year 0000 is refused', () => {
    for (const s of ['0001-01-01', '9999-12-31']) assert.equal(isValidLocalDate(s), true, s)
    for (const s of ['0001-01-01T00:00', '9999-12-31T23:59:59.999']) assert.equal(isValidLocalDateTime(s), true, s)
    for (const s of ['0000-01-01', '0000-02-29']) assert.equal(isValidLocalDate(s), false, s)
    assert.equal(isValidLocalDateTime('0000-12-31T23:59'), false)
  })

  it('instants run from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z once their offset is applied', () => {
    for (const s of ['0001-01-02T00:00:00Z', '0001-01-02T23:59:00+23:59', '9999-12-30T23:59:59.999Z', '9999-12-30T00:00:00-23:59',
      '9999-12-30T23:59:59.999999999Z']) {
      assert.equal(isValidInstant(s), true, s)
    }
    for (const s of ['0000-01-01T00:00:00Z', '0001-01-01T23:59:59.999Z', '0001-01-02T00:00:00+00:01', '9999-12-31T00:00:00Z',
      '9999-12-31T23:59:59-23:59', '9999-12-30T23:59:59-00:01']) {
      assert.equal(isValidInstant(s), false, s)
    }
  })

  it('instantMillis applies the offset, reads years below 100 as they are, and keeps milliseconds only', () => {
    assert.equal(instantMillis('9999-12-31T23:59:59-23:59'), Date.parse('+010000-01-01T23:58:59Z'))
    assert.equal(instantMillis('0050-06-01T12:00:00+05:30'), Date.parse('0050-06-01T06:30:00Z'))
    assert.equal(instantMillis('2026-01-05T04:00:00.123456Z'), Date.parse('2026-01-05T04:00:00.123Z'))
    assert.equal(instantMillis('2026-02-30T00:00:00Z'), null)
  })
})

describe('validators as Ajv formats', () => {
  it('never throw, whatever the string', () => {
    const junk = ['', ' ', '\u0000', '\uD800', 'T', '--', '9'.repeat(10_000), '2026-01-05T'.repeat(1000), '../../etc/passwd', '__proto__', 'constructor']
    for (const s of junk) {
      assert.doesNotThrow(() => [isValidTimeZone(s), isValidLocalDate(s), isValidLocalDateTime(s), isValidInstant(s)], JSON.stringify(s.slice(0, 20)))
    }
  })
})

describe('instantsAtWallClock', () => {
  it('finds the one instant of an ordinary reading', () => {
    const instants = instantsAtWallClock(wallClock('2026-01-05T12:00'), 'Asia/Shanghai')
    assert.equal(instants.kind, 'unique')
    assert.equal(instants.kind === 'unique' && instants.instant.toUTC().toISO(), '2026-01-05T04:00:00.000Z')
  })

  it('finds both instants, in order, when clocks fall back over the reading', () => {
    const instants = instantsAtWallClock(wallClock('2026-11-01T01:30'), 'America/New_York')
    assert.equal(instants.kind, 'repeated')
    if (instants.kind !== 'repeated') return
    assert.equal(instants.earlier.toUTC().toISO(), '2026-11-01T05:30:00.000Z')
    assert.equal(instants.later.toUTC().toISO(), '2026-11-01T06:30:00.000Z')
  })

  it('describes the jump when clocks skip the reading', () => {
    const instants = instantsAtWallClock(wallClock('2026-03-08T02:30'), 'America/New_York')
    assert.equal(instants.kind, 'skipped')
    if (instants.kind !== 'skipped') return
    assert.equal(instants.jump.before.toISO(), '2026-03-08T02:00:00.000-05:00')
    assert.equal(instants.jump.after.toISO(), '2026-03-08T03:00:00.000-04:00')
    assert.equal(instants.movedForward.toISO(), '2026-03-08T03:30:00.000-04:00')
  })

  it('finds a half-hour jump (Lord Howe) to the minute', () => {
    const instants = instantsAtWallClock(wallClock('2026-10-04T02:10'), 'Australia/Lord_Howe')
    assert.equal(instants.kind, 'skipped')
    if (instants.kind !== 'skipped') return
    assert.equal(instants.jump.before.toISO(), '2026-10-04T02:00:00.000+10:30')
    assert.equal(instants.jump.after.toISO(), '2026-10-04T02:30:00.000+11:00')
  })

  it('throws RangeError for an unknown zone', () => {
    assert.throws(() => instantsAtWallClock(wallClock('2026-01-05T12:00'), 'Mars/Olympus'), RangeError)
  })
})

describe('firstInstantAtOrAfter', () => {
  it('is the earlier of two occurrences, and the jump for a skipped reading', () => {
    assert.equal(firstInstantAtOrAfter(wallClock('2026-11-01T01:30'), 'America/New_York').toUTC().toISO(), '2026-11-01T05:30:00.000Z')
    assert.equal(firstInstantAtOrAfter(wallClock('2026-03-08T02:30'), 'America/New_York').toUTC().toISO(), '2026-03-08T07:00:00.000Z')
  })
})

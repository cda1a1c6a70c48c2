import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InputError } from '../../src/domain/errors.js'
import {
  describeTimeWindow,
  PART_OF_DAY_HOURS,
  resolveTimeWindow,
  type ResolvedTimeWindow,
  type TimeWindowInput
} from '../../src/domain/time-window.js'
import { TIME_WINDOW_EXAMPLE } from '../../src/schemas/time.js'
import { beijingTalks } from '../fixtures/time-views.js'

const HOUR_MS = 3_600_000

/** The stored window with instants as ISO strings, so deepEqual failures are readable. */
function stored (window: ResolvedTimeWindow): Record<string, unknown> {
  return { ...window, startsAt: window.startsAt.toISOString(), endsAt: window.endsAt?.toISOString() ?? null }
}

function hoursIn (window: ResolvedTimeWindow): number {
  assert.ok(window.endsAt)
  return (window.endsAt.getTime() - window.startsAt.getTime()) / HOUR_MS
}

function timeOf (input: TimeWindowInput, defaultTimeZone?: string) {
  return describeTimeWindow(resolveTimeWindow(input, { defaultTimeZone })).time
}

function assertRefused (
  input: TimeWindowInput,
  expected: { kind: InputError['kind'], path: string, message: string },
  options: { defaultTimeZone?: string, path?: string } = {}
): void {
  assert.throws(() => resolveTimeWindow(input, options), (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`)
    assert.equal(error.kind, expected.kind)
    const match = error.errors.find((e) => e.path === expected.path && e.message.includes(expected.message))
    assert.ok(match, `no error at ${expected.path} containing ${JSON.stringify(expected.message)} in ${JSON.stringify(error.errors)}`)
    return true
  })
}

// The seeded example: a state visit to China, an afternoon engagement in Shanghai.
const shanghaiAfternoon: TimeWindowInput = { timeZone: 'Asia/Shanghai', precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' }

describe('PART_OF_DAY_HOURS', () => {
  it('matches the published hours', () => {
    assert.deepEqual(PART_OF_DAY_HOURS, {
      morning: { startHour: 6, endHour: 12 },
      midday: { startHour: 11, endHour: 14 },
      afternoon: { startHour: 12, endHour: 18 },
      evening: { startHour: 18, endHour: 24 }
    })
  })
})

describe('resolveTimeWindow and describeTimeWindow: the seeded example', () => {
  it('stores an afternoon in Shanghai as 04:00Z-10:00Z', () => {
    assert.deepEqual(stored(resolveTimeWindow(shanghaiAfternoon)), {
      timeZone: 'Asia/Shanghai',
      precision: 'part_of_day',
      partOfDay: 'afternoon',
      startsAt: '2026-01-05T04:00:00.000Z',
      endsAt: '2026-01-05T10:00:00.000Z',
      localDate: '2026-01-05',
      label: null
    })
  })

  it('presents it exactly as the API documents', () => {
    assert.deepEqual(describeTimeWindow(resolveTimeWindow(shanghaiAfternoon)), { time: TIME_WINDOW_EXAMPLE })
  })

  it('shows a Los Angeles viewer the previous calendar day', () => {
    const { viewer } = describeTimeWindow(resolveTimeWindow(shanghaiAfternoon), 'America/Los_Angeles')
    assert.deepEqual(viewer, {
      timeZone: 'America/Los_Angeles',
      localStart: '2026-01-04T20:00:00-08:00',
      localEnd: '2026-01-05T02:00:00-08:00',
      localDate: '2026-01-04',
      zonedStart: '2026-01-04T20:00:00-08:00[America/Los_Angeles]',
      zonedEnd: '2026-01-05T02:00:00-08:00[America/Los_Angeles]'
    })
  })

  it('takes the leg\'s zone when the input names none', () => {
    const { timeZone, startsAt } = resolveTimeWindow({ ...shanghaiAfternoon, timeZone: undefined }, { defaultTimeZone: 'Asia/Shanghai' })
    assert.equal(timeZone, 'Asia/Shanghai')
    assert.equal(startsAt.toISOString(), '2026-01-05T04:00:00.000Z')
  })

  it('prefers the input\'s zone over the leg\'s', () => {
    const { timeZone, startsAt } = resolveTimeWindow(shanghaiAfternoon, { defaultTimeZone: 'Europe/London' })
    assert.equal(timeZone, 'Asia/Shanghai')
    assert.equal(startsAt.toISOString(), '2026-01-05T04:00:00.000Z')
  })
})

describe('precision exact', () => {
  it('reads localStart and localEnd on the zone\'s clock', () => {
    assert.deepEqual(timeOf(beijingTalks.input), beijingTalks.view)
  })

  it('leaves the end open when only the start is known', () => {
    const window = resolveTimeWindow({ timeZone: 'Asia/Shanghai', precision: 'exact', localStart: '2026-01-06T09:00:30' })
    assert.equal(window.startsAt.toISOString(), '2026-01-06T01:00:30.000Z')
    assert.equal(window.endsAt, null)
    assert.equal(describeTimeWindow(window).time.localEnd, null)
  })

  it('takes startsAt and endsAt as instants, in offset or Z form, whatever their offset', () => {
    const time = timeOf({ timeZone: 'Asia/Shanghai', precision: 'exact', startsAt: '2026-01-05T15:00:00+08:00', endsAt: '2026-01-05T08:30:00Z' })
    assert.equal(time.startsAt, '2026-01-05T07:00:00.000Z')
    assert.equal(time.endsAt, '2026-01-05T08:30:00.000Z')
    assert.equal(time.localEnd, '2026-01-05T16:30:00+08:00')
    const fromParis = timeOf({ timeZone: 'Asia/Shanghai', precision: 'exact', startsAt: '2026-01-05T17:30+01:00' })
    assert.equal(fromParis.localStart, '2026-01-06T00:30:00+08:00')
    assert.equal(fromParis.localDate, '2026-01-06')
  })

  it('keeps milliseconds in the instant but not in the local reading', () => {
    const time = timeOf({ timeZone: 'UTC', precision: 'exact', startsAt: '2026-01-05T04:00:00.123Z' })
    assert.equal(time.startsAt, '2026-01-05T04:00:00.123Z')
    assert.equal(time.localStart, '2026-01-05T04:00:00+00:00')
  })

  it('writes UTC as +00:00 in local fields, not Z', () => {
    assert.equal(timeOf({ timeZone: 'Etc/UTC', precision: 'exact', localStart: '2026-01-05T04:00' }).localStart, '2026-01-05T04:00:00+00:00')
  })

  it('accepts and ignores disambiguation for a time that happens once', () => {
    for (const disambiguation of ['earlier', 'later'] as const) {
      const time = timeOf({ timeZone: 'Asia/Shanghai', precision: 'exact', localStart: '2026-01-05T15:00', disambiguation })
      assert.equal(time.startsAt, '2026-01-05T07:00:00.000Z')
    }
    const instant = timeOf({ timeZone: 'Asia/Shanghai', precision: 'exact', startsAt: '2026-01-05T07:00:00Z', disambiguation: 'later' })
    assert.equal(instant.startsAt, '2026-01-05T07:00:00.000Z')
  })
})

describe('daylight saving time gaps (clocks spring forward)', () => {
  it('refuses 02:30 on 2026-03-08 in New York, naming the jump and a fix', () => {
    assertRefused({ timeZone: 'America/New_York', precision: 'exact', localStart: '2026-03-08T02:30' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: '2026-03-08T02:30 does not exist in America/New_York: clocks jump from 02:00 to 03:00 (UTC-5 to UTC-4). Send 03:30 or an instant with an offset.'
    })
  })

  it('refuses 01:30 on 2026-03-29 in London', () => {
    assertRefused({ timeZone: 'Europe/London', precision: 'exact', localStart: '2026-03-29T01:30' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: 'clocks jump from 01:00 to 02:00 (UTC to UTC+1). Send 02:30'
    })
  })

  it('names localEnd when the end falls in the gap', () => {
    assertRefused({ timeZone: 'America/New_York', precision: 'exact', localStart: '2026-03-08T01:00', localEnd: '2026-03-08T02:15' }, {
      kind: 'unprocessable',
      path: '/time/localEnd',
      message: '2026-03-08T02:15 does not exist in America/New_York'
    })
  })

  it('refuses a skipped midnight (Santiago, 2026-09-06)', () => {
    assertRefused({ timeZone: 'America/Santiago', precision: 'exact', localStart: '2026-09-06T00:00' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: 'clocks jump from 00:00 to 01:00 (UTC-4 to UTC-3). Send 01:00'
    })
  })

  it('accepts the first minute after the jump', () => {
    assert.equal(timeOf({ timeZone: 'America/New_York', precision: 'exact', localStart: '2026-03-08T03:00' }).startsAt, '2026-03-08T07:00:00.000Z')
  })
})

describe('daylight saving time overlaps (clocks fall back)', () => {
  const overlap: TimeWindowInput = { timeZone: 'America/New_York', precision: 'exact', localStart: '2026-11-01T01:30' }

  it('refuses 01:30 on 2026-11-01 in New York without disambiguation', () => {
    assertRefused(overlap, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: '2026-11-01T01:30 happens twice in America/New_York (at UTC-4 and at UTC-5); add "disambiguation": "earlier" or "later".'
    })
  })

  it('takes the first occurrence (EDT) for "earlier" and the second (EST) for "later"', () => {
    const earlier = timeOf({ ...overlap, disambiguation: 'earlier' })
    assert.equal(earlier.startsAt, '2026-11-01T05:30:00.000Z')
    assert.equal(earlier.localStart, '2026-11-01T01:30:00-04:00')
    const later = timeOf({ ...overlap, disambiguation: 'later' })
    assert.equal(later.startsAt, '2026-11-01T06:30:00.000Z')
    assert.equal(later.localStart, '2026-11-01T01:30:00-05:00')
  })

  it('applies one disambiguation to both ends', () => {
    const window = resolveTimeWindow({ ...overlap, localStart: '2026-11-01T01:10', localEnd: '2026-11-01T01:50', disambiguation: 'later' })
    assert.deepEqual([window.startsAt.toISOString(), window.endsAt?.toISOString()], ['2026-11-01T06:10:00.000Z', '2026-11-01T06:50:00.000Z'])
  })

  it('needs disambiguation when only the end is ambiguous', () => {
    assertRefused({ ...overlap, localStart: '2026-11-01T00:30', localEnd: '2026-11-01T01:30' }, {
      kind: 'unprocessable',
      path: '/time/localEnd',
      message: 'happens twice'
    })
  })
})

describe('zones with odd offsets', () => {
  it('Lord Howe Island: half-hour jump forward and half-hour fall back', () => {
    assertRefused({ timeZone: 'Australia/Lord_Howe', precision: 'exact', localStart: '2026-10-04T02:15' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: 'clocks jump from 02:00 to 02:30 (UTC+10:30 to UTC+11). Send 02:45'
    })
    const overlap: TimeWindowInput = { timeZone: 'Australia/Lord_Howe', precision: 'exact', localStart: '2026-04-05T01:45' }
    assertRefused(overlap, { kind: 'unprocessable', path: '/time/localStart', message: '(at UTC+11 and at UTC+10:30)' })
    const earlier = timeOf({ ...overlap, disambiguation: 'earlier' })
    assert.deepEqual([earlier.startsAt, earlier.localStart], ['2026-04-04T14:45:00.000Z', '2026-04-05T01:45:00+11:00'])
    const later = timeOf({ ...overlap, disambiguation: 'later' })
    assert.deepEqual([later.startsAt, later.localStart], ['2026-04-04T15:15:00.000Z', '2026-04-05T01:45:00+10:30'])
  })

  it('Kathmandu: +05:45', () => {
    const time = timeOf({ timeZone: 'Asia/Kathmandu', precision: 'exact', localStart: '2026-01-05T09:00' })
    assert.deepEqual([time.startsAt, time.localStart], ['2026-01-05T03:15:00.000Z', '2026-01-05T09:00:00+05:45'])
  })

  it('Chatham Islands: +12:45 in winter, +13:45 in summer, 45-minute wall clock jumps', () => {
    const winter = timeOf({ timeZone: 'Pacific/Chatham', precision: 'exact', localStart: '2026-07-01T09:00' })
    assert.deepEqual([winter.startsAt, winter.localStart, winter.localDate], ['2026-06-30T20:15:00.000Z', '2026-07-01T09:00:00+12:45', '2026-07-01'])
    const summer = timeOf({ timeZone: 'Pacific/Chatham', precision: 'exact', localStart: '2026-01-05T09:00' })
    assert.deepEqual([summer.startsAt, summer.localStart], ['2026-01-04T19:15:00.000Z', '2026-01-05T09:00:00+13:45'])
    assertRefused({ timeZone: 'Pacific/Chatham', precision: 'exact', localStart: '2026-09-27T03:00' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: 'clocks jump from 02:45 to 03:45 (UTC+12:45 to UTC+13:45). Send 04:00'
    })
    const overlap: TimeWindowInput = { timeZone: 'Pacific/Chatham', precision: 'exact', localStart: '2026-04-05T03:00' }
    assert.equal(timeOf({ ...overlap, disambiguation: 'earlier' }).startsAt, '2026-04-04T13:15:00.000Z')
    assert.equal(timeOf({ ...overlap, disambiguation: 'later' }).startsAt, '2026-04-04T14:15:00.000Z')
  })

  it('St John\'s: -03:30 in winter, -02:30 in summer', () => {
    const winter = timeOf({ timeZone: 'America/St_Johns', precision: 'exact', localStart: '2026-01-05T09:00' })
    assert.deepEqual([winter.startsAt, winter.localStart], ['2026-01-05T12:30:00.000Z', '2026-01-05T09:00:00-03:30'])
    const summer = timeOf({ timeZone: 'America/St_Johns', precision: 'exact', localStart: '2026-07-01T09:00' })
    assert.deepEqual([summer.startsAt, summer.localStart], ['2026-07-01T11:30:00.000Z', '2026-07-01T09:00:00-02:30'])
    assertRefused({ timeZone: 'America/St_Johns', precision: 'exact', localStart: '2026-03-08T02:30' }, {
      kind: 'unprocessable',
      path: '/time/localStart',
      message: 'clocks jump from 02:00 to 03:00 (UTC-3:30 to UTC-2:30)'
    })
    const overlap: TimeWindowInput = { timeZone: 'America/St_Johns', precision: 'exact', localStart: '2026-11-01T01:30' }
    assert.equal(timeOf({ ...overlap, disambiguation: 'earlier' }).startsAt, '2026-11-01T04:00:00.000Z')
    assert.equal(timeOf({ ...overlap, disambiguation: 'later' }).startsAt, '2026-11-01T05:00:00.000Z')
  })

  it('Kolkata: +05:30, stored under the name sent rather than ICU\'s Asia/Calcutta', () => {
    const time = timeOf({ timeZone: 'Asia/Kolkata', precision: 'date', localDate: '2026-01-05' })
    assert.deepEqual(time, {
      timeZone: 'Asia/Kolkata',
      precision: 'date',
      partOfDay: null,
      startsAt: '2026-01-04T18:30:00.000Z',
      endsAt: '2026-01-05T18:30:00.000Z',
      localStart: '2026-01-05T00:00:00+05:30',
      localEnd: '2026-01-06T00:00:00+05:30',
      localDate: '2026-01-05',
      zonedStart: '2026-01-05T00:00:00+05:30[Asia/Kolkata]',
      zonedEnd: '2026-01-06T00:00:00+05:30[Asia/Kolkata]',
      label: 'Monday 5 January 2026'
    })
  })
})

describe('precision date', () => {
  it('covers 23 hours on the day New York springs forward', () => {
    const window = resolveTimeWindow({ timeZone: 'America/New_York', precision: 'date', localDate: '2026-03-08' })
    assert.equal(hoursIn(window), 23)
    assert.deepEqual(stored(window), {
      timeZone: 'America/New_York',
      precision: 'date',
      partOfDay: null,
      startsAt: '2026-03-08T05:00:00.000Z',
      endsAt: '2026-03-09T04:00:00.000Z',
      localDate: '2026-03-08',
      label: null
    })
  })

  it('covers 25 hours on the day New York falls back', () => {
    const window = resolveTimeWindow({ timeZone: 'America/New_York', precision: 'date', localDate: '2026-11-01' })
    assert.equal(hoursIn(window), 25)
    const time = describeTimeWindow(window).time
    assert.deepEqual([time.localStart, time.localEnd], ['2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00'])
  })

  it('starts at 01:00 on a day whose midnight is skipped (Santiago, 2026-09-06)', () => {
    const window = resolveTimeWindow({ timeZone: 'America/Santiago', precision: 'date', localDate: '2026-09-06' })
    assert.equal(hoursIn(window), 23)
    const time = describeTimeWindow(window).time
    assert.deepEqual([time.startsAt, time.localStart, time.localDate], ['2026-09-06T04:00:00.000Z', '2026-09-06T01:00:00-03:00', '2026-09-06'])
  })

  it('accepts 29 February in a leap year', () => {
    assert.equal(resolveTimeWindow({ timeZone: 'UTC', precision: 'date', localDate: '2024-02-29' }).localDate, '2024-02-29')
  })

  it('refuses a day the zone skipped entirely (Samoa, 2011-12-30)', () => {
    assertRefused({ timeZone: 'Pacific/Apia', precision: 'date', localDate: '2011-12-30' }, {
      kind: 'unprocessable',
      path: '/time/localDate',
      message: '2011-12-30 has no time in Pacific/Apia'
    })
  })
})

describe('windows at the ends of the supported range', () => {
  const outside = 'reaches outside the instants this API supports'

  it('refuses, as 422 naming the field, a valid local input whose instants leave the range', () => {
    assertRefused({ timeZone: 'America/New_York', precision: 'date', localDate: '9999-12-31' }, { kind: 'unprocessable', path: '/time/localDate', message: outside })
    assertRefused({ timeZone: 'Asia/Tokyo', precision: 'part_of_day', localDate: '0001-01-01', partOfDay: 'morning' }, { kind: 'unprocessable', path: '/time/localDate', message: outside })
    assertRefused({ timeZone: 'Pacific/Kiritimati', precision: 'exact', localStart: '9999-12-31T15:00' }, { kind: 'unprocessable', path: '/time/localStart', message: outside })
    assertRefused({ timeZone: 'UTC', precision: 'exact', localStart: '9999-12-30T22:00', localEnd: '9999-12-31T01:00' }, { kind: 'unprocessable', path: '/time/localEnd', message: outside })
    assert.throws(() => resolveTimeWindow({ timeZone: 'UTC', precision: 'tbd' }, { undatedWindow: { startDate: '9999-12-29', endDate: '9999-12-31' } }),
      (error: unknown) => error instanceof InputError && error.kind === 'unprocessable' && error.errors[0]?.path === '/time/localDate')
  })

  it('refuses an instant outside the range as 400, saying so', () => {
    assertRefused({ timeZone: 'UTC', precision: 'exact', startsAt: '9999-12-31T23:59:59-23:59' }, { kind: 'invalid', path: '/time/startsAt', message: 'is outside the instants this API supports' })
  })

  it('accepts the last local day that fits in the zone', () => {
    const window = resolveTimeWindow({ timeZone: 'America/New_York', precision: 'date', localDate: '9999-12-29' })
    assert.equal(window.endsAt?.toISOString(), '9999-12-30T05:00:00.000Z')
  })
})

describe('precision part_of_day', () => {
  it('ends the evening at the start of the next local day', () => {
    const window = resolveTimeWindow({ timeZone: 'Asia/Shanghai', precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'evening' })
    const time = describeTimeWindow(window).time
    assert.deepEqual([time.startsAt, time.endsAt], ['2026-01-05T10:00:00.000Z', '2026-01-05T16:00:00.000Z'])
    assert.deepEqual([time.localStart, time.localEnd, time.localDate], ['2026-01-05T18:00:00+08:00', '2026-01-06T00:00:00+08:00', '2026-01-05'])
  })

  it('ends the evening at the first instant of the next day when its midnight is skipped', () => {
    const window = resolveTimeWindow({ timeZone: 'America/Santiago', precision: 'part_of_day', localDate: '2026-09-05', partOfDay: 'evening' })
    assert.deepEqual([window.startsAt.toISOString(), window.endsAt?.toISOString()], ['2026-09-05T22:00:00.000Z', '2026-09-06T04:00:00.000Z'])
    assert.equal(describeTimeWindow(window).time.localEnd, '2026-09-06T01:00:00-03:00')
    assert.equal(hoursIn(window), 6)
  })

  it('places morning and midday by their local hours', () => {
    const morning = timeOf({ ...shanghaiAfternoon, partOfDay: 'morning' })
    assert.deepEqual([morning.localStart, morning.localEnd], ['2026-01-05T06:00:00+08:00', '2026-01-05T12:00:00+08:00'])
    const midday = timeOf({ ...shanghaiAfternoon, partOfDay: 'midday' })
    assert.deepEqual([midday.startsAt, midday.endsAt], ['2026-01-05T03:00:00.000Z', '2026-01-05T06:00:00.000Z'])
  })
})

describe('describeTimeWindow', () => {
  const window = resolveTimeWindow({ timeZone: 'Asia/Shanghai', precision: 'exact', localStart: '2026-01-05T09:00', localEnd: '2026-01-05T10:00' })

  it('reports partOfDay only for precision part_of_day', () => {
    assert.equal(describeTimeWindow({ ...window, partOfDay: 'morning' }).time.partOfDay, null)
  })

  it('converts to the viewer\'s zone, fixing the case of its name', () => {
    const { viewer } = describeTimeWindow(window, 'america/los_angeles')
    assert.deepEqual(viewer, {
      timeZone: 'America/Los_Angeles',
      localStart: '2026-01-04T17:00:00-08:00',
      localEnd: '2026-01-04T18:00:00-08:00',
      localDate: '2026-01-04',
      zonedStart: '2026-01-04T17:00:00-08:00[America/Los_Angeles]',
      zonedEnd: '2026-01-04T18:00:00-08:00[America/Los_Angeles]'
    })
  })

  it('gives a viewer east of the zone the next day, with quarter-hour offsets', () => {
    const { viewer } = describeTimeWindow(resolveTimeWindow({ timeZone: 'America/St_Johns', precision: 'exact', localStart: '2026-01-05T20:00' }), 'Pacific/Chatham')
    assert.deepEqual(viewer, {
      timeZone: 'Pacific/Chatham',
      localStart: '2026-01-06T13:15:00+13:45',
      localEnd: null,
      localDate: '2026-01-06',
      zonedStart: '2026-01-06T13:15:00+13:45[Pacific/Chatham]',
      zonedEnd: null
    })
  })

  it('refuses an unknown viewer zone with a 400', () => {
    assert.throws(() => describeTimeWindow(window, 'Mars/Olympus'), (error: unknown) => {
      assert.ok(error instanceof InputError)
      assert.equal(error.kind, 'invalid')
      assert.match(error.message, /Mars\/Olympus/)
      return true
    })
  })
})

describe('time zone names', () => {
  it('requires a zone when the engagement has no leg', () => {
    assertRefused({ precision: 'date', localDate: '2026-01-05' }, {
      kind: 'invalid',
      path: '/time/timeZone',
      message: 'timeZone is required when the engagement has no leg'
    })
  })

  it('refuses unknown zones and fixed offsets', () => {
    for (const timeZone of ['Mars/Olympus', 'UTC+3', '+08:00']) {
      assertRefused({ timeZone, precision: 'date', localDate: '2026-01-05' }, { kind: 'invalid', path: '/time/timeZone', message: `"${timeZone}" is not an IANA time zone name` })
    }
  })

  it('refuses an unknown zone inherited from the leg under the same path', () => {
    assertRefused({ precision: 'date', localDate: '2026-01-05' }, { kind: 'invalid', path: '/time/timeZone', message: 'Mars/Olympus' }, { defaultTimeZone: 'Mars/Olympus' })
  })

  it('accepts any case and stores the tz database spelling', () => {
    assert.equal(resolveTimeWindow({ ...shanghaiAfternoon, timeZone: 'asia/seoul' }).timeZone, 'Asia/Seoul')
    assert.equal(resolveTimeWindow({ ...shanghaiAfternoon, timeZone: undefined }, { defaultTimeZone: 'ASIA/SHANGHAI' }).timeZone, 'Asia/Shanghai')
  })
})

describe('malformed input (400)', () => {
  const exact = (fields: Partial<TimeWindowInput>): TimeWindowInput => ({ timeZone: 'Asia/Shanghai', precision: 'exact', ...fields })

  it('prefixes paths with the caller\'s base path', () => {
    assertRefused(exact({}), { kind: 'invalid', path: '/body/time/localStart', message: 'needs localStart' }, { path: '/body/time' })
  })

  it('refuses an unknown precision', () => {
    assertRefused({ timeZone: 'Asia/Shanghai', precision: 'hour' as never }, { kind: 'invalid', path: '/time/precision', message: 'precision must be "exact", "part_of_day", "date" or "tbd"' })
  })

  it('needs localStart or startsAt for precision exact', () => {
    assertRefused(exact({}), { kind: 'invalid', path: '/time/localStart', message: 'precision "exact" needs localStart' })
    assertRefused(exact({ localEnd: '2026-01-05T10:00' }), { kind: 'invalid', path: '/time/localStart', message: 'needs localStart' })
    assertRefused(exact({ endsAt: '2026-01-05T10:00:00Z' }), { kind: 'invalid', path: '/time/startsAt', message: 'or startsAt' })
  })

  it('refuses mixing wall-clock and instant forms, naming the field', () => {
    assertRefused(exact({ localStart: '2026-01-05T09:00', startsAt: '2026-01-05T01:00:00Z' }), {
      kind: 'invalid', path: '/time/startsAt', message: 'startsAt cannot be combined with localStart/localEnd'
    })
    assertRefused(exact({ startsAt: '2026-01-05T01:00:00Z', localEnd: '2026-01-05T10:00' }), {
      kind: 'invalid', path: '/time/startsAt', message: 'not both'
    })
    assertRefused(exact({ localStart: '2026-01-05T09:00', endsAt: '2026-01-05T03:00:00Z' }), {
      kind: 'invalid', path: '/time/endsAt', message: 'endsAt cannot be combined'
    })
  })

  it('refuses fields that belong to another precision, naming each', () => {
    const input = exact({ localStart: '2026-01-05T09:00', localDate: '2026-01-05', partOfDay: 'morning' })
    assertRefused(input, { kind: 'invalid', path: '/time/localDate', message: 'localDate does not apply to precision "exact"' })
    assertRefused(input, { kind: 'invalid', path: '/time/partOfDay', message: 'partOfDay does not apply to precision "exact"' })
    const partOfDay = { ...shanghaiAfternoon, localStart: '2026-01-05T09:00', disambiguation: 'earlier' } as const
    assertRefused(partOfDay, { kind: 'invalid', path: '/time/localStart', message: 'localStart does not apply to precision "part_of_day"' })
    assertRefused(partOfDay, { kind: 'invalid', path: '/time/disambiguation', message: 'disambiguation does not apply' })
    assertRefused({ timeZone: 'UTC', precision: 'date', localDate: '2026-01-05', partOfDay: 'evening' }, {
      kind: 'invalid', path: '/time/partOfDay', message: 'partOfDay does not apply to precision "date"'
    })
    assertRefused({ timeZone: 'UTC', precision: 'date', localDate: '2026-01-05', endsAt: '2026-01-06T00:00:00Z' }, {
      kind: 'invalid', path: '/time/endsAt', message: 'used with precision "exact"'
    })
  })

  it('lists every problem at once', () => {
    assert.throws(() => resolveTimeWindow({ timeZone: 'Mars/Olympus', precision: 'part_of_day', localDate: '2026-02-30' }), (error: unknown) => {
      assert.ok(error instanceof InputError)
      assert.deepEqual(error.errors.map((e) => e.path), ['/time/timeZone', '/time/localDate', '/time/partOfDay'])
      assert.equal(error.message, 'The time window has 3 problems; see errors.')
      return true
    })
  })

  it('uses the single problem as the detail when there is one', () => {
    assert.throws(() => resolveTimeWindow(exact({})), { message: /^precision "exact" needs localStart/ })
  })

  it('refuses malformed wall-clock times, with a hint when an offset was sent', () => {
    assertRefused(exact({ localStart: '2026-01-05 09:00' }), { kind: 'invalid', path: '/time/localStart', message: 'got "2026-01-05 09:00"' })
    assertRefused(exact({ localStart: '2026-02-30T09:00' }), { kind: 'invalid', path: '/time/localStart', message: 'must be a real wall-clock date-time' })
    assertRefused(exact({ localStart: '2026-01-05T09:00', localEnd: '2026-01-05T10:00+08:00' }), {
      kind: 'invalid', path: '/time/localEnd', message: 'localEnd must not carry an offset'
    })
  })

  it('refuses instants without an offset, pointing at the wall-clock field', () => {
    assertRefused(exact({ startsAt: '2026-01-05T09:00:00' }), { kind: 'invalid', path: '/time/startsAt', message: 'use localStart' })
    assertRefused(exact({ startsAt: '2026-01-05T01:00:00Z', endsAt: 'tomorrow' }), { kind: 'invalid', path: '/time/endsAt', message: 'with "Z" or an offset' })
  })

  it('refuses an unknown disambiguation', () => {
    assertRefused(exact({ localStart: '2026-01-05T09:00', disambiguation: 'first' as never }), {
      kind: 'invalid', path: '/time/disambiguation', message: 'disambiguation must be "earlier" or "later"'
    })
  })

  it('needs localDate and a known partOfDay for precision part_of_day', () => {
    assertRefused({ timeZone: 'UTC', precision: 'part_of_day', partOfDay: 'evening' }, { kind: 'invalid', path: '/time/localDate', message: 'precision "part_of_day" needs localDate' })
    assertRefused({ timeZone: 'UTC', precision: 'part_of_day', localDate: '2026-01-05' }, { kind: 'invalid', path: '/time/partOfDay', message: 'needs partOfDay: "morning", "midday", "afternoon" or "evening"' })
    assertRefused({ timeZone: 'UTC', precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'night' as never }, { kind: 'invalid', path: '/time/partOfDay', message: 'needs partOfDay' })
    assertRefused({ timeZone: 'UTC', precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'toString' as never }, { kind: 'invalid', path: '/time/partOfDay', message: 'needs partOfDay' })
  })

  it('needs a real calendar localDate for precision date', () => {
    assertRefused({ timeZone: 'UTC', precision: 'date' }, { kind: 'invalid', path: '/time/localDate', message: 'precision "date" needs localDate' })
    for (const localDate of ['2026-02-30', '2026-13-01', '2025-02-29', '2026-1-5', '2026-01-05T00:00']) {
      assertRefused({ timeZone: 'UTC', precision: 'date', localDate }, { kind: 'invalid', path: '/time/localDate', message: `got "${localDate}"` })
    }
  })
})

describe('end not after start (422)', () => {
  it('refuses localEnd before or equal to localStart', () => {
    for (const localEnd of ['2026-01-05T09:00', '2026-01-05T10:00']) {
      assertRefused({ timeZone: 'Asia/Shanghai', precision: 'exact', localStart: '2026-01-05T10:00', localEnd }, {
        kind: 'unprocessable', path: '/time/localEnd', message: `localEnd (${localEnd}) must be after localStart (2026-01-05T10:00)`
      })
    }
  })

  it('refuses endsAt before startsAt, comparing instants not wall clocks', () => {
    assertRefused({ timeZone: 'Asia/Shanghai', precision: 'exact', startsAt: '2026-01-05T10:00:00+08:00', endsAt: '2026-01-05T11:00:00+10:00' }, {
      kind: 'unprocessable', path: '/time/endsAt', message: 'endsAt (2026-01-05T11:00:00+10:00) must be after startsAt (2026-01-05T10:00:00+08:00)'
    })
    const window = resolveTimeWindow({ timeZone: 'Asia/Shanghai', precision: 'exact', startsAt: '2026-01-05T10:00:00+08:00', endsAt: '2026-01-05T09:00:00+05:45' })
    assert.equal(window.endsAt?.toISOString(), '2026-01-05T03:15:00.000Z')
  })

  it('applies one disambiguation to both ends, so a window across the fall-back needs instants', () => {
    // 01:30 EDT to 01:15 EST is 45 minutes, but both ends read as EST (or both as EDT) are reversed.
    assertRefused({ timeZone: 'America/New_York', precision: 'exact', localStart: '2026-11-01T01:30', localEnd: '2026-11-01T01:15', disambiguation: 'later' }, {
      kind: 'unprocessable', path: '/time/localEnd', message: 'must be after localStart'
    })
    const window = resolveTimeWindow({ timeZone: 'America/New_York', precision: 'exact', startsAt: '2026-11-01T01:30-04:00', endsAt: '2026-11-01T01:15-05:00' })
    assert.equal(hoursIn(window), 0.75)
  })
})

describe('precision tbd', () => {
  it('with an announced day: that whole local day, and says the time is to be announced', () => {
    const time = timeOf({ timeZone: 'Asia/Shanghai', precision: 'tbd', localDate: '2026-01-06' })
    assert.deepEqual([time.startsAt, time.endsAt, time.localDate], ['2026-01-05T16:00:00.000Z', '2026-01-06T16:00:00.000Z', '2026-01-06'])
    assert.equal(time.precision, 'tbd')
    assert.equal(time.partOfDay, null)
    assert.equal(time.label, 'Tuesday 6 January 2026, time to be announced')
  })

  it('without a day: the whole frame it falls within, never a made-up hour', () => {
    const window = resolveTimeWindow({ precision: 'tbd' }, {
      defaultTimeZone: 'Asia/Shanghai',
      undatedWindow: { startDate: '2026-01-04', endDate: '2026-01-06' }
    })
    assert.deepEqual([window.startsAt.toISOString(), window.endsAt?.toISOString(), window.localDate], [
      '2026-01-03T16:00:00.000Z', '2026-01-06T16:00:00.000Z', '2026-01-04'
    ])
    assert.equal(describeTimeWindow(window).time.label,
      'Date to be announced, between Sunday 4 January 2026 and Tuesday 6 January 2026')
  })

  it('without a day or a frame: refused, asking for localDate', () => {
    assertRefused({ timeZone: 'Asia/Shanghai', precision: 'tbd' }, { kind: 'invalid', path: '/time/localDate', message: 'send localDate' })
  })

  it('refuses fields that would place it at an hour', () => {
    assertRefused({ timeZone: 'Asia/Shanghai', precision: 'tbd', localDate: '2026-01-06', localStart: '2026-01-06T10:00' }, {
      kind: 'invalid', path: '/time/localStart', message: 'does not apply to precision "tbd"'
    })
  })

  it('names the last day right across a 25-hour day (New York falls back on 2026-11-01)', () => {
    const window = resolveTimeWindow({ timeZone: 'America/New_York', precision: 'tbd' }, {
      undatedWindow: { startDate: '2026-10-31', endDate: '2026-11-01' }
    })
    assert.equal(hoursIn(window), 49)
    assert.equal(describeTimeWindow(window).time.label,
      'Date to be announced, between Saturday 31 October 2026 and Sunday 1 November 2026')
  })
})

describe('time labels', () => {
  it('words each precision on the clock where it happens, in English whatever the machine\'s locale', () => {
    assert.equal(timeOf({ timeZone: 'Asia/Seoul', precision: 'exact', localStart: '2026-01-07T21:00' }).label, 'Wednesday 7 January 2026, 21:00')
    assert.equal(timeOf({ timeZone: 'Asia/Seoul', precision: 'date', localDate: '2026-01-07' }).label, 'Wednesday 7 January 2026')
    assert.equal(timeOf({ timeZone: 'Asia/Shanghai', precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'evening' }).label,
      'Tuesday 6 January 2026, evening')
  })

  it('gives both days when an exact window runs past midnight', () => {
    assert.equal(timeOf({ timeZone: 'Europe/London', precision: 'exact', localStart: '2026-03-28T23:00', localEnd: '2026-03-29T03:00' }).label,
      'Saturday 28 March 2026, 23:00 – Sunday 29 March 2026, 03:00')
  })

  it('keeps the writer\'s own words when given', () => {
    const time = timeOf({ timeZone: 'Asia/Shanghai', precision: 'date', localDate: '2026-01-05', label: 'After the business forum' })
    assert.equal(time.label, 'After the business forum')
  })

  it('writes RFC 9557 zoned forms that carry offset and zone', () => {
    const time = timeOf({ timeZone: 'America/New_York', precision: 'exact', localStart: '2026-11-01T01:30', disambiguation: 'later' })
    assert.equal(time.zonedStart, '2026-11-01T01:30:00-05:00[America/New_York]')
    assert.equal(time.zonedEnd, null)
  })
})

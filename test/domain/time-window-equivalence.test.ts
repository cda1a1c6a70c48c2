// describeTimeWindow writes its times from one offset per instant (src/domain/zone-clock.ts). The
// reference here is luxon's DateTime, used plainly, as the API wrote every field before: thousands
// of seeded windows, in zones whose clocks do everything a clock does, must read byte for byte the same.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DateTime, IANAZone } from 'luxon'
import { localDateOf } from '../../src/domain/local-day.js'
import {
  describeTimeWindow,
  PART_OF_DAY_HOURS,
  PARTS_OF_DAY,
  PRECISIONS,
  resolveTimeWindow,
  type PartOfDay,
  type ResolvedTimeWindow,
  type TimeWindowInput
} from '../../src/domain/time-window.js'
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../../src/domain/time-range.js'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

const ZONES = [
  'Asia/Kathmandu', // +5:45 (+5:30 before 1986)
  'Australia/Lord_Howe', // half an hour of daylight saving time
  'Pacific/Chatham', // +12:45 / +13:45, southern summer
  'America/Havana', // skips midnight in March, repeats it in November
  'Europe/London',
  'America/New_York',
  'Asia/Seoul',
  'Australia/Sydney', // southern summer
  'America/Santiago', // skips midnight
  'Asia/Beirut', // falls back from midnight to 23:00
  'Pacific/Apia', // skipped 2011-12-30 entirely
  'Africa/Monrovia', // -0:44:30 until 1972: offsets that are not whole minutes
  'Europe/Amsterdam', // +0:19:32 local mean time
  'America/St_Johns', // -3:30
  'UTC',
  'Etc/UTC'
]

// Years with the zones' changes of offset in them: local mean time, the 1970s, Samoa's jump, now,
// and the last years of the range (the rules repeat to 9999).
const YEARS = [1891, 1909, 1937, 1971, 1972, 1986, 2011, 2026, 2027, 9999]

/** mulberry32: a small seeded generator, so that a failure names a case that can be run again. */
function seeded (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const random = seeded(20261201)
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T
const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))

/** The instants in a UTC year at which the zone's offset changes, found by day and bisected to the millisecond. */
function offsetChanges (timeZone: string, year: number): number[] {
  const zone = IANAZone.create(timeZone)
  const changes: number[] = []
  const end = Date.UTC(year + 1, 0, 1)
  let offset = zone.offset(Date.UTC(year, 0, 1))
  for (let at = Date.UTC(year, 0, 1); at < end; at += DAY_MS) {
    const next = zone.offset(at + DAY_MS)
    if (next === offset) continue
    let [before, after] = [at, at + DAY_MS]
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2)
      if (zone.offset(middle) === offset) before = middle
      else after = middle
    }
    changes.push(after)
    offset = next
  }
  return changes
}

const CHANGES = new Map(ZONES.map((zone) => [zone, YEARS.flatMap((year) => offsetChanges(zone, year))]))

// Around a change, and around the midnights and hours near it, where a reading can be skipped or repeated.
const NEAR = [0, -1, 1, -1000, 1000, -30 * MINUTE_MS, 30 * MINUTE_MS, -HOUR_MS, HOUR_MS, -2 * HOUR_MS, 2 * HOUR_MS,
  -DAY_MS, DAY_MS, -DAY_MS - HOUR_MS, DAY_MS + HOUR_MS]

function instantNearChange (timeZone: string): number {
  const changes = CHANGES.get(timeZone) ?? []
  if (changes.length === 0) return instantAnywhere()
  return pick(changes) + pick(NEAR) + pick([0, 0, between(-3, 3) * 15 * MINUTE_MS])
}

function instantAnywhere (): number {
  return between(EARLIEST_INSTANT.getTime(), LATEST_INSTANT.getTime())
}

/** The first and last days of the supported range, and a day past each (stored data may reach them). */
function instantNearBounds (): number {
  return random() < 0.5
    ? EARLIEST_INSTANT.getTime() + between(-DAY_MS, 3 * DAY_MS)
    : LATEST_INSTANT.getTime() + between(-3 * DAY_MS, DAY_MS)
}

// Lengths that end on the same local day, just past a midnight, or days later.
const LENGTHS = [1, MINUTE_MS, 30 * MINUTE_MS, HOUR_MS, 90 * MINUTE_MS, 3 * HOUR_MS, 6 * HOUR_MS, 23 * HOUR_MS, DAY_MS,
  25 * HOUR_MS, 2 * DAY_MS, 3 * DAY_MS + 7 * HOUR_MS]

function generatedWindow (): ResolvedTimeWindow {
  const timeZone = pick(ZONES)
  const kind = random()
  const start = kind < 0.6 ? instantNearChange(timeZone) : kind < 0.85 ? instantAnywhere() : instantNearBounds()
  const precision = pick(PRECISIONS)
  const end = random() < 0.15 ? null : start + (random() < 0.3 ? between(1, 3 * DAY_MS) : pick(LENGTHS))
  return {
    timeZone,
    precision,
    partOfDay: pick(PARTS_OF_DAY),
    startsAt: new Date(start),
    endsAt: end === null ? null : new Date(end),
    localDate: '2026-01-05',
    label: random() < 0.05 ? 'After the summit' : null
  }
}

/** What a writer sends about a day near a change of offset: each precision, each part of day, wall-clock times in its gaps and overlaps. */
function resolvedNearChange (): ResolvedTimeWindow | null {
  const timeZone = pick(ZONES)
  const reading = DateTime.fromMillis(instantNearChange(timeZone), { zone: timeZone })
  const localDate = reading.toISODate() ?? ''
  const precision = pick(PRECISIONS)
  const inputs: Record<typeof precision, TimeWindowInput> = {
    exact: {
      timeZone,
      precision,
      localStart: reading.toFormat("yyyy-MM-dd'T'HH:mm"),
      localEnd: reading.plus({ minutes: pick([30, 90, 150, 24 * 60]) }).toFormat("yyyy-MM-dd'T'HH:mm"),
      disambiguation: pick(['earlier', 'later'] as const)
    },
    part_of_day: { timeZone, precision, localDate, partOfDay: pick(PARTS_OF_DAY) },
    date: { timeZone, precision, localDate },
    tbd: { timeZone, precision, localDate }
  }
  try {
    return resolveTimeWindow(inputs[precision])
  } catch {
    return null // a reading the zone skips, a day it skipped, an end not after its start
  }
}

// The reference: luxon's DateTime, as describeTimeWindow used it before.
const LABEL_DAY = 'cccc d LLLL yyyy'

function luxonLocal (instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ")
}

function luxonLabel (window: ResolvedTimeWindow): string {
  const onClock = (instant: Date) => DateTime.fromJSDate(instant, { zone: window.timeZone }).setLocale('en-GB')
  const start = onClock(window.startsAt)
  switch (window.precision) {
    case 'exact': {
      const from = `${start.toFormat(LABEL_DAY)}, ${start.toFormat('HH:mm')}`
      if (window.endsAt === null) return from
      const end = onClock(window.endsAt)
      return start.hasSame(end, 'day') ? `${from}–${end.toFormat('HH:mm')}` : `${from} – ${end.toFormat(LABEL_DAY)}, ${end.toFormat('HH:mm')}`
    }
    case 'part_of_day':
      return `${start.toFormat(LABEL_DAY)}, ${window.partOfDay ?? ''}`
    case 'date':
      return start.toFormat(LABEL_DAY)
    case 'tbd': {
      const lastDay = onClock(new Date((window.endsAt ?? window.startsAt).getTime() - 1))
      if (start.hasSame(lastDay, 'day')) return `${start.toFormat(LABEL_DAY)}, time to be announced`
      return `Date to be announced, between ${start.toFormat(LABEL_DAY)} and ${lastDay.toFormat(LABEL_DAY)}`
    }
  }
}

function luxonView (window: ResolvedTimeWindow, viewerTimeZone: string | undefined) {
  const { timeZone, startsAt, endsAt } = window
  const local = (zone: string) => ({ start: luxonLocal(startsAt, zone), end: endsAt === null ? null : luxonLocal(endsAt, zone) })
  const own = local(timeZone)
  const time = {
    timeZone,
    precision: window.precision,
    partOfDay: window.precision === 'part_of_day' ? window.partOfDay : null,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt?.toISOString() ?? null,
    localStart: own.start,
    localEnd: own.end,
    localDate: window.localDate,
    zonedStart: `${own.start}[${timeZone}]`,
    zonedEnd: own.end === null ? null : `${own.end}[${timeZone}]`,
    label: window.label ?? luxonLabel(window)
  }
  if (viewerTimeZone === undefined) return { time }
  const viewer = local(viewerTimeZone)
  return {
    time,
    viewer: {
      timeZone: viewerTimeZone,
      localStart: viewer.start,
      localEnd: viewer.end,
      localDate: DateTime.fromJSDate(startsAt, { zone: viewerTimeZone }).toISODate(),
      zonedStart: `${viewer.start}[${viewerTimeZone}]`,
      zonedEnd: viewer.end === null ? null : `${viewer.end}[${viewerTimeZone}]`
    }
  }
}

function assertReadsAsLuxon (window: ResolvedTimeWindow, viewerTimeZone: string | undefined, seen: Set<string>): void {
  const expected = JSON.stringify(luxonView(window, viewerTimeZone))
  const actual = JSON.stringify(describeTimeWindow(window, viewerTimeZone))
  const inputs = JSON.stringify({ window, viewerTimeZone })
  assert.equal(actual, expected, inputs)
  const label = (JSON.parse(expected) as { time: { label: string } }).time.label
  seen.add(`${window.precision} ${label.includes(' – ') ? 'days apart' : 'same day'}`)
}

describe('describeTimeWindow reads as luxon DateTime does', () => {
  it('for thousands of seeded windows: near changes of offset, anywhere in the range, at its bounds', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 6000; i++) {
      assertReadsAsLuxon(generatedWindow(), random() < 0.2 ? undefined : pick(ZONES), seen)
    }
    // Every precision came up, and exact labels both within a day and across days.
    for (const precision of PRECISIONS) assert.ok([...seen].some((kind) => kind.startsWith(precision)), precision)
    assert.ok(seen.has('exact same day') && seen.has('exact days apart'))
  })

  it('for windows resolved from what writers send on the days clocks change', () => {
    const seen = new Set<string>()
    let resolved = 0
    for (let i = 0; i < 2000; i++) {
      const window = resolvedNearChange()
      if (window === null) continue
      resolved++
      assertReadsAsLuxon(window, pick([undefined, ...ZONES]), seen)
    }
    assert.ok(resolved > 1500, `only ${resolved} of 2000 resolved`)
  })

  it('where luxon takes the later of two repeated midnights as the end of the day', () => {
    // Havana falls back from 01:00 to 00:00 on 2026-11-01. From 23:00 the evening before, luxon
    // ends that evening's day at the second midnight, so 00:30 on the first pass reads as the same day.
    const window = resolveTimeWindow({
      timeZone: 'America/Havana', precision: 'exact', localStart: '2026-10-31T23:00', localEnd: '2026-11-01T00:30', disambiguation: 'earlier'
    })
    assert.equal(describeTimeWindow(window).time.label, 'Saturday 31 October 2026, 23:00–00:30')
    assertReadsAsLuxon(window, 'Asia/Kathmandu', new Set())
  })

  it('for every part of day on every day of a year with changes, in each zone', () => {
    const seen = new Set<string>()
    for (const timeZone of ZONES) {
      for (let day = DateTime.utc(2026, 1, 1); day.year === 2026; day = day.plus({ days: 11 })) {
        const localDate = day.toISODate() ?? ''
        for (const partOfDay of Object.keys(PART_OF_DAY_HOURS) as PartOfDay[]) {
          let window: ResolvedTimeWindow
          try {
            window = resolveTimeWindow({ timeZone, precision: 'part_of_day', localDate, partOfDay })
          } catch {
            continue
          }
          assertReadsAsLuxon(window, 'America/New_York', seen)
        }
      }
    }
  })
})

describe('localDateOf reads as DateTime#toISODate', () => {
  it('in every zone, at the bounds of the range and past them (expanded years)', () => {
    const instants = [EARLIEST_INSTANT.getTime(), LATEST_INSTANT.getTime(), Date.UTC(10000, 0, 3), EARLIEST_INSTANT.getTime() - 400 * DAY_MS,
      ...Array.from({ length: 300 }, instantNearBounds), ...Array.from({ length: 300 }, instantAnywhere)]
    for (const timeZone of ZONES) {
      for (const instant of instants) {
        const date = new Date(instant)
        assert.equal(localDateOf(date, timeZone), DateTime.fromJSDate(date, { zone: timeZone }).toISODate(), `${date.toISOString()} in ${timeZone}`)
      }
    }
  })
})

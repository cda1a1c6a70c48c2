import { DateTime, FixedOffsetZone } from 'luxon'
import { isSupportedInstant, isSupportedYear } from './time-range.js'

/** A calendar date with no zone attached. */
export interface CalendarDate {
  year: number
  month: number
  day: number
}

/** What a wall clock reads, with no zone attached; the same reading happens at different instants in different zones. */
export interface WallClock extends CalendarDate {
  hour: number
  minute: number
  second: number
  millisecond: number
}

// The validators below are registered as Ajv formats: they run on every request and must
// never throw, so they are plain regular expressions plus calendar arithmetic.
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?$/
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/

// IANA names are letters, digits, "_", "-", "+" and "/" ("America/Port-au-Prince", "Etc/GMT+5").
// Checking the shape first keeps Intl from ever seeing offsets such as "+03:00", which newer
// engines accept as zones although they know nothing about daylight saving time.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/
const LONGEST_ZONE_NAME = 64

function isLeapYear (year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

function daysInMonth (year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

// Years outside the supported range (year 0000 above all) are not on this API's calendar.
function isCalendarDate (year: number, month: number, day: number): boolean {
  return isSupportedYear(year) && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

function isClockTime (hour: number, minute: number, second: number): boolean {
  return hour <= 23 && minute <= 59 && second <= 59
}

/** The date in a strict `YYYY-MM-DD` string, or null when it is malformed or not on the calendar (2026-02-30). */
export function parseLocalDate (s: string): CalendarDate | null {
  const m = LOCAL_DATE.exec(s)
  if (m === null) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return isCalendarDate(year, month, day) ? { year, month, day } : null
}

/** The reading in `YYYY-MM-DDTHH:mm[:ss[.SSS]]` (no offset, no Z), or null when it is malformed or impossible. */
export function parseLocalDateTime (s: string): WallClock | null {
  const m = LOCAL_DATE_TIME.exec(s)
  if (m === null) return null
  const [year, month, day, hour, minute] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
  const second = Number(m[6] ?? 0)
  const millisecond = Number(m[7] ?? 0)
  if (!isCalendarDate(year, month, day) || !isClockTime(hour, minute, second)) return null
  return { year, month, day, hour, minute, second, millisecond }
}

export function isValidLocalDate (s: string): boolean {
  return parseLocalDate(s) !== null
}

export function isValidLocalDateTime (s: string): boolean {
  return parseLocalDateTime(s) !== null
}

/**
 * The instant an ISO 8601 date-time with `Z` or a `±HH:mm` offset pins (seconds and fraction
 * optional; digits past milliseconds are dropped), as milliseconds since 1970, whether or not it
 * is in the supported range; null when it is malformed or not on the calendar.
 */
export function instantMillis (s: string): number | null {
  const m = INSTANT.exec(s)
  if (m === null) return null
  const [year, month, day, hour, minute] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
  const second = Number(m[6] ?? 0)
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)]
  if (!isCalendarDate(year, month, day) || !isClockTime(hour, minute, second) || offsetHours > 23 || offsetMinutes > 59) return null
  // setUTCFullYear, because Date.UTC reads years 0-99 as 1900-1999.
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)))
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return utc.getTime() - offsetMs
}

/** ISO 8601 date-time that pins an instant inside the supported range (see time-range.ts), once its offset is applied. */
export function isValidInstant (s: string): boolean {
  const millis = instantMillis(s)
  return millis !== null && isSupportedInstant(millis)
}

// Keyed by lower-case name. Only valid names are kept, so the map is bounded by the size of
// the tz database however many junk names clients send.
const canonicalNames = new Map<string, string>()

/**
 * The spelling to store for an IANA zone name, or null when the runtime does not know it.
 *
 * Names are matched case-insensitively, as Intl does ("asia/seoul" is accepted), because a
 * newsroom developer typing a zone by hand should not get a 400 for its case. The answer is the
 * tz database spelling ("Asia/Seoul") whenever the runtime can tell it. Aliases are kept as sent
 * ("Asia/Kolkata", "Europe/Kyiv", "Etc/UTC", "US/Eastern"): the runtime's own canonical ID for
 * them is often a legacy name (ICU answers "Asia/Calcutta" for "Asia/Kolkata"), which would
 * surprise whoever sent the current one. The one case left unfixed is an alias sent in the
 * wrong case ("asia/kolkata"): it is stored as sent and still computes correctly.
 */
export function canonicalTimeZoneName (name: string): string | null {
  const key = name.toLowerCase()
  const known = canonicalNames.get(key)
  if (known !== undefined) return known.toLowerCase() === key ? known : name
  if (name.length > LONGEST_ZONE_NAME || !ZONE_NAME.test(name)) return null
  let resolved: string
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    return null
  }
  canonicalNames.set(key, resolved)
  return resolved.toLowerCase() === key ? resolved : name
}

/** The spelling to store for a zone name that isValidTimeZone accepted ("asia/seoul" → "Asia/Seoul"). */
export function canonicalZone (name: string): string {
  return canonicalTimeZoneName(name) ?? name
}

/** True for IANA zone names ("Asia/Shanghai", "UTC", "Etc/UTC"); false for fixed offsets such as "UTC+3" or "+03:00". */
export function isValidTimeZone (name: string): boolean {
  return canonicalTimeZoneName(name) !== null
}

/** One instant seen on both sides of a forward jump: `before` on the old clock (a fixed offset), `after` on the zone's clock. */
export interface ClockJump {
  before: DateTime
  after: DateTime
}

/**
 * The instants at which the clock in a zone shows a reading: one; two when clocks fall back over
 * it ('repeated', in time order); none when clocks jump over it ('skipped'), with the jump and
 * the reading moved forward by the jump's length (02:30 becomes 03:30 when 02:00 jumps to 03:00).
 */
export type WallClockInstants =
  | { kind: 'unique', instant: DateTime }
  | { kind: 'repeated', earlier: DateTime, later: DateTime }
  | { kind: 'skipped', jump: ClockJump, movedForward: DateTime }

function showsWallClock (dt: DateTime, wall: WallClock): boolean {
  return dt.year === wall.year && dt.month === wall.month && dt.day === wall.day &&
    dt.hour === wall.hour && dt.minute === wall.minute && dt.second === wall.second &&
    dt.millisecond === wall.millisecond
}

/**
 * Where clocks jump over the reading that luxon moved forward to `movedForward`. The jump lies
 * between the reading taken at the new offset (still before the jump) and `movedForward`
 * (after it); bisecting on the zone's offset finds it to the millisecond.
 */
function clockJumpBefore (movedForward: DateTime, wall: WallClock): ClockJump {
  const zone = movedForward.zone
  const offsetAfter = movedForward.offset
  let before = DateTime.fromObject(wall, { zone: FixedOffsetZone.instance(offsetAfter) }).toMillis()
  let after = movedForward.toMillis()
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2)
    if (zone.offset(middle) === offsetAfter) after = middle
    else before = middle
  }
  const jump = DateTime.fromMillis(after, { zone })
  return { before: jump.setZone(FixedOffsetZone.instance(zone.offset(after - 1))), after: jump }
}

/** See {@link WallClockInstants}. Throws RangeError for a zone the runtime does not know. */
export function instantsAtWallClock (wall: WallClock, timeZone: string): WallClockInstants {
  // fromObject never fails on a skipped reading: it silently moves it forward, which is how the
  // gap is detected. When the reading repeats, it returns one of the two, so ask for both.
  const dt = DateTime.fromObject(wall, { zone: timeZone })
  if (!dt.isValid) throw new RangeError(`Cannot read a wall clock in "${timeZone}": ${dt.invalidExplanation ?? dt.invalidReason}`)
  if (!showsWallClock(dt, wall)) return { kind: 'skipped', jump: clockJumpBefore(dt, wall), movedForward: dt }
  const [first, second] = dt.getPossibleOffsets()
    .filter((candidate) => showsWallClock(candidate, wall))
    .sort((a, b) => a.toMillis() - b.toMillis())
  if (first === undefined || second === undefined) return { kind: 'unique', instant: dt }
  return { kind: 'repeated', earlier: first, later: second }
}

/** The first instant at which the zone's clock shows the reading, or the jump over it when the reading is skipped. */
export function firstInstantAtOrAfter (wall: WallClock, timeZone: string): DateTime {
  const instants = instantsAtWallClock(wall, timeZone)
  switch (instants.kind) {
    case 'unique': return instants.instant
    case 'repeated': return instants.earlier
    case 'skipped': return instants.jump.after
  }
}

import { DateTime, FixedOffsetZone, Info, type Zone } from 'luxon'
import { offsetAt } from './zone-offsets.js'

// Writing a window's times through luxon DateTime objects (several per instant, each format
// string parsed anew, the offset asked of Intl again for every "ZZ") was most of the CPU of a
// read. Here luxon answers only what is a zone rule, the offset at an instant, once per instant;
// the text is written from it the way DateTime would write it, so that it reads the same.

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

/** What a zone's clock reads at an instant. */
export interface ClockReading {
  zone: Zone
  /** Milliseconds since 1970. */
  instant: number
  /** The zone's offset at the instant, in minutes (fractional in some zones' local mean time). */
  offset: number
  /** The reading as if it were UTC: its getUTC* fields are what the clock shows. */
  wall: Date
}

/** The luxon zone for a name (luxon keeps one per name); RangeError when the runtime does not know it. */
export function zoneNamed (timeZone: string): Zone {
  const zone = Info.normalizeZone(timeZone)
  if (!zone.isValid) throw new RangeError(`Cannot read a clock in "${timeZone}"`)
  return zone
}

export function readClock (instant: number, zone: Zone): ClockReading {
  const offset = offsetAt(zone, instant)
  // The same sum as luxon's, so that a fractional offset rounds to the same millisecond.
  const wall = new Date(instant + offset * 60 * 1000)
  if (Number.isNaN(wall.getTime())) throw new RangeError(`Cannot read ${instant} on the clock of "${zone.name}"`)
  return { zone, instant, offset, wall }
}

/** Zero-padded digits, a minus sign in front of them, as luxon pads. */
function padded (value: number, digits: number): string {
  return value < 0 ? `-${String(-value).padStart(digits, '0')}` : String(value).padStart(digits, '0')
}

function monthAndDay (wall: Date): string {
  return `-${padded(wall.getUTCMonth() + 1, 2)}-${padded(wall.getUTCDate(), 2)}`
}

function hoursMinutesSeconds (wall: Date): string {
  return `${padded(wall.getUTCHours(), 2)}:${padded(wall.getUTCMinutes(), 2)}:${padded(wall.getUTCSeconds(), 2)}`
}

/** "2026-01-05T12:00:00+08:00": seconds always, no milliseconds, "+00:00" rather than "Z" (DateTime's "yyyy-MM-dd'T'HH:mm:ssZZ"). */
export function localDateTimeWithOffset (reading: ClockReading): string {
  const { wall } = reading
  const offset = FixedOffsetZone.instance(reading.offset).formatOffset(reading.instant, 'short')
  return `${padded(wall.getUTCFullYear(), 4)}${monthAndDay(wall)}T${hoursMinutesSeconds(wall)}${offset}`
}

/** "2026-01-05", as DateTime#toISODate writes it (a year past 9999 or before 0 in the expanded form, "+010000"). */
export function localDateOfReading (reading: ClockReading): string {
  const { wall } = reading
  const year = wall.getUTCFullYear()
  const expanded = year > 9999 || year < 0
  return `${expanded && year >= 0 ? '+' : ''}${padded(year, expanded ? 6 : 4)}${monthAndDay(wall)}`
}

/** "15:00" */
export function hoursAndMinutes (reading: ClockReading): string {
  return `${padded(reading.wall.getUTCHours(), 2)}:${padded(reading.wall.getUTCMinutes(), 2)}`
}

// English whatever the machine's locale, in the words en-GB gives (luxon asks Intl once here).
const WEEKDAY_NAMES = Info.weekdays('long', { locale: 'en-GB' })
const MONTH_NAMES = Info.months('long', { locale: 'en-GB' })

/** "Monday 5 January 2026" (DateTime's "cccc d LLLL yyyy" in en-GB). */
export function longDate (reading: ClockReading): string {
  const { wall } = reading
  // getUTCDay counts from Sunday, luxon's weekdays from Monday.
  const weekday = WEEKDAY_NAMES[(wall.getUTCDay() + 6) % 7] ?? ''
  return `${weekday} ${wall.getUTCDate()} ${MONTH_NAMES[wall.getUTCMonth()] ?? ''} ${padded(wall.getUTCFullYear(), 4)}`
}

/**
 * Whether `other` falls on the day of `reading`, as luxon's DateTime#hasSame(…, 'day') decides:
 * from the start of that day to the start of the day luxon reaches by adding a day to the reading.
 * While the zone keeps the reading's offset (in whole minutes, so luxon's sums are exact) over
 * those instants, that is arithmetic. Near a change of offset luxon may settle on either of two
 * repeated midnights (Havana falls back from 01:00 to 00:00) depending on the offset it starts
 * from, so there luxon decides.
 */
export function onSameDay (reading: ClockReading, other: number): boolean {
  const { zone, instant, offset, wall } = reading
  const dayStart = wall.getTime() - ((wall.getTime() % DAY_MS) + DAY_MS) % DAY_MS - offset * MINUTE_MS
  const nextDayStart = dayStart + DAY_MS
  const steady = Number.isInteger(offset) && keepsOffsetAtBothMidnights(zone, dayStart, offset) && offsetAt(zone, instant + DAY_MS) === offset
  if (steady) return dayStart <= other && other < nextDayStart
  return DateTime.fromMillis(instant, { zone }).hasSame(DateTime.fromMillis(other, { zone }), 'day')
}

/** Whether the zone's offset is `offset` at `dayStart` and a day later. */
function keepsOffsetAtBothMidnights (zone: Zone, dayStart: number, offset: number): boolean {
  return offsetAt(zone, dayStart) === offset && offsetAt(zone, dayStart + DAY_MS) === offset
}

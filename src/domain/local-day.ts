import { DateTime } from 'luxon'
import { firstInstantAtOrAfter, parseLocalDate } from './time-zones.js'
import { localDateOfReading, readClock, zoneNamed } from './zone-clock.js'

/**
 * When the clock in `timeZone` first reads `hour`:00 on `localDate`; hour 24 is the midnight
 * that starts the next day. When clocks jump over that reading (Santiago skips 00:00 on
 * 2026-09-06), the answer is the jump: the first instant that exists after it.
 */
export function instantAtLocalHour (localDate: string, hour: number, timeZone: string): Date {
  const date = parseLocalDate(localDate)
  if (date === null) throw new RangeError(`Not a calendar date (YYYY-MM-DD): "${localDate}"`)
  // Pure calendar arithmetic (24:00 rolls over to the next date, month and year), done in UTC
  // so that no zone's daylight saving time can bend it.
  const reading = DateTime.fromObject(date, { zone: 'UTC' }).plus({ hours: hour })
  const wall = { year: reading.year, month: reading.month, day: reading.day, hour: reading.hour, minute: 0, second: 0, millisecond: 0 }
  return firstInstantAtOrAfter(wall, timeZone).toJSDate()
}

/**
 * The local day as the half-open interval [start, end) of UTC instants. It lasts 23 or 25 hours
 * on days when clocks change, and starts later than midnight when midnight itself is skipped.
 */
export function localDayBounds (localDate: string, timeZone: string): { start: Date, end: Date } {
  return {
    start: instantAtLocalHour(localDate, 0, timeZone),
    end: instantAtLocalHour(localDate, 24, timeZone)
  }
}

/** The calendar date (YYYY-MM-DD) that the clock in `timeZone` shows at `instant`. */
export function localDateOf (instant: Date, timeZone: string): string {
  return localDateOfReading(readClock(instant.getTime(), zoneNamed(timeZone)))
}

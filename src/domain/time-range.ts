import { InputError } from './errors.js'

/**
 * The dates and instants this API accepts, stores and answers with: the one place the range is
 * defined. Every date it writes has four digits for the year, on every clock, because that is
 * what ISO 8601 (and RFC 3339, and `Date.prototype.toISOString` inside these bounds) writes
 * without the expanded form "+010000-01-01". Postgres has no year 0 (it fails on "0000-01-01",
 * which JavaScript reads as 1 BC), and a year past 9999 would come back in a form no client and
 * no cursor of this API parses.
 *
 * - Calendar dates and wall-clock readings (`date`, `local-date-time`): years 0001 to 9999.
 * - Instants (`date-time`): from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z, checked once
 *   the offset they are written with is applied. The day kept free at either end is what lets
 *   every instant read as a year from 0001 to 9999 on any clock: zones are at most 16 hours off
 *   UTC (their local mean time before time zones), and the offsets a client may write at most
 *   23:59. So `9999-12-31T23:59:59-23:59` (10000-01-01T23:58:59Z) is refused, and so is an
 *   instant derived from a valid local input that falls outside (the end of 9999-12-31 in New
 *   York, 10000-01-01T05:00:00Z).
 */
export const EARLIEST_YEAR = 1
export const LATEST_YEAR = 9999

export const EARLIEST_INSTANT = new Date('0001-01-02T00:00:00.000Z')
export const LATEST_INSTANT = new Date('9999-12-30T23:59:59.999Z')

/** "from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z", for messages. */
export const SUPPORTED_INSTANTS = 'from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z'

export function isSupportedYear (year: number): boolean {
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR
}

/** Whether an instant (a Date, or milliseconds since 1970) is inside the supported range. */
export function isSupportedInstant (instant: Date | number): boolean {
  const millis = typeof instant === 'number' ? instant : instant.getTime()
  return millis >= EARLIEST_INSTANT.getTime() && millis <= LATEST_INSTANT.getTime()
}

/**
 * Refuses instants derived from valid input that leave the supported range (the end of
 * 9999-12-31 in New York): an InputError of `kind` naming `path`, where `what` says what the
 * client sent ("localDate 9999-12-31 in America/New_York").
 */
export function requireSupportedInstants (instants: ReadonlyArray<Date | null>, kind: InputError['kind'], path: string, what: string): void {
  if (instants.every((instant) => instant === null || isSupportedInstant(instant))) return
  const message = `${what} reaches outside the instants this API supports (${SUPPORTED_INSTANTS}); choose a time inside that range.`
  throw new InputError(kind, message, [{ path, message }])
}

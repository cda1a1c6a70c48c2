import { isValidInstant, isValidLocalDate, isValidLocalDateTime, isValidTimeZone } from '../domain/time-zones.js'

/**
 * Formats the schemas use for time input, checked by the domain's own rules so that the
 * schema and the domain cannot disagree about what a valid zone or date is. `date` and
 * `date-time` replace ajv-formats' versions, which accept a leap second and a space for T.
 */
export const timeFormats: Record<string, (value: string) => boolean> = {
  'time-zone': isValidTimeZone,
  date: isValidLocalDate,
  'local-date-time': isValidLocalDateTime,
  'date-time': isValidInstant
}

interface FormatRegistry {
  addFormat (name: string, validate: (value: string) => boolean): unknown
}

/** For the request validator; it runs after ajv-formats is added, so these take precedence. */
export function addTimeFormats (ajv: FormatRegistry): void {
  for (const [name, validate] of Object.entries(timeFormats)) ajv.addFormat(name, validate)
}

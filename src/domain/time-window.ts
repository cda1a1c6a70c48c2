import { DateTime, FixedOffsetZone } from 'luxon'
import { InputError, type FieldError } from './errors.js'
import { instantAtLocalHour, localDateOf, localDayBounds } from './local-day.js'
import { SUPPORTED_INSTANTS, requireSupportedInstants } from './time-range.js'
import {
  canonicalTimeZoneName,
  instantsAtWallClock,
  instantMillis,
  isValidInstant,
  isValidLocalDate,
  isValidLocalDateTime,
  parseLocalDateTime,
  type WallClock
} from './time-zones.js'
import {
  hoursAndMinutes,
  localDateOfReading,
  localDateTimeWithOffset,
  longDate,
  onSameDay,
  readClock,
  zoneNamed,
  type ClockReading
} from './zone-clock.js'

export const PRECISIONS = ['exact', 'part_of_day', 'date', 'tbd'] as const
export type Precision = typeof PRECISIONS[number]

export const PARTS_OF_DAY = ['morning', 'midday', 'afternoon', 'evening'] as const
export type PartOfDay = typeof PARTS_OF_DAY[number]

export const DISAMBIGUATIONS = ['earlier', 'later'] as const
export type Disambiguation = typeof DISAMBIGUATIONS[number]

/**
 * Local hours [startHour, endHour). Midday overlaps morning and afternoon on purpose: it is how
 * programmes describe a lunch. endHour 24 is the start of the next local day, not 23:59.
 */
export const PART_OF_DAY_HOURS: Readonly<Record<PartOfDay, { startHour: number, endHour: number }>> = {
  morning: { startHour: 6, endHour: 12 },
  midday: { startHour: 11, endHour: 14 },
  afternoon: { startHour: 12, endHour: 18 },
  evening: { startHour: 18, endHour: 24 }
}

/** The `time` object of a request body. Which fields belong depends on `precision`. */
export interface TimeWindowInput {
  timeZone?: string
  precision: Precision
  localStart?: string
  localEnd?: string
  startsAt?: string
  endsAt?: string
  localDate?: string
  partOfDay?: PartOfDay
  disambiguation?: Disambiguation
  /** The writer's own words for the time ("after the summit"); replaces the derived label. */
  label?: string
}

/** A time window as stored: instants plus the zone they happen in. */
export interface ResolvedTimeWindow {
  timeZone: string
  precision: Precision
  partOfDay: PartOfDay | null
  startsAt: Date
  endsAt: Date | null
  /** The calendar date of startsAt in timeZone. */
  localDate: string
  /** The writer's label, if any. */
  label: string | null
}

export interface ResolveOptions {
  /** The leg's zone, used when the input names none. */
  defaultTimeZone?: string
  /**
   * The local dates a `tbd` engagement without localDate falls within: the leg's stay, or the
   * visit's dates. Its window is those whole days, never a made-up hour.
   */
  undatedWindow?: { startDate: string, endDate: string }
  /** JSON Pointer of the `time` object in the request, prefixed to error paths. Default "/time". */
  path?: string
}

type PrecisionField = 'localStart' | 'localEnd' | 'startsAt' | 'endsAt' | 'localDate' | 'partOfDay' | 'disambiguation'

export const TIME_LABEL_MAX_LENGTH = 200

const PRECISIONS_USING: Record<PrecisionField, readonly Precision[]> = {
  localStart: ['exact'],
  localEnd: ['exact'],
  startsAt: ['exact'],
  endsAt: ['exact'],
  disambiguation: ['exact'],
  localDate: ['part_of_day', 'date', 'tbd'],
  partOfDay: ['part_of_day']
}

const EXAMPLE_LOCAL = '"2026-01-05T14:30"'
const EXAMPLE_INSTANT = '"2026-01-05T14:30:00+08:00"'

function quoted (values: readonly string[]): string {
  const q = values.map((v) => `"${v}"`)
  return q.length === 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q.at(-1) ?? ''}`
}

function inputError (kind: InputError['kind'], errors: FieldError[]): InputError {
  const detail = errors.length === 1 && errors[0] !== undefined
    ? errors[0].message
    : `The time window has ${errors.length} problems; see errors.`
  return new InputError(kind, detail, errors)
}

type PathOf = (field: keyof TimeWindowInput) => string

function timeZoneProblems (requested: string | undefined, at: PathOf): FieldError[] {
  if (requested === undefined) {
    return [{ path: at('timeZone'), message: 'timeZone is required when the engagement has no leg; send an IANA name such as "Asia/Shanghai".' }]
  }
  if (canonicalTimeZoneName(requested) === null) {
    return [{
      path: at('timeZone'),
      message: `"${requested}" is not an IANA time zone name; send one such as "Asia/Shanghai" or "America/New_York" ` +
        '(fixed offsets like "UTC+3" are refused because they ignore daylight saving time).'
    }]
  }
  return []
}

function localDateTimeProblem (field: 'localStart' | 'localEnd', value: string, at: PathOf): FieldError | null {
  if (isValidLocalDateTime(value)) return null
  const message = isValidInstant(value)
    ? `${field} must not carry an offset or Z: it is read as wall-clock time in timeZone. Drop the offset, or send instants as startsAt/endsAt.`
    : `${field} must be a real wall-clock date-time without offset, like ${EXAMPLE_LOCAL} (seconds optional); got "${value}".`
  return { path: at(field), message }
}

function instantProblem (field: 'startsAt' | 'endsAt', value: string, at: PathOf): FieldError | null {
  if (isValidInstant(value)) return null
  let message = `${field} must be an ISO 8601 date-time with "Z" or an offset, like ${EXAMPLE_INSTANT}; got "${value}".`
  if (isValidLocalDateTime(value)) {
    message = `${field} needs "Z" or an offset such as "+08:00"; to send wall-clock time in timeZone, use ${field === 'startsAt' ? 'localStart' : 'localEnd'}.`
  } else if (instantMillis(value) !== null) {
    message = `${field} ${value} is outside the instants this API supports (${SUPPORTED_INSTANTS}), once its offset is applied.`
  }
  return { path: at(field), message }
}

function exactProblems (input: TimeWindowInput, at: PathOf): FieldError[] {
  const problems: FieldError[] = []
  const { localStart, localEnd, startsAt, endsAt } = input
  const usesLocal = localStart !== undefined || localEnd !== undefined
  if (usesLocal) {
    for (const field of ['startsAt', 'endsAt'] as const) {
      if (input[field] === undefined) continue
      problems.push({
        path: at(field),
        message: `${field} cannot be combined with localStart/localEnd: send wall-clock times in timeZone (localStart, localEnd) ` +
          'or instants with an offset (startsAt, endsAt), not both.'
      })
    }
  }
  if (localStart === undefined && startsAt === undefined) {
    problems.push({
      path: at(endsAt !== undefined && !usesLocal ? 'startsAt' : 'localStart'),
      message: `precision "exact" needs localStart (wall-clock time in timeZone, e.g. ${EXAMPLE_LOCAL}) ` +
        `or startsAt (an instant with offset, e.g. ${EXAMPLE_INSTANT}).`
    })
  }
  const formatProblems = [
    localStart === undefined ? null : localDateTimeProblem('localStart', localStart, at),
    localEnd === undefined ? null : localDateTimeProblem('localEnd', localEnd, at),
    startsAt === undefined ? null : instantProblem('startsAt', startsAt, at),
    endsAt === undefined ? null : instantProblem('endsAt', endsAt, at)
  ]
  problems.push(...formatProblems.filter((p) => p !== null))
  if (input.disambiguation !== undefined && !DISAMBIGUATIONS.includes(input.disambiguation)) {
    problems.push({ path: at('disambiguation'), message: `disambiguation must be ${quoted(DISAMBIGUATIONS)}.` })
  }
  return problems
}

function localDateProblems (input: TimeWindowInput, at: PathOf): FieldError[] {
  if (input.localDate === undefined) {
    return [{ path: at('localDate'), message: `precision "${input.precision}" needs localDate, a calendar date like "2026-01-05".` }]
  }
  if (!isValidLocalDate(input.localDate)) {
    return [{ path: at('localDate'), message: `localDate must be a real calendar date like "2026-01-05"; got "${input.localDate}".` }]
  }
  return []
}

function partOfDayProblems (input: TimeWindowInput, at: PathOf): FieldError[] {
  if (input.partOfDay !== undefined && PARTS_OF_DAY.includes(input.partOfDay)) return []
  return [{ path: at('partOfDay'), message: `precision "part_of_day" needs partOfDay: ${quoted(PARTS_OF_DAY)}.` }]
}

/** Everything wrong with the shape of the input: the 400s. */
function shapeProblems (input: TimeWindowInput, at: PathOf): FieldError[] {
  const { precision } = input
  if (!PRECISIONS.includes(precision)) {
    return [{ path: at('precision'), message: `precision must be ${quoted(PRECISIONS)}.` }]
  }
  const strays = Object.entries(PRECISIONS_USING)
    .filter(([field, precisions]) => input[field as PrecisionField] !== undefined && !precisions.includes(precision))
    .map(([field, precisions]) => ({
      path: at(field as PrecisionField),
      message: `${field} does not apply to precision "${precision}"; remove it (it is used with precision ${quoted(precisions)}).`
    }))
  switch (precision) {
    case 'exact': return [...strays, ...exactProblems(input, at)]
    case 'part_of_day': return [...strays, ...localDateProblems(input, at), ...partOfDayProblems(input, at)]
    case 'date': return [...strays, ...localDateProblems(input, at)]
    case 'tbd': return [...strays, ...(input.localDate === undefined ? [] : localDateProblems(input, at))]
  }
}

/** "03:30" when the reading falls on `sameDayAs`'s date, the full "2026-03-09T03:30" when not. */
function wallClockLabel (dt: DateTime, sameDayAs: WallClock): string {
  const seconds = dt.millisecond !== 0 ? ':ss.SSS' : dt.second !== 0 ? ':ss' : ''
  const sameDay = dt.year === sameDayAs.year && dt.month === sameDayAs.month && dt.day === sameDayAs.day
  return dt.toFormat(`${sameDay ? '' : "yyyy-MM-dd'T'"}HH:mm${seconds}`)
}

/** "UTC-5", "UTC+5:45", "UTC" */
function utcOffsetLabel (offsetMinutes: number): string {
  return FixedOffsetZone.instance(offsetMinutes).name
}

/** The instant a wall-clock field means in the zone, or the 422 explaining why it means none or two. */
function instantOfLocalField (
  field: 'localStart' | 'localEnd',
  value: string,
  timeZone: string,
  disambiguation: Disambiguation | undefined,
  at: PathOf
): DateTime {
  // shapeProblems has checked the format, so this parses.
  const wall = parseLocalDateTime(value) as WallClock
  const instants = instantsAtWallClock(wall, timeZone)
  switch (instants.kind) {
    case 'unique':
      return instants.instant
    case 'repeated':
      if (disambiguation !== undefined) return instants[disambiguation]
      throw inputError('unprocessable', [{
        path: at(field),
        message: `${value} happens twice in ${timeZone} (at ${utcOffsetLabel(instants.earlier.offset)} and at ` +
          `${utcOffsetLabel(instants.later.offset)}); add "disambiguation": "earlier" or "later".`
      }])
    case 'skipped': {
      const { before, after } = instants.jump
      throw inputError('unprocessable', [{
        path: at(field),
        message: `${value} does not exist in ${timeZone}: clocks jump from ${wallClockLabel(before, wall)} ` +
          `to ${wallClockLabel(after, wall)} (${utcOffsetLabel(before.offset)} to ${utcOffsetLabel(after.offset)}). ` +
          `Send ${wallClockLabel(instants.movedForward, wall)} or an instant with an offset.`
      }])
    }
  }
}

function exactBounds (input: TimeWindowInput, timeZone: string, at: PathOf): { start: Date, end: Date | null } {
  const { localStart, localEnd, startsAt, endsAt, disambiguation } = input
  let start: DateTime
  let end: DateTime | null
  if (localStart !== undefined) {
    start = instantOfLocalField('localStart', localStart, timeZone, disambiguation, at)
    end = localEnd === undefined ? null : instantOfLocalField('localEnd', localEnd, timeZone, disambiguation, at)
    requireSupportedInstants([start.toJSDate()], 'unprocessable', at('localStart'), `localStart ${localStart} in ${timeZone}`)
    if (localEnd !== undefined) requireSupportedInstants([end?.toJSDate() ?? null], 'unprocessable', at('localEnd'), `localEnd ${localEnd} in ${timeZone}`)
  } else {
    start = DateTime.fromISO(startsAt as string, { zone: timeZone })
    end = endsAt === undefined ? null : DateTime.fromISO(endsAt, { zone: timeZone })
  }
  if (end !== null && end <= start) {
    const [startField, endField] = localStart !== undefined ? ['localStart', 'localEnd'] as const : ['startsAt', 'endsAt'] as const
    throw inputError('unprocessable', [{
      path: at(endField),
      message: `${endField} (${input[endField] ?? ''}) must be after ${startField} (${input[startField] ?? ''}).`
    }])
  }
  return { start: start.toJSDate(), end: end?.toJSDate() ?? null }
}

function partOfDayBounds (localDate: string, partOfDay: PartOfDay, timeZone: string): { start: Date, end: Date } {
  const { startHour, endHour } = PART_OF_DAY_HOURS[partOfDay]
  return {
    start: instantAtLocalHour(localDate, startHour, timeZone),
    end: instantAtLocalHour(localDate, endHour, timeZone)
  }
}

/**
 * Turn the `time` object of a request into what is stored. Throws InputError: 'invalid' (400)
 * for a malformed shape, listing every problem; 'unprocessable' (422) for a well-formed window
 * that cannot be placed in time (a skipped or repeated wall-clock time, an end not after its start,
 * a local date or time whose instants leave the supported range, see time-range.ts).
 *
 * With localStart/localEnd, one `disambiguation` applies to both ends; it is ignored for any
 * time that happens only once. Instants (startsAt/endsAt) are taken as sent, whatever their offset.
 * timeZone comes back in its canonical spelling (see canonicalTimeZoneName).
 */
export function resolveTimeWindow (input: TimeWindowInput, options: ResolveOptions = {}): ResolvedTimeWindow {
  const base = options.path ?? '/time'
  const at: PathOf = (field) => `${base}/${field}`
  const requestedZone = input.timeZone ?? options.defaultTimeZone
  const problems = [...timeZoneProblems(requestedZone, at), ...shapeProblems(input, at)]
  const timeZone = requestedZone === undefined ? null : canonicalTimeZoneName(requestedZone)
  if (problems.length > 0 || timeZone === null) throw inputError('invalid', problems)

  // shapeProblems has checked that the fields this precision needs are present and well-formed.
  const { precision } = input
  const partOfDay = precision === 'part_of_day' ? input.partOfDay as PartOfDay : null
  let bounds: { start: Date, end: Date | null }
  if (precision === 'exact') {
    bounds = exactBounds(input, timeZone, at)
  } else if (precision === 'tbd' && input.localDate === undefined) {
    bounds = undatedBounds(options.undatedWindow, timeZone, at)
  } else {
    const localDate = input.localDate as string
    const dayBounds = partOfDay === null ? localDayBounds(localDate, timeZone) : partOfDayBounds(localDate, partOfDay, timeZone)
    requireSupportedInstants([dayBounds.start, dayBounds.end], 'unprocessable', at('localDate'), `localDate ${localDate} in ${timeZone}`)
    // Only a day the zone skipped entirely (Samoa jumped over 2011-12-30) leaves nothing here.
    if (dayBounds.end <= dayBounds.start) {
      throw inputError('unprocessable', [{
        path: at('localDate'),
        message: `${localDate} has no ${partOfDay ?? 'time'} in ${timeZone}: its clocks skipped it. Choose another localDate.`
      }])
    }
    bounds = dayBounds
  }
  return {
    timeZone,
    precision,
    partOfDay,
    startsAt: bounds.start,
    endsAt: bounds.end,
    localDate: localDateOf(bounds.start, timeZone),
    label: input.label ?? null
  }
}

function undatedBounds (window: ResolveOptions['undatedWindow'], timeZone: string, at: PathOf): { start: Date, end: Date } {
  if (window === undefined) {
    throw inputError('invalid', [{
      path: at('localDate'),
      message: 'precision "tbd" without localDate needs the engagement to belong to a leg or visit whose dates bound it; send localDate.'
    }])
  }
  const bounds = { start: localDayBounds(window.startDate, timeZone).start, end: localDayBounds(window.endDate, timeZone).end }
  requireSupportedInstants([bounds.start, bounds.end], 'unprocessable', at('localDate'),
    `An undated tbd window over the leg's or visit's dates (${window.startDate} to ${window.endDate}) in ${timeZone}`)
  return bounds
}

/** The API's `time` object: stored instants plus how they read on the clock where they happen. */
export interface TimeWindowView {
  timeZone: string
  precision: Precision
  partOfDay: PartOfDay | null
  /** UTC with milliseconds and Z: "2026-01-05T04:00:00.000Z". */
  startsAt: string
  endsAt: string | null
  /** Wall clock in timeZone with seconds and offset: "2026-01-05T12:00:00+08:00". */
  localStart: string
  localEnd: string | null
  localDate: string
  /** RFC 9557: the local times with their zone, "2026-01-05T12:00:00+08:00[Asia/Shanghai]". */
  zonedStart: string
  zonedEnd: string | null
  /** How a reader would say it, in the zone where it happens: "Monday 5 January 2026, afternoon". */
  label: string
}

/** The same window on the clock of whoever is reading (?tz=). */
export interface ViewerTimeView {
  timeZone: string
  localStart: string
  localEnd: string | null
  /** The calendar date of startsAt in the viewer's zone, which may differ from time.localDate. */
  localDate: string
  zonedStart: string
  zonedEnd: string | null
}

/**
 * localStart and localEnd on one zone's clock, and their RFC 9557 forms (Temporal's ZonedDateTime
 * strings): the offset keeps them instants, the zone makes them local.
 */
function readingsText (timeZone: string, start: ClockReading, end: ClockReading | null) {
  const localStart = localDateTimeWithOffset(start)
  const localEnd = end === null ? null : localDateTimeWithOffset(end)
  return { localStart, localEnd, zonedStart: `${localStart}[${timeZone}]`, zonedEnd: localEnd === null ? null : `${localEnd}[${timeZone}]` }
}

function exactLabel (start: ClockReading, end: ClockReading | null): string {
  const from = `${longDate(start)}, ${hoursAndMinutes(start)}`
  if (end === null) return from
  return onSameDay(start, end.instant) ? `${from}–${hoursAndMinutes(end)}` : `${from} – ${longDate(end)}, ${hoursAndMinutes(end)}`
}

/**
 * "Monday 5 January 2026, 15:00–16:30", "..., afternoon", "Monday 5 January 2026" (date),
 * "..., time to be announced", or for an undated tbd "Date to be announced, between ... and ...".
 * `start` and `end` are the window's instants on its own zone's clock.
 */
function describeTimeLabel (stored: ResolvedTimeWindow, start: ClockReading, end: ClockReading | null): string {
  switch (stored.precision) {
    case 'exact':
      return exactLabel(start, end)
    case 'part_of_day':
      return `${longDate(start)}, ${stored.partOfDay ?? ''}`
    case 'date':
      return longDate(start)
    case 'tbd': {
      // The window ends at the midnight after its last day: step back to name that day.
      const lastInstant = (end ?? start).instant - 1
      if (onSameDay(start, lastInstant)) return `${longDate(start)}, time to be announced`
      return `Date to be announced, between ${longDate(start)} and ${longDate(readClock(lastInstant, start.zone))}`
    }
  }
}

/**
 * Present a stored window, and when `viewerTimeZone` is given, the same window in that zone.
 * Throws InputError 'invalid' for an unknown viewer zone (a route should have refused it already).
 */
export function describeTimeWindow (
  stored: ResolvedTimeWindow,
  viewerTimeZone?: string
): { time: TimeWindowView, viewer?: ViewerTimeView } {
  const { timeZone, precision, startsAt, endsAt } = stored
  const zone = zoneNamed(timeZone)
  const start = readClock(startsAt.getTime(), zone)
  const end = endsAt === null ? null : readClock(endsAt.getTime(), zone)
  const local = readingsText(timeZone, start, end)
  const time: TimeWindowView = {
    timeZone,
    precision,
    partOfDay: precision === 'part_of_day' ? stored.partOfDay : null,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt?.toISOString() ?? null,
    localStart: local.localStart,
    localEnd: local.localEnd,
    localDate: stored.localDate,
    zonedStart: local.zonedStart,
    zonedEnd: local.zonedEnd,
    label: stored.label ?? describeTimeLabel(stored, start, end)
  }
  if (viewerTimeZone === undefined) return { time }
  const viewerZoneName = canonicalTimeZoneName(viewerTimeZone)
  if (viewerZoneName === null) {
    throw new InputError('invalid', `"${viewerTimeZone}" is not an IANA time zone name; send one such as "America/Los_Angeles".`)
  }
  const viewerZone = zoneNamed(viewerZoneName)
  const viewerStart = readClock(start.instant, viewerZone)
  const viewerLocal = readingsText(viewerZoneName, viewerStart, end === null ? null : readClock(end.instant, viewerZone))
  return {
    time,
    viewer: {
      timeZone: viewerZoneName,
      localStart: viewerLocal.localStart,
      localEnd: viewerLocal.localEnd,
      localDate: localDateOfReading(viewerStart),
      zonedStart: viewerLocal.zonedStart,
      zonedEnd: viewerLocal.zonedEnd
    }
  }
}

import ical, { ICalCalendarMethod, ICalEventStatus, escape, type ICalLocation } from 'ical-generator'
import { getVtimezoneComponent } from '@touch4it/ical-timezones'
import { DateTime, IANAZone } from 'luxon'
import { instantsAtWallClock } from './time-zones.js'
import { offsetAt, offsetChangesIn } from './zone-offsets.js'

/** What a feed needs of an engagement: the API's Engagement view has all of it. */
export interface CalendarEngagement {
  id: string
  title: string
  status: string
  time: {
    timeZone: string
    precision: string
    partOfDay: string | null
    startsAt: string
    endsAt: string | null
    localDate: string
    /** "Monday 5 January 2026, time to be announced": how the API words the time, when it does. */
    label?: string
  }
  venue: {
    name: string
    city: string
    country: string
    address: string | null
    latitude: number | null
    longitude: number | null
  } | null
  participants: Array<{ name: string, role: string, title: string | null, organisation: string | null }>
  description: string | null
  sources: Array<{ url: string | null, title: string, publisher: string | null }>
  embargoUntil: string | null
  createdAt: string
  updatedAt: string
  version: number
}

export interface CalendarOptions {
  /** X-WR-CALNAME: what the subscriber's calendar list shows. */
  name: string
  /** X-WR-CALDESC. */
  description: string
  /** The engagement's absolute URL in the API, linked from each event. */
  engagementUrl: (id: string) => string
}

/** The most events one feed holds; a query matching more is refused rather than cut short. */
export const MAX_CALENDAR_EVENTS = 5000

/** How often subscribers are asked to fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const CALENDAR_REFRESH_SECONDS = 15 * 60

/** Right-hand side of every UID: fixed, so that a UID survives a change of host name. */
const UID_DOMAIN = 'diplomatic-itinerary-api'

/**
 * When an event happens, as the feed writes it: whole local dates (end exclusive, as VALUE=DATE
 * wants) or instants that get a TZID. `end` null: the end is not known and DTEND is left out, so
 * that clients show the start alone instead of a made-up duration (RFC 5545 §3.6.1).
 */
export type EventTiming =
  | { allDay: true, startDate: string, endDate: string }
  | { allDay: false, timeZone: string, start: number, end: number | null }

/** The fields of one VEVENT, computed from an engagement alone. */
export interface CalendarEvent {
  uid: string
  /** The engagement's version - 1: 0 for a new engagement, as RFC 5545 starts it, +1 per change. */
  sequence: number
  /** DTSTAMP and LAST-MODIFIED: the engagement's updatedAt, so the same data gives the same bytes. */
  updatedAt: string
  createdAt: string
  summary: string
  description: string
  location: ICalLocation | null
  status: ICalEventStatus
  url: string
  timing: EventTiming
}

const STATUSES: Record<string, ICalEventStatus> = {
  scheduled: ICalEventStatus.CONFIRMED,
  confirmed: ICalEventStatus.CONFIRMED,
  completed: ICalEventStatus.CONFIRMED,
  tentative: ICalEventStatus.TENTATIVE,
  // Not happening at this time, nor called off: the time shown is the last one announced.
  postponed: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED
}

/** Calendar arithmetic on YYYY-MM-DD, done in UTC so that no zone's clock changes can shift it. */
function addDays (localDate: string, days: number): string {
  return DateTime.fromISO(localDate, { zone: 'UTC' }).plus({ days }).toISODate() as string
}

/**
 * The local dates of a whole-day window [first, afterLast): `date` is its one day, `tbd` the days
 * its window covers. The last day is the one holding the window's last instant, read on the
 * engagement's clock, so the answer is the same whatever zone the server runs in.
 */
export function allDayDates (time: CalendarEngagement['time']): { startDate: string, endDate: string } {
  if (time.endsAt === null) return { startDate: time.localDate, endDate: addDays(time.localDate, 1) }
  const lastDay = DateTime.fromMillis(Date.parse(time.endsAt) - 1, { zone: time.timeZone }).toISODate() as string
  return { startDate: time.localDate, endDate: addDays(lastDay > time.localDate ? lastDay : time.localDate, 1) }
}

export function eventTiming (time: CalendarEngagement['time']): EventTiming {
  if (time.precision === 'date' || time.precision === 'tbd') return { allDay: true, ...allDayDates(time) }
  return {
    allDay: false,
    timeZone: time.timeZone,
    start: Date.parse(time.startsAt),
    end: time.endsAt === null ? null : Date.parse(time.endsAt)
  }
}

export function eventSummary (engagement: CalendarEngagement): string {
  const { precision, partOfDay } = engagement.time
  const prefix = engagement.status === 'cancelled' ? 'Cancelled: ' : engagement.status === 'postponed' ? 'Postponed: ' : ''
  const suffix = precision === 'part_of_day'
    ? ` (time approximate: ${partOfDay ?? 'part of the day'})`
    : precision === 'tbd' ? ' (time to be announced)' : ''
  return `${prefix}${engagement.title}${suffix}`
}

function clockTime (instant: string, timeZone: string): string {
  return DateTime.fromISO(instant, { zone: timeZone }).toFormat('HH:mm')
}

/** What the event's times mean, in words: the feed must not look surer than the data. */
function timeNote (time: CalendarEngagement['time']): string | null {
  switch (time.precision) {
    case 'part_of_day': {
      const window = time.endsAt === null ? '' : `, ${clockTime(time.startsAt, time.timeZone)}–${clockTime(time.endsAt, time.timeZone)}`
      return `Time approximate: ${time.partOfDay ?? 'part of the day'}${window} local time (${time.timeZone}); ` +
        'the exact time has not been announced.'
    }
    case 'tbd': return 'Time to be announced: the event is shown over the days it may fall on, not at a made-up hour.'
    case 'date': return 'Date only: the time has not been announced.'
    default: return time.endsAt === null ? 'End time not announced.' : null
  }
}

function participantLine (participant: CalendarEngagement['participants'][number]): string {
  return `- ${[`${participant.name} (${participant.role})`, participant.title, participant.organisation].filter(Boolean).join(', ')}`
}

function sourceLine (source: CalendarEngagement['sources'][number]): string {
  return `- ${[source.title, source.publisher, source.url].filter(Boolean).join(', ')}`
}

export function eventDescription (engagement: CalendarEngagement, url: string): string {
  const { time } = engagement
  const sections = [
    [
      engagement.embargoUntil === null ? null : `Embargoed until ${engagement.embargoUntil}: not for publication before then.`,
      time.label === undefined ? null : `When: ${time.label} (${time.timeZone})`,
      timeNote(time),
      `Status: ${engagement.status}`
    ],
    [engagement.description],
    engagement.participants.length === 0 ? [] : ['Participants:', ...engagement.participants.map(participantLine)],
    engagement.sources.length === 0 ? [] : ['Sources:', ...engagement.sources.map(sourceLine)],
    [`Details: ${url}`]
  ]
  return sections
    .map((lines) => lines.filter((line): line is string => line !== null && line !== '').join('\n'))
    .filter((section) => section !== '')
    .join('\n\n')
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })

/** One line (maps and clients search it as typed): venue, address, city, country. */
export function eventLocation (venue: CalendarEngagement['venue']): ICalLocation | null {
  if (venue === null) return null
  const parts = [venue.name, venue.address, venue.city, regionNames.of(venue.country) ?? venue.country]
  const title = parts.filter((part, index): part is string => part !== null && part !== '' && parts.indexOf(part) === index).join(', ')
  if (venue.latitude === null || venue.longitude === null) return { title }
  return { title, geo: { lat: venue.latitude, lon: venue.longitude } }
}

export function calendarEvent (engagement: CalendarEngagement, url: string): CalendarEvent {
  return {
    uid: `${engagement.id}@${UID_DOMAIN}`,
    sequence: engagement.version - 1,
    updatedAt: engagement.updatedAt,
    createdAt: engagement.createdAt,
    summary: eventSummary(engagement),
    description: eventDescription(engagement, url),
    location: eventLocation(engagement.venue),
    status: STATUSES[engagement.status] ?? ICalEventStatus.CONFIRMED,
    url,
    timing: eventTiming(engagement.time)
  }
}

// ---------------------------------------------------------------------------------------------
// Time zone definitions.
//
// A DTSTART;TZID=... is a wall-clock reading that the client turns back into an instant with the
// VTIMEZONE sent along. @touch4it/ical-timezones gives one rule per zone, frozen at tz 2018g: for
// the many zones whose rules changed since (Mexico, Brazil, Egypt, Jordan, Fiji...) it would put
// events an hour off. So its definition is used only when, read as a client reads it, it gives
// back every instant of the feed in that zone; otherwise the definition is written from the
// runtime's own tz database (the one that computed the API's times), transition by transition.
// A reading that happens twice (clocks falling back) is left to no client's judgement: RFC 5545
// says the first occurrence, ical.js takes the second; such events are written in UTC.
// ---------------------------------------------------------------------------------------------

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']

interface Observance {
  /** TZOFFSETFROM and TZOFFSETTO, in minutes. */
  from: number
  to: number
  /** DTSTART: what the clock reads as the observance begins (on the old offset), held as a UTC DateTime. */
  start: DateTime
  /** FREQ=YEARLY;BYMONTH=..;BYDAY=.. (week: 1..5 or -1..-5; weekday: 1 = Monday ... 7 = Sunday). */
  yearly: { month: number, week: number, weekday: number } | null
}

function offsetMinutes (text: string | undefined): number | null {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(text ?? '')
  if (m === null) return null
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60)
}

function parseObservance (block: string): Observance | null {
  const properties = new Map<string, string>()
  for (const line of block.split(/\r?\n/).slice(1, -1)) {
    const colon = line.indexOf(':')
    properties.set(line.slice(0, colon), line.slice(colon + 1))
  }
  const from = offsetMinutes(properties.get('TZOFFSETFROM'))
  const to = offsetMinutes(properties.get('TZOFFSETTO'))
  const start = DateTime.fromFormat(properties.get('DTSTART') ?? '', "yyyyMMdd'T'HHmmss", { zone: 'UTC' })
  const rule = properties.get('RRULE')
  const yearly = rule === undefined ? undefined : /^FREQ=YEARLY;BYMONTH=(\d{1,2});BYDAY=([+-]?[1-5])(MO|TU|WE|TH|FR|SA|SU)$/.exec(rule)
  const understood = [...properties.keys()].every((name) => ['TZOFFSETFROM', 'TZOFFSETTO', 'DTSTART', 'RRULE', 'TZNAME', 'COMMENT'].includes(name))
  if (from === null || to === null || !start.isValid || yearly === null || !understood) return null
  return {
    from,
    to,
    start,
    yearly: yearly === undefined ? null : { month: Number(yearly[1]), week: Number(yearly[2]), weekday: WEEKDAYS.indexOf(yearly[3] as string) + 1 }
  }
}

/** The observances of a VTIMEZONE of the shapes the package uses, or null for anything else. */
function parseObservances (vtimezone: string): Observance[] | null {
  const blocks = vtimezone.match(/BEGIN:(STANDARD|DAYLIGHT)[\s\S]*?END:\1/g) ?? []
  const observances = blocks.map(parseObservance)
  return observances.length > 0 && observances.every((item) => item !== null) ? observances as Observance[] : null
}

/** The day of the month of the week-th weekday (1 = Monday ... 7 = Sunday), counted from the end when negative. */
function nthWeekday (year: number, month: number, week: number, weekday: number): number {
  // Date's UTC calendar arithmetic: no zone involved, and far cheaper than building DateTimes
  // for every observance, year and instant checked.
  const isoWeekday = (date: Date) => date.getUTCDay() === 0 ? 7 : date.getUTCDay()
  if (week > 0) return 1 + ((weekday - isoWeekday(new Date(Date.UTC(year, month - 1, 1))) + 7) % 7) + (week - 1) * 7
  const last = new Date(Date.UTC(year, month, 0))
  return last.getUTCDate() - ((isoWeekday(last) - weekday + 7) % 7) + (week + 1) * 7
}

/** The instant the observance begins in `year` (a one-off observance: whatever year it began). */
function onsetIn (observance: Observance, year: number): number | null {
  const { start, yearly, from } = observance
  if (yearly === null) return start.toMillis() - from * MINUTE_MS
  if (year < start.year) return null
  const day = nthWeekday(year, yearly.month, yearly.week, yearly.weekday)
  return Date.UTC(year, yearly.month - 1, day, start.hour, start.minute, start.second) - from * MINUTE_MS
}

/** The offset the definition gives at an instant: that of the observance that began last. */
function definedOffset (observances: Observance[], instant: number): number | null {
  const year = new Date(instant).getUTCFullYear()
  let latest: { at: number, to: number } | null = null
  for (const observance of observances) {
    for (const candidate of [year - 1, year, year + 1]) {
      const at = onsetIn(observance, candidate)
      if (at !== null && at <= instant && (latest === null || at > latest.at)) latest = { at, to: observance.to }
    }
  }
  return latest?.to ?? null
}

/** Whether a client reading `instant`'s wall clock with this definition finds that instant, and only it. */
function definitionFinds (observances: Observance[], instant: number, offset: number): boolean {
  const reading = instant + offset * MINUTE_MS
  const offsets = new Set(observances.flatMap((observance) => [observance.from, observance.to]))
  const found = [...offsets].map((candidate) => reading - candidate * MINUTE_MS)
    .filter((candidate) => definedOffset(observances, candidate) === (reading - candidate) / MINUTE_MS)
  return found.length === 1 && found[0] === instant
}

function icsOffset (minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const absolute = Math.abs(minutes)
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}${String(Math.round(absolute % 60)).padStart(2, '0')}`
}

function observanceLines (zone: IANAZone, at: number, from: number, to: number): string[] {
  const kind = DateTime.fromMillis(at, { zone }).isInDST ? 'DAYLIGHT' : 'STANDARD'
  return [
    `BEGIN:${kind}`,
    `DTSTART:${DateTime.fromMillis(at + from * MINUTE_MS, { zone: 'UTC' }).toFormat("yyyyMMdd'T'HHmmss")}`,
    `TZOFFSETFROM:${icsOffset(from)}`,
    `TZOFFSETTO:${icsOffset(to)}`,
    `END:${kind}`
  ]
}

/**
 * A VTIMEZONE from the runtime's tz database: for each run of years holding instants (from the
 * year before each to the year after), an observance for the offset in force when the run begins,
 * then one per change of offset inside it. A reader takes an instant's offset from the last onset
 * before it, always in the instant's own run; and a feed whose engagements lie in the years 0001
 * and 9999 costs a few years of scanning, not the eight thousand between them.
 */
export function runtimeVtimezone (timeZone: string, instants: number[]): string {
  const zone = IANAZone.create(timeZone)
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`]
  for (const [firstYear, lastYear] of yearRuns(instants)) {
    const start = Math.max(DateTime.utc(firstYear).toMillis(), FIRST_ONSET)
    const end = Math.min(DateTime.utc(lastYear + 1).toMillis(), LAST_SCANNED)
    const offset = offsetAt(zone, start)
    lines.push(...observanceLines(zone, start, offset, offset))
    for (let year = firstYear; year <= lastYear; year++) {
      for (const change of offsetChangesIn(zone, year)) {
        if (change.at > start && change.at < end) lines.push(...observanceLines(zone, change.at, change.from, change.to))
      }
    }
  }
  return [...lines, 'END:VTIMEZONE'].join('\r\n')
}

// iCalendar writes years in four digits: no onset may read 0000 or 10000 on any zone's clock
// (offsets stay within ±14 h), which the instants' range, 0001 to 9999, never needs.
const FIRST_ONSET = DateTime.utc(1, 1, 2).toMillis()
const LAST_SCANNED = DateTime.utc(9999, 12, 31).toMillis()

/** The years from one before to one after each instant's (UTC) year, as runs of consecutive years, in order. */
function yearRuns (instants: number[]): Array<[number, number]> {
  const years = [...new Set(instants.map((instant) => DateTime.fromMillis(instant, { zone: 'UTC' }).year))].sort((a, b) => a - b)
  const runs: Array<[number, number]> = []
  for (const year of years) {
    const last = runs.at(-1)
    if (last !== undefined && year - 1 <= last[1] + 1) last[1] = year + 1
    else runs.push([year - 1, year + 1])
  }
  return runs
}

/**
 * The VTIMEZONE for a zone, for the instants the feed writes in it: the package's when it reads
 * every one of them back exactly, else one from the runtime's tz database. The package files
 * aliases under their target's TZID ("US/Eastern" is in America/New_York); events name the
 * zone as stored, so the TZID is set to that.
 */
export function vtimezoneFor (timeZone: string, instants: number[]): string {
  const packaged = getVtimezoneComponent(timeZone)
  const observances = packaged === null ? null : parseObservances(packaged)
  const zone = IANAZone.create(timeZone)
  if (packaged !== null && observances !== null && instants.every((instant) => definitionFinds(observances, instant, offsetAt(zone, instant)))) {
    return packaged.replace(/^TZID:.*$/m, `TZID:${timeZone}`).trim()
  }
  return runtimeVtimezone(timeZone, instants)
}

const END_OF_CALENDAR = 'END:VCALENDAR'
const LONGEST_LINE_OCTETS = 75

function utf8Octets (codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4
}

function foldLine (line: string): string {
  const octets = Buffer.byteLength(line)
  if (octets <= LONGEST_LINE_OCTETS) return line
  const parts: string[] = []
  if (octets === line.length) {
    // ASCII, one octet a character: the first line takes 75, each continuation its space and 74.
    parts.push(line.slice(0, LONGEST_LINE_OCTETS))
    for (let at = LONGEST_LINE_OCTETS; at < line.length; at += LONGEST_LINE_OCTETS - 1) parts.push(line.slice(at, at + LONGEST_LINE_OCTETS - 1))
    return parts.join('\r\n ')
  }
  let part = ''
  let size = 0
  for (const character of line) {
    const width = utf8Octets(character.codePointAt(0) as number)
    if (size + width > LONGEST_LINE_OCTETS - (parts.length === 0 ? 0 : 1)) {
      parts.push(part)
      part = ''
      size = 0
    }
    part += character
    size += width
  }
  return [...parts, part].join('\r\n ')
}

/**
 * Lines of more than 75 octets folded onto continuation lines that start with a space
 * (RFC 5545 §3.1), never inside a character.
 */
export function foldLines (text: string): string {
  return text.split('\r\n').map(foldLine).join('\r\n')
}

/** Whether the zone's clock shows this instant's reading twice (clocks falling back over it). */
function readsTwice (instant: number, timeZone: string): boolean {
  // Only a change of offset within a day can repeat a reading; most instants have none near.
  const zone = IANAZone.create(timeZone)
  const offset = offsetAt(zone, instant)
  if (offsetAt(zone, instant - DAY_MS) === offset && offsetAt(zone, instant + DAY_MS) === offset) return false
  const reading = DateTime.fromMillis(instant, { zone })
  return instantsAtWallClock(reading.toObject() as Parameters<typeof instantsAtWallClock>[0], timeZone).kind === 'repeated'
}

function instantsOf (timing: Extract<EventTiming, { allDay: false }>): number[] {
  return timing.end === null ? [timing.start] : [timing.start, timing.end]
}

/**
 * The whole feed: one VCALENDAR (METHOD:PUBLISH) with a VTIMEZONE for every zone its events name,
 * and one VEVENT per engagement, in the order given. Depends on nothing but its arguments (and
 * the tz database): the same engagements give the same bytes on any server, in any zone.
 */
export function buildCalendar (options: CalendarOptions, engagements: CalendarEngagement[]): string {
  const events = engagements.map((engagement) => calendarEvent(engagement, options.engagementUrl(engagement.id)))
  const zoned = new Map<CalendarEvent, Extract<EventTiming, { allDay: false }>>()
  for (const event of events) {
    const { timing } = event
    if (!timing.allDay && !instantsOf(timing).some((instant) => readsTwice(instant, timing.timeZone))) zoned.set(event, timing)
  }
  const instantsByZone = new Map<string, number[]>()
  for (const timing of zoned.values()) instantsByZone.set(timing.timeZone, [...instantsByZone.get(timing.timeZone) ?? [], ...instantsOf(timing)])
  const definitions = new Map([...instantsByZone].map(([zone, instants]) => [zone, vtimezoneFor(zone, instants)]))

  const calendar = ical({
    prodId: { company: 'Diplomatic itinerary API', product: 'Engagement calendar', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    // ical-generator writes these two as they are; everything else it escapes itself.
    name: escape(options.name, false),
    description: escape(options.description, false),
    ttl: CALENDAR_REFRESH_SECONDS
  })
  const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' })
  for (const event of events) {
    const { timing } = event
    const zone = zoned.get(event)?.timeZone ?? null
    const at = (instant: number) => DateTime.fromMillis(instant, { zone: zone ?? 'UTC' })
    calendar.createEvent({
      id: event.uid,
      sequence: event.sequence,
      stamp: utc(event.updatedAt),
      lastModified: utc(event.updatedAt),
      created: utc(event.createdAt),
      summary: event.summary,
      description: event.description,
      location: event.location,
      url: event.url,
      status: event.status,
      ...(timing.allDay
        ? { allDay: true, start: utc(timing.startDate), end: utc(timing.endDate) }
        : { timezone: zone, start: at(timing.start), end: timing.end === null ? null : at(timing.end) })
    })
  }
  // ical-generator folds the whole text, encoding each character on its own to count its octets:
  // three seconds of a blocked event loop for a feed of 5000 events. So it writes the calendar's
  // properties and each event, and the components are folded here, after the properties (where
  // RFC 5545 wants every calendar property, REFRESH-INTERVAL included).
  const vevents = calendar.events().map((event) => event.toString())
  calendar.clear()
  const head = calendar.toString()
  if (!head.endsWith(END_OF_CALENDAR)) throw new Error('ical-generator no longer ends a calendar with END:VCALENDAR')
  const components = [...definitions.values()].map((definition) => `${definition.replace(/\r?\n/g, '\r\n')}\r\n`).join('') + vevents.join('')
  return head.slice(0, -END_OF_CALENDAR.length) + foldLines(components) + END_OF_CALENDAR
}

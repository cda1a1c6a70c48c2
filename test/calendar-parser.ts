import ICAL from 'ical.js'

/** A DTSTART or DTEND as a client reads it: a whole date, or an instant (with the TZID it was written in, if any). */
export type ParsedTime = { date: string } | { instant: string, tzid: string | null }

export interface ParsedEvent {
  uid: string
  sequence: number
  stamp: string
  lastModified: string | null
  summary: string
  description: string
  location: string | null
  geo: [number, number] | null
  status: string | null
  url: string | null
  start: ParsedTime
  end: ParsedTime | null
}

export interface ParsedFeed {
  properties: Record<string, string>
  /** TZID of every VTIMEZONE, in order. */
  timezones: string[]
  events: ParsedEvent[]
}

function timeOf (property: ICAL.Property | null): ParsedTime | null {
  if (property === null) return null
  const value = property.getFirstValue() as ICAL.Time
  if (value.isDate) return { date: value.toString() }
  const tzid = property.getParameter('tzid')
  return { instant: new Date(value.toUnixTime() * 1000).toISOString(), tzid: typeof tzid === 'string' ? tzid : null }
}

function text (component: ICAL.Component, name: string): string | null {
  const value = component.getFirstPropertyValue(name)
  return value === null ? null : String(value)
}

/**
 * Reads a feed with ical.js, an independent parser, the way a calendar client does: the
 * VTIMEZONEs sent along (and only those) turn each DTSTART;TZID= reading back into an instant.
 */
export function parseFeed (feed: string): ParsedFeed {
  const calendar = new ICAL.Component(ICAL.parse(feed))
  ICAL.TimezoneService.reset()
  const timezones = calendar.getAllSubcomponents('vtimezone')
  for (const timezone of timezones) ICAL.TimezoneService.register(timezone)
  const properties = Object.fromEntries(calendar.getAllProperties().map((property) => [property.name.toUpperCase(), String(property.getFirstValue())]))
  const events = calendar.getAllSubcomponents('vevent').map((event): ParsedEvent => {
    const geo = event.getFirstPropertyValue('geo') as [number, number] | null
    return {
      uid: text(event, 'uid') as string,
      sequence: Number(text(event, 'sequence')),
      stamp: (event.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString(),
      lastModified: (event.getFirstPropertyValue('last-modified') as ICAL.Time | null)?.toJSDate().toISOString() ?? null,
      summary: text(event, 'summary') ?? '',
      description: text(event, 'description') ?? '',
      location: text(event, 'location'),
      geo,
      status: text(event, 'status'),
      url: text(event, 'url'),
      start: timeOf(event.getFirstProperty('dtstart')) as ParsedTime,
      end: timeOf(event.getFirstProperty('dtend'))
    }
  })
  ICAL.TimezoneService.reset()
  return { properties, timezones: timezones.map((timezone) => String(timezone.getFirstPropertyValue('tzid'))), events }
}

/** The instant a parsed time stands for; throws for an all-day date. */
export function instantOf (time: ParsedTime | null): string {
  if (time === null || !('instant' in time)) throw new Error(`not a timed value: ${JSON.stringify(time)}`)
  return time.instant
}

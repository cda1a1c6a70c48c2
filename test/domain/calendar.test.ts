import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { DateTime } from 'luxon'
import {
  allDayDates, buildCalendar, calendarEvent, eventLocation, eventSummary, eventTiming, foldLines, runtimeVtimezone, vtimezoneFor,
  type CalendarEngagement
} from '../../src/domain/calendar.js'
import { instantOf, parseFeed } from '../calendar-parser.js'
import { projectPath } from '../../src/project-root.js'

const URL_OF = (id: string) => `https://api.example.org/v1/engagements/${id}`
const OPTIONS = { name: 'State visit to China', description: 'Every engagement', engagementUrl: URL_OF }

/** An engagement view as the API shows it, starting at `localStart` in `timeZone`. */
function engagement (id: string, timeZone: string, localStart: string, overrides: {
  precision?: string, partOfDay?: string | null, hours?: number | null, status?: string, label?: string, endsAt?: string
} & Partial<Omit<CalendarEngagement, 'time'>> = {}): CalendarEngagement {
  const { precision = 'exact', partOfDay = null, hours = 1, label, endsAt, ...rest } = overrides
  const start = DateTime.fromISO(localStart, { zone: timeZone })
  return {
    id,
    title: `Engagement ${id}`,
    status: 'scheduled',
    time: {
      timeZone,
      precision,
      partOfDay,
      startsAt: start.toUTC().toISO() as string,
      endsAt: endsAt ?? (hours === null ? null : start.plus({ hours }).toUTC().toISO() as string),
      localDate: start.toISODate() as string,
      ...(label === undefined ? {} : { label })
    },
    venue: null,
    participants: [],
    description: null,
    sources: [],
    embargoUntil: null,
    createdAt: '2025-12-01T09:00:00.000Z',
    updatedAt: '2025-12-02T10:30:00.000Z',
    version: 1,
    ...rest
  }
}

/** An engagement at an exact instant (for times a wall clock shows twice). */
function atInstant (id: string, timeZone: string, startsAt: string, endsAt: string | null = null): CalendarEngagement {
  const base = engagement(id, timeZone, DateTime.fromISO(startsAt, { zone: timeZone }).toISO() as string, { hours: null })
  return { ...base, time: { ...base.time, startsAt, endsAt } }
}

describe('allDayDates', () => {
  it('gives a date engagement its day, with the next day as the exclusive end', () => {
    const summit = engagement('d', 'Asia/Shanghai', '2026-01-05T00:00', { precision: 'date', hours: 24 })
    assert.deepEqual(allDayDates(summit.time), { startDate: '2026-01-05', endDate: '2026-01-06' })
  })

  it('counts whole local days, on days of 23 and 25 hours and across a month and a year', () => {
    const springForward = engagement('a', 'America/New_York', '2026-03-08T00:00', { precision: 'date', endsAt: '2026-03-09T04:00:00.000Z' })
    assert.deepEqual(allDayDates(springForward.time), { startDate: '2026-03-08', endDate: '2026-03-09' })
    const fallBack = engagement('b', 'America/New_York', '2026-11-01T00:00', { precision: 'date', endsAt: '2026-11-02T05:00:00.000Z' })
    assert.deepEqual(allDayDates(fallBack.time), { startDate: '2026-11-01', endDate: '2026-11-02' })
    const newYearsEve = engagement('c', 'Pacific/Kiritimati', '2026-12-31T00:00', { precision: 'date', hours: 24 })
    assert.deepEqual(allDayDates(newYearsEve.time), { startDate: '2026-12-31', endDate: '2027-01-01' })
  })

  it('spans every day of a tbd window, the window ending at the midnight after its last day', () => {
    const undated = engagement('t', 'Asia/Shanghai', '2026-01-04T00:00', { precision: 'tbd', hours: 72 })
    assert.deepEqual(allDayDates(undated.time), { startDate: '2026-01-04', endDate: '2026-01-07' })
  })

  it('ends on the right day when that midnight does not exist (Santiago skips 00:00 on 2026-09-06)', () => {
    // The day 2026-09-05 ends at the jump, 2026-09-06T04:00Z, which reads 01:00 on the 6th.
    const day = engagement('s', 'America/Santiago', '2026-09-05T00:00', { precision: 'date', endsAt: '2026-09-06T04:00:00.000Z' })
    assert.deepEqual(allDayDates(day.time), { startDate: '2026-09-05', endDate: '2026-09-06' })
  })
})

describe('the fields of an event', () => {
  it('has a stable UID, SEQUENCE version - 1 and the engagement\'s updatedAt as its stamp', () => {
    const event = calendarEvent(engagement('0194', 'Asia/Shanghai', '2026-01-05T15:00', { version: 4 }), URL_OF('0194'))
    assert.equal(event.uid, '0194@diplomatic-itinerary-api')
    assert.equal(event.sequence, 3)
    assert.equal(event.updatedAt, '2025-12-02T10:30:00.000Z')
    assert.equal(event.url, 'https://api.example.org/v1/engagements/0194')
  })

  it('marks approximate and unannounced times in the summary, and cancelled or postponed ones', () => {
    assert.equal(eventSummary(engagement('a', 'UTC', '2026-01-05T12:00', { precision: 'part_of_day', partOfDay: 'afternoon' })),
      'Engagement a (time approximate: afternoon)')
    assert.equal(eventSummary(engagement('b', 'UTC', '2026-01-05T00:00', { precision: 'tbd' })), 'Engagement b (time to be announced)')
    assert.equal(eventSummary(engagement('c', 'UTC', '2026-01-05T00:00', { precision: 'date', status: 'cancelled' })), 'Cancelled: Engagement c')
    assert.equal(eventSummary(engagement('d', 'UTC', '2026-01-05T09:00', { status: 'postponed' })), 'Postponed: Engagement d')
    assert.equal(eventSummary(engagement('e', 'UTC', '2026-01-05T09:00')), 'Engagement e')
  })

  it('maps the status: CANCELLED kept, tentative and postponed TENTATIVE, the rest CONFIRMED', () => {
    const statusOf = (status: string) => calendarEvent(engagement('x', 'UTC', '2026-01-05T09:00', { status }), URL_OF('x')).status
    assert.deepEqual(['scheduled', 'confirmed', 'completed', 'tentative', 'postponed', 'cancelled'].map(statusOf),
      ['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'TENTATIVE', 'TENTATIVE', 'CANCELLED'])
  })

  it('describes the time honestly, then the description, participants, sources and the API link', () => {
    const summit = engagement('s', 'Asia/Shanghai', '2026-01-05T12:00', {
      precision: 'part_of_day',
      partOfDay: 'afternoon',
      hours: 6,
      label: 'Monday 5 January 2026, afternoon',
      description: 'Summit talks, then a state banquet.',
      participants: [{ name: 'Xi Jinping', role: 'counterpart', title: 'President of the People\'s Republic of China', organisation: null }],
      sources: [{ url: 'https://example.org/report', title: 'Schedule announced', publisher: 'Yonhap' }],
      embargoUntil: '2026-01-04T00:00:00.000Z'
    })
    assert.equal(calendarEvent(summit, URL_OF('s')).description, [
      'Embargoed until 2026-01-04T00:00:00.000Z: not for publication before then.',
      'When: Monday 5 January 2026, afternoon (Asia/Shanghai)',
      'Time approximate: afternoon, 12:00–18:00 local time (Asia/Shanghai); the exact time has not been announced.',
      'Status: scheduled',
      '',
      'Summit talks, then a state banquet.',
      '',
      'Participants:',
      '- Xi Jinping (counterpart), President of the People\'s Republic of China',
      '',
      'Sources:',
      '- Schedule announced, Yonhap, https://example.org/report',
      '',
      'Details: https://api.example.org/v1/engagements/s'
    ].join('\n'))
  })

  it('says when only the date is known, or the end is not', () => {
    const dateOnly = calendarEvent(engagement('d', 'UTC', '2026-01-05T00:00', { precision: 'date', hours: 24 }), URL_OF('d'))
    assert.match(dateOnly.description, /^Date only: the time has not been announced\./)
    const open = calendarEvent(engagement('o', 'UTC', '2026-01-05T09:00', { hours: null }), URL_OF('o'))
    assert.match(open.description, /^End time not announced\./)
  })

  it('writes the location as one line, with the country named, and GEO only with both coordinates', () => {
    const venue = { name: 'Great Hall of the People', city: 'Beijing', country: 'CN', address: 'Tiananmen Square', latitude: 39.9032, longitude: 116.3915 }
    assert.deepEqual(eventLocation(venue), { title: 'Great Hall of the People, Tiananmen Square, Beijing, China', geo: { lat: 39.9032, lon: 116.3915 } })
    assert.deepEqual(eventLocation({ ...venue, address: null, latitude: null }), { title: 'Great Hall of the People, Beijing, China' })
    assert.equal(eventLocation(null), null)
  })

  it('times exact and part_of_day events by their instants, date and tbd ones by whole days', () => {
    assert.deepEqual(eventTiming(engagement('e', 'Europe/London', '2026-03-29T09:00', { hours: null }).time),
      { allDay: false, timeZone: 'Europe/London', start: Date.parse('2026-03-29T08:00:00Z'), end: null })
    assert.deepEqual(eventTiming(engagement('t', 'Europe/London', '2026-03-29T00:00', { precision: 'tbd', endsAt: '2026-03-29T23:00:00.000Z' }).time),
      { allDay: true, startDate: '2026-03-29', endDate: '2026-03-30' })
  })
})

describe('time zone definitions', () => {
  const instant = (iso: string) => Date.parse(iso)

  it('uses the packaged VTIMEZONE where it is right (New York, London, Lord Howe, Shanghai)', () => {
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Shanghai']) {
      const definition = vtimezoneFor(zone, [instant('2026-03-08T12:00:00Z'), instant('2026-11-01T12:00:00Z')])
      assert.match(definition, new RegExp(`^BEGIN:VTIMEZONE\\r?\\nTZID:${zone}\\r?\\nTZURL:http://tzurl.org/`), zone)
    }
  })

  it('names an alias as the events do, though the package files it under its target ("US/Eastern")', () => {
    assert.match(vtimezoneFor('US/Eastern', [instant('2026-07-04T16:00:00Z')]), /^BEGIN:VTIMEZONE\r?\nTZID:US\/Eastern\r?\n/)
  })

  it('writes its own from the runtime\'s tz database where the package is out of date or silent', () => {
    // The package's Mexico City still has summer time, which Mexico abolished in 2022; it has no Europe/Kyiv.
    for (const zone of ['America/Mexico_City', 'Europe/Kyiv']) {
      const definition = vtimezoneFor(zone, [instant('2026-05-04T18:00:00Z')])
      assert.equal(definition, runtimeVtimezone(zone, [instant('2026-05-04T18:00:00Z')]), zone)
      assert.doesNotMatch(definition, /TZURL/)
    }
  })

  it('writes its own for instants millennia apart from the years around them only, and each reads back', () => {
    const startsAt = ['0001-06-01T12:00:00.000Z', '2021-05-04T18:00:00.000Z', '9999-06-01T12:00:00.000Z']
    const definition = runtimeVtimezone('America/Mexico_City', startsAt.map(instant))
    const onsets = [...definition.matchAll(/^DTSTART:(.*)$/gm)].map(([, value]) => value ?? '')
    // Four-digit years (iCalendar's), each within two years of an instant's: nothing scanned between.
    assert.ok(onsets.every((onset) => /^\d{8}T\d{6}$/.test(onset)), definition)
    assert.deepEqual(onsets.map((onset) => Number(onset.slice(0, 4))).filter((year) => ![1, 2021, 9999].some((near) => Math.abs(year - near) <= 2)), [], definition)
    // ical.js reads years below 100 as 19xx (JavaScript's Date.UTC), so the year 0001 is not read back.
    const feed = parseFeed(buildCalendar(OPTIONS, startsAt.map((at, index) => atInstant(`far${index}`, 'America/Mexico_City', at))))
    assert.deepEqual(feed.events.slice(1).map((event) => instantOf(event.start)), startsAt.slice(1))
  })

  it('lets ical.js read every reading back to its instant, whichever definition is used', () => {
    const cases: Array<[string, string]> = [
      ['America/Mexico_City', '2026-05-04T18:00:00.000Z'], ['America/Mexico_City', '2021-05-04T18:00:00.000Z'],
      ['Europe/Kyiv', '2026-03-29T00:30:00.000Z'], ['Europe/Kyiv', '2026-03-29T01:30:00.000Z'],
      ['America/Sao_Paulo', '2026-11-10T15:00:00.000Z'], ['Africa/Cairo', '2026-07-01T09:00:00.000Z'],
      ['Asia/Tehran', '2026-06-01T09:00:00.000Z'], ['Pacific/Chatham', '2026-04-05T01:00:00.000Z']
    ]
    const feed = parseFeed(buildCalendar(OPTIONS, cases.map(([zone, startsAt], index) => atInstant(`z${index}`, zone, startsAt))))
    assert.deepEqual(feed.events.map((event) => instantOf(event.start)), cases.map(([, startsAt]) => startsAt))
    assert.deepEqual(feed.events.map((event) => (event.start as { tzid: string }).tzid), cases.map(([zone]) => zone))
  })
})

describe('foldLines', () => {
  const unfold = (text: string) => text.replaceAll('\r\n ', '')

  it('folds lines longer than 75 octets, never inside a character, and unfolds to the same text', () => {
    const lines = [
      `DESCRIPTION:${'x'.repeat(300)}`,
      `SUMMARY:${'시진핑 국가주석과 정상회담 '.repeat(12)}`,
      `LOCATION:${'🇰🇷🇨🇳 '.repeat(40)}`,
      'SHORT:ok'
    ]
    const folded = foldLines(lines.join('\r\n'))
    for (const line of folded.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `${Buffer.byteLength(line)} octets: ${line}`)
    assert.ok(!folded.includes('\uFFFD'))
    assert.equal(unfold(folded), lines.join('\r\n'))
  })

  it('leaves a line of 75 octets whole, and folds one of 76', () => {
    assert.equal(foldLines('x'.repeat(75)), 'x'.repeat(75))
    assert.equal(foldLines('x'.repeat(76)), `${'x'.repeat(75)}\r\n x`)
  })
})

describe('buildCalendar', () => {
  it('is one VCALENDAR with PRODID, METHOD:PUBLISH, the name, refresh interval and a VTIMEZONE per zone used', () => {
    const feed = parseFeed(buildCalendar({ ...OPTIONS, name: 'Visit; with, specials\nand a line' }, [
      engagement('a', 'Asia/Shanghai', '2026-01-05T15:00'),
      engagement('b', 'Asia/Seoul', '2026-01-07T18:00'),
      engagement('c', 'Asia/Shanghai', '2026-01-06T10:00'),
      engagement('d', 'Europe/London', '2026-01-06T00:00', { precision: 'date', hours: 24 })
    ]))
    assert.equal(feed.properties.PRODID, '-//Diplomatic itinerary API//Engagement calendar//EN')
    assert.equal(feed.properties.METHOD, 'PUBLISH')
    assert.equal(feed.properties.VERSION, '2.0')
    // Escaped as TEXT (ical.js leaves an X- property as written): the line break cannot start a new property.
    assert.equal(feed.properties['X-WR-CALNAME'], 'Visit\\; with\\, specials\\nand a line')
    assert.equal(feed.properties['REFRESH-INTERVAL'], 'PT15M')
    assert.equal(feed.properties['X-PUBLISHED-TTL'], 'PT15M')
    // All-day events name no zone, so London needs no definition.
    assert.deepEqual(feed.timezones, ['Asia/Shanghai', 'Asia/Seoul'])
    assert.deepEqual(feed.events.map((event) => event.uid), ['a', 'b', 'c', 'd'].map((id) => `${id}@diplomatic-itinerary-api`))
  })

  it('writes exact times in their zone, and leaves DTEND out when the end is not known', () => {
    const feed = parseFeed(buildCalendar(OPTIONS, [
      engagement('a', 'Asia/Shanghai', '2026-01-05T15:00', { hours: 1.5 }),
      engagement('b', 'Asia/Shanghai', '2026-01-05T18:00', { hours: null })
    ]))
    const [withEnd, open] = feed.events
    assert.deepEqual(withEnd?.start, { instant: '2026-01-05T07:00:00.000Z', tzid: 'Asia/Shanghai' })
    assert.deepEqual(withEnd?.end, { instant: '2026-01-05T08:30:00.000Z', tzid: 'Asia/Shanghai' })
    assert.deepEqual(open?.start, { instant: '2026-01-05T10:00:00.000Z', tzid: 'Asia/Shanghai' })
    assert.equal(open?.end, null)
  })

  it('gives a part_of_day event its window, marked approximate', () => {
    const [event] = parseFeed(buildCalendar(OPTIONS, [
      engagement('s', 'Asia/Shanghai', '2026-01-05T12:00', { precision: 'part_of_day', partOfDay: 'afternoon', hours: 6 })
    ])).events
    assert.deepEqual([event?.start, event?.end], [
      { instant: '2026-01-05T04:00:00.000Z', tzid: 'Asia/Shanghai' }, { instant: '2026-01-05T10:00:00.000Z', tzid: 'Asia/Shanghai' }
    ])
    assert.match(event?.summary ?? '', /\(time approximate: afternoon\)$/)
    assert.match(event?.description ?? '', /^Time approximate: afternoon, 12:00–18:00 local time/)
  })

  it('writes date and tbd engagements as all-day events, VALUE=DATE with an exclusive end', () => {
    const text = buildCalendar(OPTIONS, [
      engagement('d', 'Pacific/Kiritimati', '2026-01-05T00:00', { precision: 'date', hours: 24 }),
      engagement('t', 'Asia/Shanghai', '2026-01-04T00:00', { precision: 'tbd', hours: 72, label: 'Date to be announced, between Sunday 4 January 2026 and Tuesday 6 January 2026' })
    ])
    assert.match(text, /\r\nDTSTART;VALUE=DATE:20260105\r\nDTEND;VALUE=DATE:20260106\r\n/)
    assert.match(text, /\r\nDTSTART;VALUE=DATE:20260104\r\nDTEND;VALUE=DATE:20260107\r\n/)
    const [date, tbd] = parseFeed(text).events
    assert.deepEqual([date?.start, date?.end], [{ date: '2026-01-05' }, { date: '2026-01-06' }])
    assert.deepEqual([tbd?.start, tbd?.end], [{ date: '2026-01-04' }, { date: '2026-01-07' }])
    assert.equal(tbd?.summary, 'Engagement t (time to be announced)')
    assert.match(tbd?.description ?? '', /^When: Date to be announced, between Sunday 4 January 2026 and Tuesday 6 January 2026 \(Asia\/Shanghai\)\n/)
  })

  it('writes in UTC an event whose reading the clock shows twice, so that no client has to guess which', () => {
    // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST), and on Lord Howe Island on
    // 2026-04-05 (+11, then +10:30); ical.js takes the second where RFC 5545 says the first.
    const cases: Array<[string, string]> = [
      ['America/New_York', '2026-11-01T05:30:00.000Z'], ['America/New_York', '2026-11-01T06:30:00.000Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:45:00.000Z'], ['Australia/Lord_Howe', '2026-04-04T15:15:00.000Z']
    ]
    const feed = parseFeed(buildCalendar(OPTIONS, cases.map(([zone, startsAt], index) => atInstant(`r${index}`, zone, startsAt))))
    assert.deepEqual(feed.events.map((event) => event.start), cases.map(([, instant]) => ({ instant, tzid: null })))
  })

  it('is deterministic: DTSTAMP and LAST-MODIFIED are the engagement\'s updatedAt', () => {
    const views = [engagement('a', 'Asia/Shanghai', '2026-01-05T15:00', { version: 3 })]
    assert.equal(buildCalendar(OPTIONS, views), buildCalendar(OPTIONS, views))
    const [event] = parseFeed(buildCalendar(OPTIONS, views)).events
    assert.equal(event?.stamp, '2025-12-02T10:30:00.000Z')
    assert.equal(event?.lastModified, '2025-12-02T10:30:00.000Z')
    assert.equal(event?.sequence, 2)
  })

  it('writes the same bytes whatever the zone of the process (UTC, Pacific/Chatham, America/Los_Angeles)', async () => {
    const views = [
      engagement('exact', 'America/New_York', '2026-03-08T03:30', { hours: 2 }),
      engagement('open', 'Europe/London', '2026-10-25T09:00', { hours: null }),
      engagement('approx', 'Asia/Shanghai', '2026-01-05T18:00', { precision: 'part_of_day', partOfDay: 'evening', hours: 6 }),
      engagement('day', 'Pacific/Chatham', '2026-04-05T00:00', { precision: 'date', endsAt: '2026-04-05T11:45:00.000Z' }),
      engagement('east', 'Pacific/Kiritimati', '2026-12-31T00:00', { precision: 'date', hours: 24 }),
      engagement('tbd', 'America/Los_Angeles', '2026-03-07T00:00', { precision: 'tbd', endsAt: '2026-03-10T07:00:00.000Z' }),
      engagement('stale', 'America/Mexico_City', '2026-05-04T12:00'),
      atInstant('twice', 'America/New_York', '2026-11-01T06:30:00.000Z')
    ]
    const script = [
      `import { buildCalendar } from ${JSON.stringify(projectPath('src', 'domain', 'calendar.ts'))}`,
      'const views = JSON.parse(process.env.CALENDAR_VIEWS)',
      'const calendar = buildCalendar({ name: "N", description: "D", engagementUrl: (id) => "https://api.example.org/" + id }, views)',
      'process.stdout.write(JSON.stringify({ offset: new Date("2026-01-05T00:00:00Z").getTimezoneOffset(), calendar }))'
    ].join('\n')
    const tsx = projectPath('node_modules', '.bin', 'tsx')
    const outputs = await Promise.all(['UTC', 'Pacific/Chatham', 'America/Los_Angeles'].map(async (TZ) => {
      const { stdout } = await promisify(execFile)(tsx, ['--eval', script], { env: { ...process.env, TZ, CALENDAR_VIEWS: JSON.stringify(views) } })
      return JSON.parse(stdout) as { offset: number, calendar: string }
    }))
    assert.deepEqual(outputs.map((output) => output.offset), [0, -825, 480], 'each process ran in its own zone')
    const [first, ...others] = outputs.map((output) => output.calendar)
    for (const other of others) assert.equal(other, first)
    assert.equal(first, buildCalendar({ name: 'N', description: 'D', engagementUrl: (id) => `https://api.example.org/${id}` }, views))
  })
})

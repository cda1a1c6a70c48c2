import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { DateTime } from 'luxon'
import { MAX_CALENDAR_EVENTS, type CalendarEngagement } from '../../src/domain/calendar.js'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { instantOf, parseFeed, type ParsedEvent, type ParsedFeed } from '../calendar-parser.js'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp, type Http } from '../helper.js'

type TimeBody = CalendarEngagement['time']
interface EngagementBody { id: string, title: string, kind: string, status: string, time: TimeBody, version: number, updatedAt: string, venue: { name: string, city: string } | null }

const uid = (id: string) => `${id}@diplomatic-itinerary-api`
// Events link to the engagement on the host the feed was fetched from; supertest would give
// each request a new port, and so each answer other links and another ETag.
const HOST = { Host: 'api.example.org' }
const nextDay = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate()

async function fetchFeed (http: Http, path: string, headers: Record<string, string> = {}): Promise<ParsedFeed & { text: string, headers: Record<string, string> }> {
  const response = await http.get(path).set({ ...HOST, ...headers })
  assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`)
  assert.equal(response.headers['content-type'], 'text/calendar; charset=utf-8')
  return { ...parseFeed(response.text), text: response.text, headers: response.headers as Record<string, string> }
}

function eventOf (feed: ParsedFeed, id: string): ParsedEvent {
  const matching = feed.events.filter((event) => event.uid === uid(id))
  assert.equal(matching.length, 1, `engagement ${id} appears once`)
  return matching[0] as ParsedEvent
}

/** What the feed must say of an engagement's time, from the API's own `time` object. */
function assertTimeMatches (event: ParsedEvent, time: TimeBody, label: string) {
  if (time.precision === 'date' || time.precision === 'tbd') {
    const lastDay = DateTime.fromMillis(Date.parse(time.endsAt as string) - 1, { zone: time.timeZone }).toISODate() as string
    assert.deepEqual([event.start, event.end], [{ date: time.localDate }, { date: nextDay(lastDay) }], label)
    return
  }
  assert.equal(instantOf(event.start), time.startsAt, `${label}: start`)
  if (time.endsAt === null) assert.equal(event.end, null, `${label}: no DTEND`)
  else assert.equal(instantOf(event.end), time.endsAt, `${label}: end`)
}

describe('GET /v1/visits/{visit}/calendar.ics for the demo visit', () => {
  const server = useTestApp()
  // The demo under a slug of this file's own, as in test/routes/itinerary.test.ts.
  const slug = uniqueSlug('lee-jae-myung-china-2026')
  let engagements: EngagementBody[]
  let feed: Awaited<ReturnType<typeof fetchFeed>>

  before(async () => {
    await loadDemoVisit(server.app.prisma, slug)
    const itinerary = await server.http.get(`/v1/visits/${slug}/itinerary`).expect(200)
    const body = itinerary.body as { legs: Array<{ days: Array<{ engagements: EngagementBody[] }> }>, unassigned: Array<{ engagements: EngagementBody[] }> }
    engagements = [...body.legs.flatMap((leg) => leg.days), ...body.unassigned].flatMap((day) => day.engagements)
    feed = await fetchFeed(server.http, `/v1/visits/${slug}/calendar.ics`)
  })

  it('is one calendar named after the visit, published, with a refresh interval, served inline', () => {
    assert.equal(feed.properties.PRODID, '-//Diplomatic itinerary API//Engagement calendar//EN')
    assert.equal(feed.properties.METHOD, 'PUBLISH')
    assert.equal(feed.properties['X-WR-CALNAME'], 'State visit of President Lee Jae Myung to China')
    assert.equal(feed.properties['REFRESH-INTERVAL'], 'PT15M')
    assert.equal(feed.headers['content-disposition'], `inline; filename="${slug}.ics"`)
    assert.equal(feed.text.match(/^BEGIN:VCALENDAR\r\n/gm)?.length, 1)
    assert.ok(feed.text.endsWith('END:VCALENDAR'))
  })

  it('has every engagement exactly once, at the instants the itinerary gives', () => {
    assert.ok(engagements.length >= 10, `${engagements.length} engagements`)
    assert.deepEqual(feed.events.map((event) => event.uid).sort(), engagements.map((engagement) => uid(engagement.id)).sort())
    for (const engagement of engagements) assertTimeMatches(eventOf(feed, engagement.id), engagement.time, engagement.title)
  })

  it('writes part_of_day engagements over their window in their zone, marked approximate', () => {
    const approximate = engagements.filter((engagement) => engagement.time.precision === 'part_of_day')
    assert.ok(approximate.length >= 3)
    for (const engagement of approximate) {
      const event = eventOf(feed, engagement.id)
      assert.equal((event.start as { tzid: string }).tzid, engagement.time.timeZone)
      assert.match(event.summary, new RegExp(`\\(time approximate: ${engagement.time.partOfDay}\\)$`))
      assert.match(event.description, new RegExp(`Time approximate: ${engagement.time.partOfDay}`))
    }
    assert.deepEqual(feed.timezones, ['Asia/Shanghai'])
  })

  it('writes date engagements as all-day events: VALUE=DATE, the next day as exclusive end', () => {
    const dated = engagements.filter((engagement) => engagement.time.precision === 'date')
    assert.ok(dated.length >= 5)
    for (const engagement of dated) {
      const compact = engagement.time.localDate.replaceAll('-', '')
      const after = (nextDay(engagement.time.localDate) as string).replaceAll('-', '')
      assert.match(feed.text, new RegExp(`UID:${uid(engagement.id)}\\r\\n(?:.*\\r\\n)*?DTSTART;VALUE=DATE:${compact}\\r\\nDTEND;VALUE=DATE:${after}\\r\\n`))
      assert.match(eventOf(feed, engagement.id).description, /^Date only: the time has not been announced\./m)
    }
  })

  it('gives each event its status, venue and a link to the engagement in the API', () => {
    for (const engagement of engagements) {
      const event = eventOf(feed, engagement.id)
      assert.equal(event.status, engagement.status === 'cancelled' ? 'CANCELLED' : engagement.status === 'tentative' ? 'TENTATIVE' : 'CONFIRMED')
      assert.equal(event.url, `http://api.example.org/v1/engagements/${engagement.id}`)
      assert.ok(event.description.endsWith(`Details: ${event.url}`))
      if (engagement.venue !== null) assert.ok(event.location?.startsWith(engagement.venue.name), event.location ?? '')
    }
  })

  it('sends an ETag and Cache-Control, and 304 to a matching If-None-Match', async () => {
    const path = `/v1/visits/${slug}/calendar.ics`
    const etag = feed.headers.etag as string
    assert.match(etag, /^"[^"]+"$/)
    assert.match(feed.headers['cache-control'] as string, /^public, max-age=\d+$/)
    const again = await server.http.get(path).set({ ...HOST, 'If-None-Match': etag }).expect(304)
    assert.equal(again.text, '')
    assert.equal(again.headers.etag, etag)
    await server.http.get(path).set({ ...HOST, 'If-None-Match': '"something-else"' }).expect(200)
  })

  it('answers 404 with a problem for a visit that does not exist', async () => {
    const response = await server.http.get(`/v1/visits/${uniqueSlug('missing')}/calendar.ics`).expect(404)
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/)
    assert.equal(response.body.status, 404)
  })

  describe('GET /v1/engagements.ics', () => {
    it('takes the JSON list\'s filters: visit, kind, participant...', async () => {
      const summit = engagements.find((engagement) => engagement.title === 'Summit with President Xi Jinping') as EngagementBody
      for (const query of [`visit=${slug}&kind=summit`, `visit=${slug}&participant=xi%20jinping`, `visit=${slug}&kind=summit,talks&date=2026-01-05`]) {
        const filtered = await fetchFeed(server.http, `/v1/engagements.ics?${query}`)
        assert.deepEqual(filtered.events.map((event) => event.uid), [uid(summit.id)], query)
      }
      const forum = await fetchFeed(server.http, `/v1/engagements.ics?visit=${slug}&kind=forum,summit`)
      assert.deepEqual(forum.events.map((event) => event.uid),
        engagements.filter((engagement) => ['forum', 'summit'].includes(engagement.kind)).map((engagement) => uid(engagement.id)))
      assert.equal(forum.headers['content-disposition'], 'inline; filename="engagements.ics"')
      assert.equal(forum.properties['X-WR-CALNAME'], 'State visit of President Lee Jae Myung to China (kind=forum\\,summit)')
    })

    it('takes the search q, as the JSON list does, keeping the calendar\'s chronological order', async () => {
      const zhao = engagements.find((engagement) => engagement.title.startsWith('Meeting with Zhao Leji')) as EngagementBody
      const found = await fetchFeed(server.http, `/v1/engagements.ics?visit=${slug}&q=zhao%20leji`)
      assert.deepEqual(found.events.map((event) => event.uid), [uid(zhao.id)])
      const list = await server.http.get('/v1/engagements').query({ visit: slug, q: 'li qiang' }).expect(200)
      const premier = await fetchFeed(server.http, `/v1/engagements.ics?visit=${slug}&q=li%20qiang`)
      assert.deepEqual(premier.events.map((event) => event.uid).sort(), list.body.data.map((item: { id: string }) => uid(item.id)).sort())
      assert.ok(premier.events.length >= 2)
    })

    it('holds the whole visit, not one page, in the order of the list', async () => {
      const all = await fetchFeed(server.http, `/v1/engagements.ics?visit=${slug}`)
      const list = await server.http.get('/v1/engagements').query({ visit: slug, limit: 2 }).expect(200)
      assert.equal(all.events.length, engagements.length)
      assert.deepEqual(all.events.slice(0, 2).map((event) => event.uid), list.body.data.map((item: { id: string }) => uid(item.id)))
    })

    it('words titles in the language asked for', async () => {
      const korean = await fetchFeed(server.http, `/v1/engagements.ics?visit=${slug}&kind=summit&lang=ko`)
      assert.match(korean.events[0]?.summary ?? '', /^시진핑 국가주석과 정상회담 \(time approximate: afternoon\)$/)
    })

    it('refuses an unknown visit, a bad filter or a paging parameter with a 400 problem', async () => {
      for (const query of [`visit=${uniqueSlug('missing')}`, 'kind=banquet', 'cursor=abc', 'limit=5']) {
        const response = await server.http.get(`/v1/engagements.ics?${query}`).expect(400)
        assert.equal(response.body.status, 400, query)
      }
    })

    it('answers a matching If-None-Match with 304', async () => {
      const path = `/v1/engagements.ics?visit=${slug}&kind=summit`
      const first = await fetchFeed(server.http, path)
      await server.http.get(path).set({ ...HOST, 'If-None-Match': first.headers.etag as string }).expect(304)
    })
  })
})

describe('calendar feeds across daylight-saving changes', () => {
  const server = useTestApp()
  let visitSlug: string
  // Wall-clock times on both sides of the 2026 changes, as a writer sends them.
  const cases: Array<{ name: string, time: Record<string, string> }> = [
    { name: 'New York, across the spring gap', time: { timeZone: 'America/New_York', localStart: '2026-03-08T01:30', localEnd: '2026-03-08T03:30' } },
    { name: 'New York, just after the gap', time: { timeZone: 'America/New_York', localStart: '2026-03-08T03:00' } },
    { name: 'New York, across the fall back', time: { timeZone: 'America/New_York', localStart: '2026-11-01T00:30', localEnd: '2026-11-01T02:30' } },
    { name: 'New York, 01:30 the first time', time: { timeZone: 'America/New_York', localStart: '2026-11-01T01:30', disambiguation: 'earlier' } },
    { name: 'New York, 01:30 the second time', time: { timeZone: 'America/New_York', localStart: '2026-11-01T01:30', disambiguation: 'later' } },
    { name: 'New York, the week after', time: { timeZone: 'America/New_York', localStart: '2026-11-08T09:00', localEnd: '2026-11-08T10:00' } },
    { name: 'London, across the spring gap', time: { timeZone: 'Europe/London', localStart: '2026-03-29T00:30', localEnd: '2026-03-29T02:30' } },
    { name: 'London, 01:30 the second time', time: { timeZone: 'Europe/London', localStart: '2026-10-25T01:30', disambiguation: 'later' } },
    { name: 'London, after the fall back', time: { timeZone: 'Europe/London', localStart: '2026-10-25T02:30', localEnd: '2026-10-25T04:00' } },
    { name: 'Lord Howe, 01:45 the first time', time: { timeZone: 'Australia/Lord_Howe', localStart: '2026-04-05T01:45', disambiguation: 'earlier' } },
    { name: 'Lord Howe, after the half-hour fall back', time: { timeZone: 'Australia/Lord_Howe', localStart: '2026-04-05T02:15', localEnd: '2026-04-05T03:00' } },
    { name: 'Lord Howe, across the half-hour gap', time: { timeZone: 'Australia/Lord_Howe', localStart: '2026-10-04T01:45', localEnd: '2026-10-04T02:45' } },
    { name: 'Lord Howe, just after the gap', time: { timeZone: 'Australia/Lord_Howe', localStart: '2026-10-04T02:30' } },
    // The packaged definition still has Mexican summer time (abolished in 2022) from 5 April.
    { name: 'Mexico City, no summer time any more', time: { timeZone: 'America/Mexico_City', localStart: '2026-04-05T12:00', localEnd: '2026-04-05T13:00' } }
  ]
  const created: Array<{ name: string, engagement: EngagementBody }> = []
  let morning: EngagementBody
  let longDay: EngagementBody

  before(async () => {
    const visit = await createVisit(server.http, { startDate: '2026-03-01', endDate: '2026-11-30' })
    visitSlug = visit.slug
    for (const { name, time } of cases) {
      created.push({ name, engagement: await createEngagement(server.http, visit.id, { title: name, time: { precision: 'exact', ...time } }) as unknown as EngagementBody })
    }
    morning = await createEngagement(server.http, visit.id, {
      title: 'Morning of the spring change', time: { precision: 'part_of_day', timeZone: 'America/New_York', localDate: '2026-03-08', partOfDay: 'morning' }
    }) as unknown as EngagementBody
    longDay = await createEngagement(server.http, visit.id, {
      title: 'The 25-hour day', time: { precision: 'date', timeZone: 'America/New_York', localDate: '2026-11-01' }
    }) as unknown as EngagementBody
  })

  it('gives every event the instant the API gives, as ical.js reads it with the VTIMEZONEs sent', async () => {
    const feed = await fetchFeed(server.http, `/v1/visits/${visitSlug}/calendar.ics`)
    assert.equal(feed.events.length, cases.length + 2)
    for (const { name, engagement } of created) assertTimeMatches(eventOf(feed, engagement.id), engagement.time, name)
    assertTimeMatches(eventOf(feed, morning.id), morning.time, 'part of a 23-hour day')
    assertTimeMatches(eventOf(feed, longDay.id), longDay.time, 'a 25-hour day')
    assert.deepEqual([eventOf(feed, longDay.id).start, eventOf(feed, longDay.id).end], [{ date: '2026-11-01' }, { date: '2026-11-02' }])
    assert.deepEqual([...feed.timezones].sort(), ['America/Mexico_City', 'America/New_York', 'Australia/Lord_Howe', 'Europe/London'])
  })

  it('names the zone of each event, except where its clock reads the same twice (then UTC)', async () => {
    const feed = await fetchFeed(server.http, `/v1/visits/${visitSlug}/calendar.ics`)
    for (const { name, engagement } of created) {
      const expected = /the (first|second) time/.test(name) ? null : engagement.time.timeZone
      assert.equal((eventOf(feed, engagement.id).start as { tzid: string | null }).tzid, expected, name)
    }
  })
})

describe('calendar feeds follow each engagement\'s life', () => {
  const server = useTestApp({ extraTokens: new Map([['embargo-reader', { secret: 'calendar-embargo-reader', scopes: ['read:embargoed'] as const }]]) })
  const EMBARGO_READER = { Authorization: 'Bearer calendar-embargo-reader' }
  let visit: { id: string, slug: string }
  let legId: string
  const feedPath = () => `/v1/visits/${visit.slug}/calendar.ics`

  before(async () => {
    visit = await createVisit(server.http)
    legId = (await createLeg(server.http, visit.id, { startDate: '2026-01-04', endDate: '2026-01-06' })).id
  })

  it('keeps a cancelled engagement, with STATUS:CANCELLED', async () => {
    const cancelled = await createEngagement(server.http, visit.id, {
      legId, title: 'Called-off banquet', status: 'cancelled', time: { precision: 'exact', localStart: '2026-01-05T19:00' }
    })
    const event = eventOf(await fetchFeed(server.http, feedPath()), cancelled.id)
    assert.equal(event.status, 'CANCELLED')
    assert.equal(event.summary, 'Cancelled: Called-off banquet')
    assert.equal(event.end, null, 'an exact engagement without an end has no DTEND')
  })

  it('raises SEQUENCE with each version, keeping the UID, with DTSTAMP and LAST-MODIFIED the update', async () => {
    const talks = await createEngagement(server.http, visit.id, { legId, title: 'Talks', time: { precision: 'exact', localStart: '2026-01-05T10:00' } })
    const before = eventOf(await fetchFeed(server.http, feedPath()), talks.id)
    assert.equal(before.sequence, 0)
    const patched = await server.http.patch(`/v1/engagements/${talks.id}`).set(authorised).set(ifMatch(talks.version))
      .send({ time: { precision: 'exact', localStart: '2026-01-05T11:00', localEnd: '2026-01-05T12:00' } }).expect(200)
    const after = eventOf(await fetchFeed(server.http, feedPath()), talks.id)
    assert.equal(after.uid, before.uid)
    assert.equal(after.sequence, 1)
    // iCalendar times stop at the second.
    const updatedAt = new Date(Math.floor(Date.parse(patched.body.updatedAt) / 1000) * 1000).toISOString()
    assert.equal(after.stamp, updatedAt)
    assert.equal(after.lastModified, updatedAt)
    assert.equal(instantOf(after.start), '2026-01-05T03:00:00.000Z')
  })

  it('writes a tbd engagement as an all-day event over its window, marked "time to be announced"', async () => {
    const announcedDay = await createEngagement(server.http, visit.id, { legId, title: 'Press conference', time: { precision: 'tbd', localDate: '2026-01-06' } })
    const undated = await createEngagement(server.http, visit.id, { legId, title: 'Visit to a factory', time: { precision: 'tbd' } })
    const feed = await fetchFeed(server.http, feedPath())
    const day = eventOf(feed, announcedDay.id)
    assert.deepEqual([day.start, day.end], [{ date: '2026-01-06' }, { date: '2026-01-07' }])
    assert.equal(day.summary, 'Press conference (time to be announced)')
    const window = eventOf(feed, undated.id)
    assert.deepEqual([window.start, window.end], [{ date: '2026-01-04' }, { date: '2026-01-07' }], 'the leg\'s three days')
    for (const [event, engagement] of [[day, announcedDay], [window, undated]] as const) {
      const { label } = engagement.time as { label: string }
      assert.ok(event.description.includes(`When: ${label}`), event.description)
    }
  })

  it('leaves out embargoed engagements, except for a token with read:embargoed', async () => {
    const secret = await createEngagement(server.http, visit.id, {
      legId, title: 'Secret talks', embargoUntil: '2100-01-01T00:00:00Z', time: { precision: 'exact', localStart: '2026-01-05T15:00' }
    })
    for (const path of [feedPath(), `/v1/engagements.ics?visit=${visit.slug}`]) {
      const anonymous = await fetchFeed(server.http, path)
      assert.ok(anonymous.events.length > 0)
      assert.ok(!anonymous.events.some((event) => event.uid === uid(secret.id)), path)
      assert.ok(!anonymous.text.includes('Secret talks'))
      const reader = await fetchFeed(server.http, path, EMBARGO_READER)
      assert.match(eventOf(reader, secret.id).description, /^Embargoed until 2100-01-01T00:00:00.000Z/)
      assert.match(reader.headers['cache-control'] as string, /^private/)
    }
  })

  it(`refuses with a 422 problem a query matching more than ${MAX_CALENDAR_EVENTS} engagements, rather than cut it short`, async () => {
    const crowded = await createVisit(server.http, { title: 'Crowded visit' })
    const startsAt = new Date('2199-06-01T00:00:00Z')
    await server.app.prisma.engagement.createMany({
      data: Array.from({ length: MAX_CALENDAR_EVENTS + 1 }, (_, index) => ({
        visitId: crowded.id,
        title: `Handshake ${index}`,
        kind: 'meeting' as const,
        status: 'scheduled' as const,
        precision: 'exact' as const,
        startsAt: new Date(startsAt.getTime() + index * 60_000),
        timeZone: 'UTC',
        localDate: startsAt
      }))
    })
    try {
      for (const path of [`/v1/visits/${crowded.slug}/calendar.ics`, `/v1/engagements.ics?visit=${crowded.slug}`]) {
        const response = await server.http.get(path).expect(422)
        assert.equal(response.body.status, 422)
        assert.match(response.body.detail, new RegExp(`More than ${MAX_CALENDAR_EVENTS} engagements match`))
      }
      const narrowed = await fetchFeed(server.http, `/v1/engagements.ics?visit=${crowded.slug}&to=2199-06-01T01:00:00Z`)
      assert.equal(narrowed.events.length, 60)
    } finally {
      await server.app.prisma.engagement.deleteMany({ where: { visitId: crowded.id } })
    }
  })
})

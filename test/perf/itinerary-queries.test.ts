// No N+1: the number of SQL statements behind an itinerary or a list page is fixed, however
// many engagements, participants and sources there are. Counted with Prisma's query events,
// which report raw statements too.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, describe, test } from 'node:test'
import { writeSearchDocuments } from '../../src/db/search.js'
import { uniqueSlug, useTestApp } from '../helper.js'

// An itinerary: the visit, its legs, and its engagements with venues, participants and sources in
// one statement (src/db/engagement-rows.ts). A list page by visit: the visit, the page's
// ids, the page with its relations. Seven and six before that statement; never one per row.
const MAX_STATEMENTS = 3

describe('SQL statements per request', () => {
  const statements: string[] = []
  const server = useTestApp({
    apiTokens: new Map(),
    // Its look for ended embargoes would be counted with the request's statements.
    publicationIntervalMs: 0,
    // What a rendering costs: the response cache reads the content state first, one statement
    // whatever the size (test/plugins/response-cache.test.ts counts it), and a hit renders nothing.
    responseCacheMaxBytes: 0,
    onDatabaseQuery: (event) => statements.push(event.query)
  })
  let few: { id: string, slug: string, suffix: string }
  let many: { id: string, slug: string, suffix: string }

  /** A visit with one leg and `count` engagements, each with a venue, three participants and two sources. */
  async function visitWithEngagements (count: number) {
    const { prisma } = server.app
    const visit = await prisma.visit.create({
      data: {
        slug: uniqueSlug('perf'), title: 'Query count', principalName: 'Lee Jae Myung', principalTitle: 'President',
        originCountry: 'KR', kind: 'state_visit', status: 'confirmed', homeTimeZone: 'Asia/Seoul',
        startDate: new Date('2026-01-04T00:00:00Z'), endDate: new Date('2026-01-07T00:00:00Z'),
        legs: { create: { sequence: 1, city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: new Date('2026-01-04T00:00:00Z'), endDate: new Date('2026-01-07T00:00:00Z') } }
      },
      include: { legs: true }
    })
    const suffix = randomUUID().slice(0, 8)
    const venue = await prisma.venue.create({ data: { name: `Hall ${suffix}`, city: 'Beijing', country: 'CN' } })
    const people = await Promise.all(['Xi Jinping', 'Li Qiang', 'Wang Yi'].map((name) => prisma.participant.create({
      data: { name: `${name} ${suffix}`, nameKey: `${name.toLowerCase()} ${suffix}` }
    })))
    for (let index = 0; index < count; index++) {
      const startsAt = new Date(Date.UTC(2026, 0, 4, 1 + (index % 20), index % 60))
      await prisma.engagement.create({
        data: {
          visitId: visit.id, legId: visit.legs[0]?.id ?? null, title: `Meeting ${index}`, kind: 'meeting', status: 'confirmed',
          precision: 'exact', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000), timeZone: 'Asia/Shanghai',
          localDate: new Date('2026-01-04T00:00:00Z'), venueId: venue.id,
          participants: { create: people.map((person, position) => ({ position, participantId: person.id, role: 'counterpart' as const })) },
          sources: { create: [{ position: 0, title: 'Yonhap' }, { position: 1, title: 'Xinhua', url: 'https://example.org/xinhua' }] }
        }
      })
    }
    await writeSearchDocuments(prisma, { visitId: visit.id })
    return { ...visit, suffix }
  }

  async function statementsFor (path: string): Promise<number> {
    statements.length = 0
    await server.http.get(path).expect(200)
    return statements.length
  }

  before(async () => {
    few = await visitWithEngagements(5)
    many = await visitWithEngagements(200)
  })

  test('an itinerary takes the same few statements for 5 engagements as for 200', async () => {
    const forFew = await statementsFor(`/v1/visits/${few.slug}/itinerary?tz=America/New_York`)
    const forMany = await statementsFor(`/v1/visits/${many.slug}/itinerary?tz=America/New_York`)
    assert.ok(forFew <= MAX_STATEMENTS, `${forFew} statements for 5 engagements`)
    assert.equal(forMany, forFew, 'the statement count grows with the number of engagements')
  })

  test('a list page takes the same few statements for 5 engagements as for 200', async () => {
    const forFew = await statementsFor(`/v1/engagements?visit=${few.id}&limit=200`)
    const forMany = await statementsFor(`/v1/engagements?visit=${many.id}&limit=200`)
    assert.ok(forFew <= MAX_STATEMENTS, `${forFew} statements for 5 engagements`)
    assert.equal(forMany, forFew, 'the statement count grows with the number of engagements')
  })

  test('a search without other filters ranks its matches and loads its page in two statements', async () => {
    assert.equal(await statementsFor(`/v1/engagements?q=${many.suffix}&limit=200`), 2)
    const page = await server.http.get(`/v1/engagements?q=${many.suffix}&limit=200`).expect(200)
    assert.equal(page.body.data.length, 200)
    assert.equal(page.body.data[199].participants.length, 3)
  })

  test('the count is of real statements: the many-engagement page has all 200 with their relations', async () => {
    const page = await server.http.get(`/v1/engagements?visit=${many.id}&limit=200`).expect(200)
    assert.equal(page.body.data.length, 200)
    assert.equal(page.body.data[199].participants.length, 3)
    assert.equal(page.body.data[199].sources.length, 2)
  })
})

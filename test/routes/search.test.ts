import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { writeSearchDocuments } from '../../src/db/search.js'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp, type Http } from '../helper.js'

// The demo visit under a slug of this file's own (see test/routes/itinerary.test.ts).
const SLUG = uniqueSlug('lee-jae-myung-china-2026')
const ZHAO_MEETING = 'Meeting with Zhao Leji, chairman of the NPC Standing Committee'

/** A word no other test writes: letters and digits only, so search sees it as one word. */
const uniqueWord = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`

interface EngagementBody { id: string, title: string, version: number, participants: Array<{ name: string }> }
interface Page { data: EngagementBody[], nextCursor: string | null }

async function search (http: Http, query: Record<string, string | number>, headers: Record<string, string> = {}): Promise<Page> {
  const response = await http.get('/v1/engagements').set(headers).query(query).expect(200)
  return response.body as Page
}

const titles = (page: Page) => page.data.map((item) => item.title)
const ids = (page: Page) => page.data.map((item) => item.id)

/** Every id of a query, page by page; fails on a page that repeats an id. */
async function allPages (http: Http, query: Record<string, string | number>): Promise<string[]> {
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: Page = await search(http, { ...query, ...(cursor === null ? {} : { cursor }) })
    for (const id of ids(page)) assert.ok(!seen.includes(id), `id ${id} comes twice`)
    seen.push(...ids(page))
    cursor = page.nextCursor
  } while (cursor !== null)
  return seen
}

describe('full-text search of engagements (GET /v1/engagements?q=)', () => {
  const server = useTestApp()
  const tag = uniqueWord('tag')
  let visit: { id: string, slug: string }
  let legId: string

  before(async () => {
    await loadDemoVisit(server.app.prisma, SLUG)
    visit = await createVisit(server.http)
    legId = (await createLeg(server.http, visit.id)).id
  })

  const add = (title: string, body: Record<string, unknown> = {}) => createEngagement(server.http, visit.id, {
    title, legId, time: { precision: 'date', localDate: '2026-01-05' }, ...body
  }) as unknown as Promise<EngagementBody>

  describe('the demo visit', () => {
    it('q=zhao leji finds the meeting with Zhao Leji and nothing else', async () => {
      assert.deepEqual(titles(await search(server.http, { q: 'zhao leji', visit: SLUG })), [ZHAO_MEETING])
      // Across all visits, whatever other tests wrote: only engagements with Zhao Leji.
      const everywhere = await search(server.http, { q: 'zhao leji', limit: 200 })
      assert.ok(everywhere.data.some((item) => item.title === ZHAO_MEETING))
      for (const item of everywhere.data) {
        assert.ok(item.participants.some((person) => person.name === 'Zhao Leji') || /zhao leji/i.test(item.title), item.title)
      }
    })

    it('ignores case and finds words as they are typed, and by their translations', async () => {
      for (const q of ['ZHAO', 'zhao le', 'Zhào Lè', 'leji zh', '赵乐际', '乐际', '자오러지']) {
        assert.deepEqual(titles(await search(server.http, { q, visit: SLUG })), [ZHAO_MEETING], q)
      }
      for (const q of ['xi jin', '习近平', '시진핑', '与习近平主席会谈']) {
        assert.deepEqual(titles(await search(server.http, { q, visit: SLUG })), ['Summit with President Xi Jinping'], q)
      }
      assert.deepEqual(titles(await search(server.http, { q: 'li qiang', visit: SLUG })), ['Talks with Premier Li Qiang', 'Luncheon with Premier Li Qiang'])
    })

    it('combines q with kind, date, tz, city and participant', async () => {
      const q = 'li qiang'
      assert.deepEqual(titles(await search(server.http, { q, visit: SLUG, kind: 'meal' })), ['Luncheon with Premier Li Qiang'])
      // Korea in the title and in the venue's name comes before Korea in the title only.
      assert.deepEqual(titles(await search(server.http, { q: 'korea', visit: SLUG, date: '2026-01-07' })), [
        'Visit to the site of the Provisional Government of the Republic of Korea', 'Korea-China venture and startup event'
      ])
      // 6 January in Beijing begins on 5 January at 16:00 in London: the talks (all day) overlap
      // 5 January there, the luncheon (midday) does not.
      assert.deepEqual(titles(await search(server.http, { q, visit: SLUG, date: '2026-01-05', tz: 'Europe/London' })), ['Talks with Premier Li Qiang'])
      assert.deepEqual(titles(await search(server.http, { q: 'korea', visit: SLUG, city: 'shanghai' })), [
        'Visit to the site of the Provisional Government of the Republic of Korea', 'Korea-China venture and startup event'
      ])
      assert.deepEqual(titles(await search(server.http, { q: 'premier', visit: SLUG, participant: 'Li Qiang', status: 'scheduled' })), [
        'Talks with Premier Li Qiang', 'Luncheon with Premier Li Qiang'
      ])
      assert.deepEqual(titles(await search(server.http, { q, visit: SLUG, kind: 'summit' })), [])
    })
  })

  it('finds places and descriptions with or without accents, in either direction', async () => {
    const palace = await add(`Reception ${tag}`, { venue: { name: 'Palácio dos Bandeirantes', city: 'São Paulo', country: 'BR' } })
    const coffee = await add(`Coffee ${tag}`, { description: 'Talks on exports from Sao Paulo state.' })
    for (const q of ['sao paulo', 'SÃO PAULO', 'são paul', 'Sao-Paulo']) {
      assert.deepEqual(ids(await search(server.http, { q, visit: visit.id })), [palace.id, coffee.id], q)
    }
    assert.deepEqual(ids(await search(server.http, { q: `palacio ${tag}`, visit: visit.id })), [palace.id])
  })

  it('ranks a word in the title before one in a place, before one in the description; ties in chronological order', async () => {
    const word = uniqueWord('rank')
    const inDescription = await add(`Early ${tag}`, { description: `About ${word}.`, time: { precision: 'date', localDate: '2026-01-04' } })
    const inVenue = await add(`Middle ${tag}`, { venue: { name: `${word} Hall`, city: 'Beijing', country: 'CN' } })
    const inTitleLater = await add(`${word} dinner`, { time: { precision: 'date', localDate: '2026-01-06' } })
    const inTitle = await add(`${word} talks`, { time: { precision: 'date', localDate: '2026-01-05' } })
    const asPerson = await add(`Courtesy call ${tag}`, { participants: [{ name: `Envoy ${word}`, role: 'guest' }], time: { precision: 'date', localDate: '2026-01-06' } })
    assert.deepEqual(ids(await search(server.http, { q: word })), [inTitle.id, inTitleLater.id, asPerson.id, inVenue.id, inDescription.id])
    // Without q, the same visit in chronological order.
    const chronological = await search(server.http, { visit: visit.id, limit: 200 })
    const starts = chronological.data.map((item) => (item as unknown as { time: { startsAt: string } }).time.startsAt)
    assert.deepEqual(starts, [...starts].sort())
  })

  it('pages through ranked results without duplicates or gaps, ties included', async () => {
    const word = uniqueWord('page')
    const days = ['2026-01-04', '2026-01-05', '2026-01-06']
    for (const [index, day] of [...days, ...days, ...days].entries()) {
      await add(index % 3 === 0 ? `${word} ${index}` : `Item ${index} ${tag}`, {
        time: { precision: 'date', localDate: day },
        ...(index % 3 === 0 ? {} : { description: `${word} `.repeat(index % 3) })
      })
    }
    const whole = ids(await search(server.http, { q: word, limit: 200 }))
    assert.equal(whole.length, 9)
    for (const limit of [1, 2, 4]) assert.deepEqual(await allPages(server.http, { q: word, limit }), whole, `limit ${limit}`)
  })

  describe('when the other filters pass more engagements than are ranked among at once', () => {
    const bulkWord = uniqueWord('bulk')
    const rareWord = uniqueWord('rare')
    let crowded: { id: string, slug: string }
    let elsewhere: { id: string }
    let expected: string[]

    before(async () => {
      crowded = await createVisit(server.http, { title: 'Crowded visit' })
      elsewhere = await createVisit(server.http, { title: 'Elsewhere' })
      const row = (visitId: string, index: number, title: string, description: string | null) => ({
        visitId, title, description, kind: 'meeting' as const, status: 'scheduled' as const, precision: 'exact' as const,
        startsAt: new Date(Date.UTC(2198, 5, 1) + index * 60_000), timeZone: 'UTC', localDate: new Date(Date.UTC(2198, 5, 1))
      })
      const prisma = server.app.prisma
      await prisma.engagement.createMany({
        data: Array.from({ length: 1100 }, (_, index) => row(crowded.id, index, `Handshake ${bulkWord} ${index}`, index % 50 === 0 ? `With ${rareWord}.` : null))
      })
      // Better matches, in another visit: the first ones in rank order, all refused by visit=.
      await prisma.engagement.createMany({ data: Array.from({ length: 30 }, (_, index) => row(elsewhere.id, index, `${bulkWord} ${rareWord}`, null)) })
      await prisma.$transaction(async (tx) => writeSearchDocuments(tx, { visitId: { in: [crowded.id, elsewhere.id] } }), { timeout: 60_000 })
      const rare = await prisma.engagement.findMany({ where: { visitId: crowded.id, description: { not: null } }, orderBy: { startsAt: 'asc' }, select: { id: true } })
      expected = rare.map((item) => item.id)
    })

    after(async () => {
      await server.app.prisma.engagement.deleteMany({ where: { visitId: { in: [crowded.id, elsewhere.id] } } })
    })

    it('reads the matches best first and keeps those that pass, page after page', async () => {
      assert.equal(expected.length, 22)
      assert.deepEqual(await allPages(server.http, { q: `${bulkWord} ${rareWord}`, visit: crowded.slug, limit: 5 }), expected)
      const first = await search(server.http, { q: bulkWord, visit: crowded.slug, limit: 3 })
      assert.deepEqual(first.data.map((item) => item.title), [0, 1, 2].map((index) => `Handshake ${bulkWord} ${index}`))
    })
  })

  it('answers tsquery metacharacters with results or a 400 naming q, never a 500', async () => {
    for (const q of ['&|!():*\'\\', '!', '\'', '\\', ':*', '<->', '()', '*', '   ']) {
      const response = await server.http.get('/v1/engagements').query({ q }).expect(400)
      assert.equal(response.body.errors[0].path, '/query/q', q)
      assert.match(response.body.detail, /no letter or digit/)
    }
    for (const q of ['zhao & leji', 'zhao | leji', '!zhao', 'zhao:*', '(zhao) leji\'', 'zhao\\ leji', 'zhao <-> leji', 'zhao:A leji:*B', `'${tag}'`]) {
      await server.http.get('/v1/engagements').query({ q, visit: SLUG }).expect(200)
    }
    assert.deepEqual(titles(await search(server.http, { q: '(zhao) & !leji:*', visit: SLUG })), [ZHAO_MEETING])
  })

  it('refuses a cursor of another ordering', async () => {
    const chronological = await search(server.http, { visit: SLUG, limit: 1 })
    assert.ok(chronological.nextCursor !== null)
    const response = await server.http.get('/v1/engagements').query({ q: 'korea', cursor: chronological.nextCursor }).expect(400)
    assert.equal(response.body.errors[0].path, '/query/cursor')
    const ranked = await search(server.http, { q: 'korea', visit: SLUG, limit: 1 })
    assert.ok(ranked.nextCursor !== null)
    await server.http.get('/v1/engagements').query({ visit: SLUG, cursor: ranked.nextCursor }).expect(400)
  })

  it('leaves out embargoed engagements for readers without read:embargoed', async () => {
    const word = uniqueWord('secret')
    const open = await add(`${word} open`)
    const hidden = await add(`${word} hidden`, { embargoUntil: '2100-01-01T00:00:00Z' })
    assert.deepEqual(ids(await search(server.http, { q: word })), [open.id])
    assert.deepEqual(ids(await search(server.http, { q: `${word} hid` })), [])
    assert.deepEqual(new Set(ids(await search(server.http, { q: word }, authorised))), new Set([open.id, hidden.id]))
  })

  it('finds earlier engagements by the translations a later one gives a person or a venue', async () => {
    const person = `Envoy ${uniqueWord('p')}`
    const hall = `Hall ${uniqueWord('v')}`
    const venue = { name: hall, city: 'Beijing', country: 'CN' }
    const earlier = await add(`Earlier ${tag}`, { participants: [{ name: person, role: 'guest' }], venue })
    const personWord = `${uniqueWord('인물')}`
    const hallWord = `${uniqueWord('大厅')}`
    const later = await add(`Later ${tag}`, {
      participants: [{ name: person, role: 'guest', nameTranslations: { ko: personWord } }],
      venue: { ...venue, nameTranslations: { zh: hallWord } }
    })
    assert.deepEqual(new Set(ids(await search(server.http, { q: personWord }))), new Set([earlier.id, later.id]))
    assert.deepEqual(new Set(ids(await search(server.http, { q: hallWord }))), new Set([earlier.id, later.id]))
  })

  it('follows changes: a patched title is found by its new words only', async () => {
    const old = uniqueWord('old')
    const changed = await add(`${old} briefing`)
    const word = uniqueWord('new')
    await server.http.patch(`/v1/engagements/${changed.id}`).set(authorised).set(ifMatch(changed.version))
      .send({ title: `${word} briefing`, participants: [{ name: `Spokesperson ${word}`, role: 'host' }] }).expect(200)
    assert.deepEqual(ids(await search(server.http, { q: old })), [])
    assert.deepEqual(ids(await search(server.http, { q: `${word} spokes` })), [changed.id])
  })
})

import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createEngagement, createLeg, createVisit, useTestApp } from '../helper.js'

interface EngagementBody { id: string, title: string, viewer?: { timeZone: string } }
interface NowAndNextBody { at: string, current: EngagementBody[], next: EngagementBody | null }

describe('what now, what next', () => {
  const server = useTestApp()

  const nowAndNext = async (visit: string, query: Record<string, string> = {}) =>
    (await server.http.get(`/v1/visits/${visit}/next`).query(query).expect(200)).body as NowAndNextBody
  const titlesOf = (engagements: EngagementBody[]) => engagements.map((engagement) => engagement.title)
  const listedAt = async (query: Record<string, string>) =>
    titlesOf((await server.http.get('/v1/engagements').query(query).expect(200)).body.data)

  describe('a day in Beijing', () => {
    let visit: { id: string, slug: string }

    before(async () => {
      visit = await createVisit(server.http)
      const leg = await createLeg(server.http, visit.id)
      const add = (title: string, kind: string, time: Record<string, string>) => createEngagement(server.http, visit.id, { title, kind, legId: leg.id, time })
      // In UTC: A 02:00-03:00, C 04:00-10:00, B 06:00 (no end), D from 16:00 to 16:00 the next day.
      await add('A: talks at ten', 'talks', { precision: 'exact', localStart: '2026-01-05T10:00', localEnd: '2026-01-05T11:00' })
      await add('B: press at two, end unknown', 'press', { precision: 'exact', localStart: '2026-01-05T14:00' })
      await add('C: visit in the afternoon', 'site_visit', { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' })
      await add('D: forum all day', 'forum', { precision: 'date', localDate: '2026-01-06' })
    })

    const cases: Array<[what: string, at: string, current: string[], next: string | null]> = [
      ['before everything', '2026-01-05T01:00:00Z', [], 'A: talks at ten'],
      ['during A', '2026-01-05T02:30:00Z', ['A: talks at ten'], 'C: visit in the afternoon'],
      ['at the end of A, which is not part of it', '2026-01-05T03:00:00Z', [], 'C: visit in the afternoon'],
      ['between A and C', '2026-01-05T03:30:00Z', [], 'C: visit in the afternoon'],
      ['at the start of B, an engagement without an end', '2026-01-05T06:00:00Z', ['C: visit in the afternoon', 'B: press at two, end unknown'], 'D: forum all day'],
      ['a millisecond later: B is no longer said to go on', '2026-01-05T06:00:00.001Z', ['C: visit in the afternoon'], 'D: forum all day'],
      ['on the last local day', '2026-01-06T15:59:59.999Z', ['D: forum all day'], null],
      ['after everything', '2026-01-06T16:00:00Z', [], null]
    ]
    for (const [what, at, current, next] of cases) {
      it(`${what} (${at})`, async () => {
        const body = await nowAndNext(visit.slug, { at })
        assert.equal(body.at, new Date(at).toISOString())
        assert.deepEqual(titlesOf(body.current), current)
        assert.equal(body.next?.title ?? null, next)
        assert.deepEqual(await listedAt({ visit: visit.id, at }), current, 'GET /v1/engagements?at= agrees')
      })
    }

    it('combines at= with the other filters of the list, and gives viewer times', async () => {
      const at = '2026-01-05T06:00:00Z'
      assert.deepEqual(await listedAt({ visit: visit.id, at, kind: 'press' }), ['B: press at two, end unknown'])
      assert.deepEqual(await listedAt({ visit: visit.id, at, q: 'afternoon' }), ['C: visit in the afternoon'])
      assert.deepEqual(await listedAt({ visit: visit.id, at, from: '2026-01-05T07:00:00Z' }), ['C: visit in the afternoon'])
      assert.deepEqual(await listedAt({ visit: visit.id, at, date: '2026-01-06' }), [])
      const body = await nowAndNext(visit.id, { at, tz: 'America/New_York' })
      assert.ok([...body.current, body.next].every((engagement) => engagement?.viewer?.timeZone === 'America/New_York'))
    })

    it('asks about now by default', async () => {
      const future = await createVisit(server.http)
      await createEngagement(server.http, future.id, { title: 'Far ahead', time: { precision: 'date', localDate: '2199-01-01', timeZone: 'Asia/Seoul' } })
      const asked = Date.now()
      const body = await nowAndNext(future.slug)
      assert.ok(Math.abs(Date.parse(body.at) - asked) < 60_000)
      assert.deepEqual(body.current, [])
      assert.equal(body.next?.title, 'Far ahead')
    })

    it('answers 404 for an unknown visit and 400 for an instant that is not one', async () => {
      const missing = await server.http.get('/v1/visits/no-such-visit-anywhere/next').expect(404)
      assert.equal(missing.body.status, 404)
      const invalid = await server.http.get(`/v1/visits/${visit.slug}/next`).query({ at: '2026-01-05T25:00:00Z' }).expect(400)
      assert.equal(invalid.body.errors[0].path, '/query/at')
      await server.http.get('/v1/engagements').query({ at: 'now' }).expect(400)
    })
  })

  it('never gives as next an engagement whose time is not announced, though it may be going on', async () => {
    const visit = await createVisit(server.http)
    const leg = await createLeg(server.http, visit.id)
    await createEngagement(server.http, visit.id, { title: 'Some day: courtesy call', legId: leg.id, time: { precision: 'tbd', localDate: '2026-01-05' } })
    await createEngagement(server.http, visit.id, { title: 'Banquet', legId: leg.id, time: { precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'evening' } })
    const beforehand = await nowAndNext(visit.slug, { at: '2026-01-04T12:00:00Z' })
    assert.deepEqual(titlesOf(beforehand.current), [])
    assert.equal(beforehand.next?.title, 'Banquet')
    const thatDay = await nowAndNext(visit.slug, { at: '2026-01-05T08:00:00Z' })
    assert.deepEqual(titlesOf(thatDay.current), ['Some day: courtesy call'])
  })

  it('follows the clock across daylight-saving changes', async () => {
    const visit = await createVisit(server.http, { homeTimeZone: 'America/New_York' })
    const add = (title: string, time: Record<string, string>) => createEngagement(server.http, visit.id, { title, time: { timeZone: 'America/New_York', ...time } })
    // Clocks jump from 02:00 to 03:00 on 8 March: 01:00 EST to 03:30 EDT is an hour and a half.
    await add('Spring breakfast', { precision: 'exact', localStart: '2026-03-08T01:00', localEnd: '2026-03-08T03:30' })
    await add('Spring day', { precision: 'date', localDate: '2026-03-08' })
    // Clocks fall back from 02:00 to 01:00 on 1 November: a day of 25 hours.
    await add('Autumn day', { precision: 'date', localDate: '2026-11-01' })
    const cases: Array<[at: string, current: string[], next: string | null]> = [
      ['2026-03-08T04:59:59Z', [], 'Spring day'],
      ['2026-03-08T06:59:59Z', ['Spring day', 'Spring breakfast'], 'Autumn day'], // 01:59:59 EST
      ['2026-03-08T07:00:00Z', ['Spring day', 'Spring breakfast'], 'Autumn day'], // 03:00 EDT
      ['2026-03-08T07:30:00Z', ['Spring day'], 'Autumn day'], // 03:30 EDT: breakfast is over
      ['2026-03-09T03:59:59Z', ['Spring day'], 'Autumn day'], // 23:59:59 EDT, the 23rd hour
      ['2026-03-09T04:00:00Z', [], 'Autumn day'],
      ['2026-11-02T04:30:00Z', ['Autumn day'], null], // 23:30 EST, the 25th hour
      ['2026-11-02T05:00:00Z', [], null]
    ]
    for (const [at, current, next] of cases) {
      const body = await nowAndNext(visit.slug, { at, tz: 'Europe/London' })
      assert.deepEqual(titlesOf(body.current), current, at)
      assert.equal(body.next?.title ?? null, next, at)
    }
  })
})

import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { TIME_WINDOW_EXAMPLE } from '../../src/schemas/time.js'
import { buildTestApp, uniqueSlug, useTestApp } from '../helper.js'

// The demo visit under a slug of this file's own: other tests (the fuzzer) may create or delete
// a visit with the demo's real slug.
const SLUG = uniqueSlug('lee-jae-myung-china-2026')

interface EngagementBody {
  title: string
  legId: string | null
  time: Record<string, string | null>
  viewer?: Record<string, string | null>
  participants: Array<{ name: string, role: string }>
}

describe('the demo visit', () => {
  const server = useTestApp()

  before(async () => {
    await loadDemoVisit(server.app.prisma, SLUG)
  })

  it('loading it again changes nothing', async (t) => {
    const { app } = await buildTestApp(t)
    assert.equal(await loadDemoVisit(app.prisma, SLUG), 'already-present')
    assert.equal(await app.prisma.visit.count({ where: { slug: SLUG } }), 1)
  })

  it('has every engagement of the article, in order, grouped by leg and local day, with New York times', async () => {
    const response = await server.http.get(`/v1/visits/${SLUG}/itinerary`).query({ tz: 'America/New_York' }).expect(200)
    const itinerary = response.body as {
      visit: { slug: string, principal: { name: string } }
      viewerTimeZone: string
      legs: Array<{ leg: { city: string, sequence: number }, days: Array<{ localDate: string, engagements: EngagementBody[] }> }>
      unassigned: unknown[]
    }
    assert.equal(itinerary.visit.slug, SLUG)
    assert.equal(itinerary.viewerTimeZone, 'America/New_York')
    assert.deepEqual(itinerary.unassigned, [])
    assert.deepEqual(itinerary.legs.map((entry) => entry.leg.city), ['Beijing', 'Shanghai', 'Seoul'])

    const days = itinerary.legs.map((entry) => entry.days.map((day) => [day.localDate, day.engagements.map((e) => e.title)]))
    assert.deepEqual(days, [
      [
        ['2026-01-04', ['Meeting with Koreans living in China', 'Arrival at Beijing Capital International Airport']],
        ['2026-01-05', ['Korea-China business forum', 'Meeting with Zhao Leji, chairman of the NPC Standing Committee', 'Summit with President Xi Jinping']],
        ['2026-01-06', ['Talks with Premier Li Qiang', 'Luncheon with Premier Li Qiang']]
      ],
      [
        ['2026-01-06', ['Dinner with Shanghai Party Secretary Chen Jining']],
        ['2026-01-07', ['Korea-China venture and startup event', 'Visit to the site of the Provisional Government of the Republic of Korea']]
      ],
      [
        ['2026-01-07', ['Return to Seoul']]
      ]
    ])

    const all = itinerary.legs.flatMap((entry) => entry.days.flatMap((day) => day.engagements))
    const byTitle = new Map(all.map((engagement) => [engagement.title, engagement]))

    const summit = byTitle.get('Summit with President Xi Jinping')
    // The OpenAPI document's example of a time window is this engagement's.
    assert.deepEqual(summit?.time, TIME_WINDOW_EXAMPLE)
    assert.deepEqual(summit?.viewer, {
      timeZone: 'America/New_York',
      localStart: '2026-01-04T23:00:00-05:00',
      localEnd: '2026-01-05T05:00:00-05:00',
      localDate: '2026-01-04',
      zonedStart: '2026-01-04T23:00:00-05:00[America/New_York]',
      zonedEnd: '2026-01-05T05:00:00-05:00[America/New_York]'
    })
    assert.ok(summit?.participants.some((p) => p.name === 'Xi Jinping' && p.role === 'counterpart'))

    const arrival = byTitle.get('Arrival at Beijing Capital International Airport')
    assert.equal(arrival?.viewer?.localStart, '2026-01-03T23:00:00-05:00')
    assert.ok(arrival?.participants.some((p) => p.name === 'Yin Hejun' && p.role === 'greeter'))

    const luncheon = byTitle.get('Luncheon with Premier Li Qiang')
    assert.equal(luncheon?.time.startsAt, '2026-01-06T03:00:00.000Z')
    assert.equal(luncheon?.time.endsAt, '2026-01-06T06:00:00.000Z')

    const dinner = byTitle.get('Dinner with Shanghai Party Secretary Chen Jining')
    assert.equal(dinner?.time.localStart, '2026-01-06T18:00:00+08:00')
    assert.equal(dinner?.time.localEnd, '2026-01-07T00:00:00+08:00')

    const home = byTitle.get('Return to Seoul')
    assert.deepEqual(home?.time, {
      timeZone: 'Asia/Seoul',
      precision: 'date',
      partOfDay: null,
      startsAt: '2026-01-06T15:00:00.000Z',
      endsAt: '2026-01-07T15:00:00.000Z',
      localStart: '2026-01-07T00:00:00+09:00',
      localEnd: '2026-01-08T00:00:00+09:00',
      localDate: '2026-01-07',
      zonedStart: '2026-01-07T00:00:00+09:00[Asia/Seoul]',
      zonedEnd: '2026-01-08T00:00:00+09:00[Asia/Seoul]',
      label: 'Wednesday 7 January 2026'
    })
    assert.equal(all.length, 11)
  })

  it('spells ?tz= the tz database\'s way wherever it names the reader\'s zone, however it was sent', async () => {
    const response = await server.http.get(`/v1/visits/${SLUG}/itinerary`).query({ tz: 'america/NEW_york' }).expect(200)
    assert.equal(response.body.viewerTimeZone, 'America/New_York')
    const engagements = response.body.legs.flatMap((entry: { days: Array<{ engagements: EngagementBody[] }> }) =>
      entry.days.flatMap((day) => day.engagements))
    assert.ok(engagements.length > 0)
    for (const engagement of engagements) assert.equal(engagement.viewer?.timeZone, 'America/New_York')
    const list = await server.http.get('/v1/engagements').query({ visit: SLUG, tz: 'asia/seoul', limit: 5 }).expect(200)
    assert.ok(list.body.data.length > 0)
    for (const engagement of list.body.data) assert.equal(engagement.viewer.timeZone, 'Asia/Seoul')
  })

  it('has no viewer times without ?tz', async () => {
    const response = await server.http.get(`/v1/visits/${SLUG}/itinerary`).expect(200)
    assert.equal(response.body.viewerTimeZone, null)
    const first = response.body.legs[0].days[0].engagements[0]
    assert.equal(first.viewer, undefined)
  })

  const titlesOn = async (query: Record<string, string>) => {
    const response = await server.http.get('/v1/engagements').query({ visit: SLUG, ...query }).expect(200)
    return (response.body.data as EngagementBody[]).map((engagement) => engagement.title)
  }

  it('answers "what is on 5 January" in the local time of each event', async () => {
    assert.deepEqual(await titlesOn({ date: '2026-01-05' }), [
      'Korea-China business forum',
      'Meeting with Zhao Leji, chairman of the NPC Standing Committee',
      'Summit with President Xi Jinping'
    ])
  })

  it('answers "what is on 5 January" differently in Seoul and in Los Angeles', async () => {
    assert.deepEqual(await titlesOn({ date: '2026-01-05', tz: 'Asia/Seoul' }), [
      'Meeting with Koreans living in China',
      'Korea-China business forum',
      'Meeting with Zhao Leji, chairman of the NPC Standing Committee',
      'Summit with President Xi Jinping'
    ])
    assert.deepEqual(await titlesOn({ date: '2026-01-05', tz: 'America/Los_Angeles' }), [
      'Korea-China business forum',
      'Meeting with Zhao Leji, chairman of the NPC Standing Committee',
      'Summit with President Xi Jinping',
      'Talks with Premier Li Qiang',
      'Luncheon with Premier Li Qiang'
    ])
  })

  it('finds every engagement with Xi Jinping, whatever the spelling', async () => {
    assert.deepEqual(await titlesOn({ participant: 'xi  JINPING' }), ['Summit with President Xi Jinping'])
    assert.deepEqual(await titlesOn({ participant: 'Li Qiang' }), ['Talks with Premier Li Qiang', 'Luncheon with Premier Li Qiang'])
  })

  it('filters by city of the venue or leg, kind and status', async () => {
    assert.deepEqual(await titlesOn({ city: 'shanghai' }), [
      'Dinner with Shanghai Party Secretary Chen Jining',
      'Korea-China venture and startup event',
      'Visit to the site of the Provisional Government of the Republic of Korea'
    ])
    assert.deepEqual(await titlesOn({ country: 'KR' }), ['Return to Seoul'])
    assert.deepEqual(await titlesOn({ kind: 'summit,talks' }), ['Summit with President Xi Jinping', 'Talks with Premier Li Qiang'])
    assert.deepEqual(await titlesOn({ status: 'completed' }), ['Meeting with Koreans living in China', 'Arrival at Beijing Capital International Airport'])
  })
})

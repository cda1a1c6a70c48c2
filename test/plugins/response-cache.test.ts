// Reads kept in memory and revalidated by the content state (src/plugins/http-caching.ts) must
// never answer with a body, or a 304, that a fresh rendering would not give. Two apps share one
// database: `cached` as in production, and `reference`, which keeps nothing and renders every
// read. After every kind of write, each read of the cached app must agree with the reference.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { Response } from 'supertest'
import { authorised, buildTestApp, cleanupList, createEngagement, createLeg, createVisit, ifMatch, type Http } from '../helper.js'

const EMBARGO_READER = { Authorization: 'Bearer cache-embargo-reader' }
// The calendar feeds link to engagements by absolute URL: both apps must be asked for the same host.
const HOST = { Host: 'itinerary.test' }
const readers = [{ who: 'the public', headers: {} }, { who: 'read:embargoed', headers: EMBARGO_READER }]
const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`

interface Engagement { id: string, version: number, venue: { address: string | null } | null }

describe('the response cache', () => {
  const cleanups = cleanupList()
  let cached: Http
  let reference: Http
  let statements = 0
  // What each read last answered, by reader and path: the tag a poller would revalidate with.
  const lastTags = new Map<string, string>()
  let reads: string[]
  let visitId: string
  let legId: string
  let engagement: Engagement
  let otherVisitEngagement: Engagement
  let participantId: string
  const venue = { name: unique('Great Hall'), city: 'Beijing', country: 'CN' }
  const person = unique('Zhao Leji')

  before(async () => {
    // No publication job: an embargo must show by itself, at its instant, with no write.
    const options = {
      publicationIntervalMs: 0,
      extraTokens: new Map([['cache-embargo-reader', { secret: 'cache-embargo-reader', scopes: ['read:embargoed' as const] }]])
    }
    cached = (await buildTestApp(cleanups, { ...options, onDatabaseQuery: () => { statements++ } })).http
    reference = (await buildTestApp(cleanups, { ...options, responseCacheMaxBytes: 0 })).http
    visitId = (await createVisit(cached)).id
    legId = (await createLeg(cached, visitId)).id
    const shared = { venue, participants: [{ name: person, role: 'counterpart' }] }
    engagement = await createEngagement(cached, visitId, { legId, kind: 'talks', time: { precision: 'exact', localStart: '2026-01-05T10:00' }, ...shared }) as unknown as Engagement
    const otherVisit = (await createVisit(cached)).id
    otherVisitEngagement = await createEngagement(cached, otherVisit, { time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }, ...shared }) as unknown as Engagement
    participantId = (await cached.get(`/v1/engagements/${engagement.id}`).expect(200)).body.participants[0].participantId
    reads = [
      `/v1/visits/${visitId}/itinerary`,
      `/v1/visits/${visitId}/itinerary?tz=America/New_York`,
      `/v1/visits/${visitId}/itinerary?tz=america/new_york&lang=fr`,
      `/v1/visits/${visitId}`,
      `/v1/visits?limit=50`,
      `/v1/legs/${legId}`,
      `/v1/engagements/${engagement.id}`,
      `/v1/engagements?visit=${visitId}`,
      `/v1/engagements?participant=${encodeURIComponent(person)}`,
      `/v1/participants/${participantId}`,
      `/v1/participants/${participantId}/engagements`,
      `/v1/participants?limit=100`,
      `/v1/visits/${visitId}/calendar.ics`,
      `/v1/engagements.ics?visit=${visitId}`,
      `/v1/visits/${visitId}/next?at=2026-01-05T02:30:00Z`
    ]
  })
  after(() => cleanups.run())

  const tagOf = (response: Response) => {
    assert.ok(response.headers.etag, 'the response has an ETag')
    return response.headers.etag
  }

  /**
   * Every read, by every reader, twice on the cached app: revalidating with the tag it last
   * gave, then plainly. Both must say what the reference renders now. Returns how many
   * revalidations were answered 304.
   */
  async function everyReadAgrees (when: string): Promise<number> {
    let notModified = 0
    for (const path of reads) {
      for (const reader of readers) {
        const fresh = await reference.get(path).set({ ...HOST, ...reader.headers }).expect(200)
        const key = `${reader.who} ${path}`
        const previous = lastTags.get(key)
        if (previous !== undefined) {
          const revalidated = await cached.get(path).set({ ...HOST, ...reader.headers, 'If-None-Match': previous })
          if (revalidated.status === 304) {
            notModified++
            assert.equal(tagOf(fresh), previous, `${when}: ${key} answered 304 to a tag that is no longer current`)
          } else {
            assert.equal(revalidated.status, 200, `${when}: ${key}`)
            assert.equal(revalidated.text, fresh.text, `${when}: ${key} revalidated to a stale body`)
          }
        }
        const plain = await cached.get(path).set({ ...HOST, ...reader.headers }).expect(200)
        assert.equal(plain.text, fresh.text, `${when}: ${key} served a stale body`)
        assert.equal(tagOf(plain), tagOf(fresh), `${when}: ${key}`)
        lastTags.set(key, tagOf(plain))
      }
    }
    return notModified
  }

  async function current (path: string) {
    return (await cached.get(path).set(HOST).expect(200))
  }

  it('serves a repeated read and its revalidation from memory, with one statement each', async () => {
    const path = `/v1/visits/${visitId}/itinerary?tz=Asia/Seoul`
    const first = await current(path)
    statements = 0
    const again = await current(path)
    assert.equal(again.text, first.text)
    assert.equal(statements, 1, 'only the content state is read')
    statements = 0
    await cached.get(path).set({ ...HOST, 'If-None-Match': tagOf(first) }).expect(304)
    assert.equal(statements, 1)
  })

  it('agrees with a fresh rendering after every kind of write', async () => {
    await everyReadAgrees('at first')
    const writes: Array<[string, () => Promise<unknown>]> = [
      ['a visit renamed', async () => cached.patch(`/v1/visits/${visitId}`).set(authorised).set(ifMatch(1)).send({ title: 'Renamed visit' }).expect(200)],
      ['a leg added', async () => createLeg(cached, visitId, { city: 'Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' })],
      ['a leg changed', async () => cached.patch(`/v1/legs/${legId}`).set(authorised).set(ifMatch(1)).send({ city: 'Tianjin' }).expect(200)],
      ['an engagement added', async () => createEngagement(cached, visitId, { legId, title: 'Banquet', time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'evening' } })],
      ['an engagement changed', async () => cached.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(1)).send({ title: 'Summit with Xi Jinping' }).expect(200)],
      ['the shared venue changed through another visit', async () => {
        await cached.patch(`/v1/engagements/${otherVisitEngagement.id}`).set(authorised).set(ifMatch(1))
          .send({ venue: { ...venue, address: '1 Tiananmen Square' } }).expect(200)
        const shown = (await current(`/v1/engagements/${engagement.id}`)).body as Engagement
        assert.equal(shown.venue?.address, '1 Tiananmen Square', 'the venue is shared, so this visit shows the new address')
      }],
      ['the shared person changed', async () => cached.patch(`/v1/participants/${participantId}`).set(authorised).set(ifMatch(1)).send({ country: 'CN' }).expect(200)],
      ['an engagement added under embargo', async () => createEngagement(cached, visitId, { legId, title: 'Secret talks', embargoUntil: '2100-01-01T00:00:00.000Z', time: { precision: 'date', localDate: '2026-01-05' } })],
      ['an engagement deleted', async () => {
        const added = (await current(`/v1/engagements?visit=${visitId}&q=Banquet`)).body.data[0] as Engagement
        await cached.delete(`/v1/engagements/${added.id}`).set(authorised).set(ifMatch(added.version)).expect(204)
      }],
      ['a visit deleted', async () => {
        const doomed = await createVisit(cached)
        await everyReadAgrees('before the delete')
        await cached.delete(`/v1/visits/${doomed.id}`).set(authorised).set(ifMatch(1)).expect(204)
      }]
    ]
    for (const [write, run] of writes) {
      await run()
      await everyReadAgrees(`after ${write}`)
    }
  })

  it('shows an engagement whose embargo ends, without any write, at its instant', async () => {
    const embargoUntil = new Date(Date.now() + 1500).toISOString()
    const hidden = await createEngagement(cached, visitId, { legId, title: 'Announced at once', embargoUntil, time: { precision: 'date', localDate: '2026-01-06' } })
    await everyReadAgrees('under embargo')
    const itinerary = `/v1/visits/${visitId}/itinerary`
    assert.ok(!(await current(itinerary)).text.includes(hidden.id))
    await sleep(Date.parse(embargoUntil) - Date.now() + 50)
    assert.ok((await current(itinerary)).text.includes(hidden.id), 'the public sees it once the embargo has ended')
    await everyReadAgrees('after the embargo ended')
  })

  it('answers 304 to a public poller when only a hidden record changed', async () => {
    await everyReadAgrees('before')
    await createEngagement(cached, visitId, { legId, title: 'Hidden again', embargoUntil: '2100-01-01T00:00:00.000Z', time: { precision: 'date', localDate: '2026-01-06' } })
    const itinerary = `/v1/visits/${visitId}/itinerary`
    await cached.get(itinerary).set({ ...HOST, 'If-None-Match': lastTags.get(`the public ${itinerary}`) ?? '' }).expect(304)
    assert.ok(await everyReadAgrees('after a hidden write') > 0)
  })

  it('never keeps a body rendered while a write committed', async () => {
    const path = `/v1/engagements/${engagement.id}?tz=Europe/London`
    for (let round = 0; round < 20; round++) {
      const { version } = (await reference.get(path).expect(200)).body as Engagement
      const title = `Round ${round}`
      const polls = Array.from({ length: 8 }, async () => cached.get(path).set(HOST).expect(200))
      const write = cached.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(version)).send({ title }).expect(200)
      await Promise.all([...polls, write])
      const after = await current(path)
      assert.equal(after.body.title, title, `round ${round}: a read after the write's 200 shows it`)
    }
  })
})

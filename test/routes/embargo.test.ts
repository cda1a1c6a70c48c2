import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, describe, it } from 'node:test'
import { authorised, createEngagement, createLeg, createVisit, uniqueSlug, useTestApp } from '../helper.js'

const WRITER = { Authorization: 'Bearer writer-secret-1' }
const EMBARGO_READER = { Authorization: 'Bearer embargo-reader-1' }
const FAR_FUTURE = '2100-01-01T00:00:00.000Z'

// Who reads, and whether embargoed engagements exist for them.
const readers = [
  { who: 'an anonymous reader', headers: {}, seesEmbargoed: false },
  { who: 'a token with write only', headers: WRITER, seesEmbargoed: false },
  { who: 'a token with read:embargoed', headers: EMBARGO_READER, seesEmbargoed: true }
]

interface EngagementBody { id: string, title: string, version: number, embargoUntil: string | null, participants: Array<{ participantId: string }> }
interface ItineraryBody {
  legs: Array<{ days: Array<{ engagements: Array<{ id: string }> }> }>
  unassigned: Array<{ engagements: Array<{ id: string }> }>
}

// Every PATCH and DELETE names the version its client last saw.
function ifMatch (response: { headers: Record<string, string | undefined> }) {
  const etag = response.headers.etag
  assert.ok(etag !== undefined, 'the response has an ETag')
  return { 'If-Match': etag }
}

function itineraryIds (body: ItineraryBody): string[] {
  return [...body.legs.flatMap((leg) => leg.days), ...body.unassigned].flatMap((day) => day.engagements.map((item) => item.id))
}

describe('embargoed engagements', () => {
  const server = useTestApp({ extraTokens: new Map([
    ['writer', { secret: 'writer-secret-1', scopes: ['write'] }],
    ['embargo-reader', { secret: 'embargo-reader-1', scopes: ['read:embargoed'] }]
  ]) })
  const city = `Embargoville ${randomUUID().slice(0, 8)}`
  const envoy = `Envoy ${randomUUID().slice(0, 8)}`
  let visitId: string
  let visitSlug: string
  let open: EngagementBody
  let embargoed: EngagementBody
  let lifted: EngagementBody

  before(async () => {
    const visit = await createVisit(server.http)
    visitId = visit.id
    visitSlug = visit.slug
    const leg = await createLeg(server.http, visitId, { city })
    const at = (localStart: string, extra: Record<string, unknown> = {}) => createEngagement(server.http, visitId, {
      legId: leg.id,
      kind: 'talks',
      time: { precision: 'exact', localStart },
      participants: [{ name: envoy, role: 'counterpart' }],
      ...extra
    }) as unknown as Promise<EngagementBody>
    // The embargoed one sits between the others, so a page boundary can fall right on it.
    open = await at('2026-01-05T10:00', { title: 'Open talks' })
    embargoed = await at('2026-01-05T11:00', { title: 'Secret talks', embargoUntil: FAR_FUTURE })
    lifted = await at('2026-01-05T12:00', { title: 'Talks no longer secret', embargoUntil: '2020-01-01T00:00:00Z' })
  })

  const expectedIds = (seesEmbargoed: boolean) => seesEmbargoed ? [open.id, embargoed.id, lifted.id] : [open.id, lifted.id]

  it('keeps embargoUntil in the engagement, as an instant', () => {
    assert.equal(embargoed.embargoUntil, FAR_FUTURE)
    assert.equal(lifted.embargoUntil, '2020-01-01T00:00:00.000Z')
    assert.equal(open.embargoUntil, null)
  })

  for (const { who, headers, seesEmbargoed } of readers) {
    describe(`for ${who}`, () => {
      it(seesEmbargoed ? 'GET shows the embargoed engagement' : 'GET answers 404 exactly as for an engagement that does not exist', async () => {
        const response = await server.http.get(`/v1/engagements/${embargoed.id}`).set(headers)
        if (seesEmbargoed) {
          assert.equal(response.status, 200)
          assert.equal(response.body.title, 'Secret talks')
          assert.equal(response.body.embargoUntil, FAR_FUTURE)
          return
        }
        const missingId = randomUUID()
        const missing = await server.http.get(`/v1/engagements/${missingId}`).set(headers).expect(404)
        assert.equal(response.status, 404)
        assert.deepEqual(response.headers['content-type'], missing.headers['content-type'])
        assert.deepEqual(JSON.parse(JSON.stringify(response.body).replaceAll(embargoed.id, missingId)), missing.body)
        await server.http.get(`/v1/engagements/${embargoed.id}`).set(headers).query({ tz: 'Asia/Seoul' }).expect(404)
      })

      it('GET shows the engagements whose embargo has passed, and the others', async () => {
        for (const engagement of [open, lifted]) {
          const response = await server.http.get(`/v1/engagements/${engagement.id}`).set(headers).expect(200)
          assert.equal(response.body.id, engagement.id)
        }
      })

      it(`the list ${seesEmbargoed ? 'includes' : 'leaves out'} it under every filter`, async () => {
        const queries: Array<Record<string, string>> = [
          { visit: visitId },
          { visit: visitSlug, tz: 'America/New_York' },
          { participant: envoy },
          { participant: open.participants[0]!.participantId },
          { visit: visitId, date: '2026-01-05' },
          { visit: visitId, date: '2026-01-05', tz: 'Asia/Seoul' },
          { visit: visitId, date: '2026-01-04', tz: 'America/Los_Angeles' },
          { city },
          { city: city.toUpperCase(), country: 'CN' },
          { visit: visitId, kind: 'talks,meeting' },
          { visit: visitId, status: 'scheduled' },
          { visit: visitId, from: '2026-01-05T00:00:00Z', to: '2026-01-06T00:00:00Z' },
          { participant: envoy, city, kind: 'talks', date: '2026-01-05' }
        ]
        for (const query of queries) {
          const response = await server.http.get('/v1/engagements').set(headers).query(query).expect(200)
          assert.deepEqual(response.body.data.map((item: { id: string }) => item.id), expectedIds(seesEmbargoed), JSON.stringify(query))
        }
      })

      it('page by page, cursors never lead to it unless it may be seen', async () => {
        for (const query of [{ visit: visitId }, { participant: envoy, date: '2026-01-05', tz: 'Asia/Seoul' }]) {
          const seen: string[] = []
          let cursor: string | null = null
          do {
            const page: { body: { data: Array<{ id: string }>, nextCursor: string | null } } = await server.http.get('/v1/engagements')
              .set(headers).query({ ...query, limit: 1, ...(cursor === null ? {} : { cursor }) }).expect(200)
            assert.equal(page.body.data.length, 1, 'no empty page betrays a hidden row')
            seen.push(...page.body.data.map((item) => item.id))
            cursor = page.body.nextCursor
          } while (cursor !== null)
          assert.deepEqual(seen, expectedIds(seesEmbargoed))
        }
      })

      it(`the itinerary ${seesEmbargoed ? 'includes' : 'leaves out'} it`, async () => {
        for (const tz of [undefined, 'Pacific/Chatham']) {
          const response = await server.http.get(`/v1/visits/${visitSlug}/itinerary`).set(headers).query(tz === undefined ? {} : { tz }).expect(200)
          assert.deepEqual(itineraryIds(response.body), expectedIds(seesEmbargoed))
        }
      })
    })
  }

  it('a write-only token can neither change nor delete an embargoed engagement: 404, as if missing', async () => {
    const current = await server.http.get(`/v1/engagements/${embargoed.id}`).set(authorised).expect(200)
    const patched = await server.http.patch(`/v1/engagements/${embargoed.id}`).set(WRITER).set(ifMatch(current)).send({ title: 'Leaked' }).expect(404)
    assert.equal(patched.body.detail, `No engagement has the id "${embargoed.id}".`)
    await server.http.delete(`/v1/engagements/${embargoed.id}`).set(WRITER).set(ifMatch(current)).expect(404)
    const after = await server.http.get(`/v1/engagements/${embargoed.id}`).set(EMBARGO_READER).expect(200)
    assert.equal(after.body.title, 'Secret talks')
    assert.equal(after.body.version, current.body.version)
  })

  it('a write-only token may place an engagement under embargo, after which it cannot read it back', async () => {
    const created = await server.http.post(`/v1/visits/${visitId}/engagements`).set(WRITER).send({
      title: 'Handed in under embargo', kind: 'meeting', embargoUntil: FAR_FUTURE,
      time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-06' }
    }).expect(201)
    assert.equal(created.body.embargoUntil, FAR_FUTURE, 'the creator gets back what it sent')
    await server.http.get(`/v1/engagements/${created.body.id}`).set(WRITER).expect(404)
    await server.http.get(`/v1/engagements/${created.body.id}`).set(EMBARGO_READER).expect(200)
  })

  it('PATCH sets and clears an embargo', async () => {
    const engagement = await createEngagement(server.http, visitId, {
      title: 'Talks to embargo', time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-06' }
    })
    const seen = await server.http.get(`/v1/engagements/${engagement.id}`).expect(200)
    const embargoedNow = await server.http.patch(`/v1/engagements/${engagement.id}`).set(WRITER).set(ifMatch(seen))
      .send({ embargoUntil: '2100-06-01T12:00:00+02:00' }).expect(200)
    assert.equal(embargoedNow.body.embargoUntil, '2100-06-01T10:00:00.000Z')
    await server.http.get(`/v1/engagements/${engagement.id}`).expect(404)
    const cleared = await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(embargoedNow))
      .send({ embargoUntil: null }).expect(200)
    assert.equal(cleared.body.embargoUntil, null)
    await server.http.get(`/v1/engagements/${engagement.id}`).expect(200)
  })

  it('refuses an embargoUntil that is not an instant', async () => {
    const response = await server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({
      title: 'Talks', kind: 'talks', embargoUntil: '2100-01-01', time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-06' }
    }).expect(400)
    assert.equal(response.body.errors[0].path, '/body/embargoUntil')
  })
})

describe('an embargo that ends', () => {
  const server = useTestApp()

  it('lets the engagement appear by itself, in every read path, once the instant passes', async () => {
    const visit = await createVisit(server.http, { slug: uniqueSlug('embargo-ends') })
    // Long enough for the checks before it on a busy machine, short enough to wait for.
    const liftsAt = Date.now() + 2500
    const engagement = await createEngagement(server.http, visit.id, {
      title: 'Announced at noon',
      time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-05' },
      embargoUntil: new Date(liftsAt).toISOString()
    })
    const listed = async () => (await server.http.get('/v1/engagements').query({ visit: visit.id }).expect(200)).body.data.map((item: { id: string }) => item.id)
    const inItinerary = async () => itineraryIds((await server.http.get(`/v1/visits/${visit.slug}/itinerary`).expect(200)).body)

    const [single, list, itinerary] = await Promise.all([server.http.get(`/v1/engagements/${engagement.id}`), listed(), inItinerary()])
    assert.ok(Date.now() < liftsAt, 'the checks ran before the embargo ended')
    assert.equal(single.status, 404)
    assert.deepEqual(list, [])
    assert.deepEqual(itinerary, [])

    await sleep(liftsAt - Date.now() + 50)
    await server.http.get(`/v1/engagements/${engagement.id}`).expect(200)
    assert.deepEqual(await listed(), [engagement.id])
    assert.deepEqual(await inItinerary(), [engagement.id])
  })
})

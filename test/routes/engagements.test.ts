import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { beijingTalks } from '../fixtures/time-views.js'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp } from '../helper.js'

describe('engagements', () => {
  const server = useTestApp()
  let visitId: string
  let beijing: { id: string }
  before(async () => {
    visitId = (await createVisit(server.http)).id
    beijing = await createLeg(server.http, visitId)
  })

  const post = (body: Record<string, unknown>) =>
    server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({ title: 'Talks', kind: 'talks', legId: beijing.id, ...body })

  it('creates an engagement with venue, participants and sources; Location points at it', async () => {
    const response = await post({
      time: { precision: 'exact', localStart: '2026-01-05T15:00', localEnd: '2026-01-05T16:30' },
      venue: { name: 'Great Hall of the People', city: 'Beijing', country: 'CN', latitude: 39.9033, longitude: 116.3875 },
      participants: [{ name: 'Xi Jinping', role: 'counterpart', title: 'President', country: 'CN' }],
      sources: [{ url: 'https://example.org/report', title: 'Report', publishedAt: '2026-01-04T09:00:00+08:00' }],
      description: 'Expanded talks'
    }).expect(201)
    assert.equal(response.headers.location, `/v1/engagements/${response.body.id}`)
    // The leg's zone, Asia/Shanghai, where the time names none.
    assert.deepEqual(response.body.time, beijingTalks.view)
    assert.equal(response.body.venue.name, 'Great Hall of the People')
    assert.equal(response.body.venue.latitude, 39.9033)
    assert.deepEqual(response.body.participants.map((p: { name: string, role: string, title: string }) => [p.name, p.role, p.title]), [['Xi Jinping', 'counterpart', 'President']])
    assert.deepEqual(response.body.sources, [{ url: 'https://example.org/report', title: 'Report', kind: 'other', publisher: null, publishedAt: '2026-01-04T01:00:00.000Z' }])
    const fetched = await server.http.get(response.headers.location).expect(200)
    assert.deepEqual(fetched.body, response.body)
  })

  it('accepts instants with offsets and keeps the zone it is given', async () => {
    const created = await createEngagement(server.http, visitId, {
      legId: beijing.id,
      time: { precision: 'exact', timeZone: 'Asia/Seoul', startsAt: '2026-01-05T06:00:00Z' }
    })
    assert.equal(created.time.localStart, '2026-01-05T15:00:00+09:00')
    assert.equal(created.time.endsAt, null)
    assert.equal(created.time.localEnd, null)
  })

  it('shows viewer times with ?tz, including a date that differs from the local one', async () => {
    const created = await createEngagement(server.http, visitId, {
      legId: beijing.id, time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'morning' }
    })
    const response = await server.http.get(`/v1/engagements/${created.id}`).query({ tz: 'America/Los_Angeles' }).expect(200)
    assert.deepEqual(response.body.viewer, {
      timeZone: 'America/Los_Angeles',
      localStart: '2026-01-04T14:00:00-08:00',
      localEnd: '2026-01-04T20:00:00-08:00',
      localDate: '2026-01-04',
      zonedStart: '2026-01-04T14:00:00-08:00[America/Los_Angeles]',
      zonedEnd: '2026-01-04T20:00:00-08:00[America/Los_Angeles]'
    })
  })

  it('refuses a wall-clock time inside a daylight-saving gap, naming the gap', async () => {
    const response = await post({ time: { precision: 'exact', timeZone: 'America/New_York', localStart: '2026-03-08T02:30' } }).expect(422)
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
    assert.equal(response.body.errors[0].path, '/body/time/localStart')
    assert.match(response.body.detail, /does not exist/)
  })

  it('refuses an ambiguous fall-back time unless told which, then resolves each', async () => {
    const time = { precision: 'exact', timeZone: 'America/New_York', localStart: '2026-11-01T01:30' }
    const ambiguous = await post({ time }).expect(422)
    assert.match(ambiguous.body.detail, /disambiguation/)
    const earlier = await post({ time: { ...time, disambiguation: 'earlier' } }).expect(201)
    const later = await post({ time: { ...time, disambiguation: 'later' } }).expect(201)
    assert.equal(earlier.body.time.startsAt, '2026-11-01T05:30:00.000Z')
    assert.equal(later.body.time.startsAt, '2026-11-01T06:30:00.000Z')
    assert.equal(later.body.time.localStart, '2026-11-01T01:30:00-05:00')
  })

  it('refuses an end before the start with 422, and bad zones and dates with 400', async () => {
    const backwards = await post({ time: { precision: 'exact', localStart: '2026-01-05T15:00', localEnd: '2026-01-05T14:00' } }).expect(422)
    assert.equal(backwards.body.errors[0].path, '/body/time/localEnd')
    const zone = await post({ time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Peking' } }).expect(400)
    assert.equal(zone.body.errors[0].path, '/body/time/timeZone')
    const date = await post({ time: { precision: 'date', localDate: '2026-02-30' } }).expect(400)
    assert.equal(date.body.errors[0].path, '/body/time/localDate')
    const missing = await post({ time: { precision: 'part_of_day', localDate: '2026-01-05' } }).expect(400)
    assert.equal(missing.body.errors[0].path, '/body/time/partOfDay')
    const mixed = await post({ time: { precision: 'date', localDate: '2026-01-05', localStart: '2026-01-05T10:00' } }).expect(400)
    assert.equal(mixed.body.errors[0].path, '/body/time/localStart')
  })

  it('needs a zone when there is no leg, and a leg of the same visit', async () => {
    const noZone = await post({ legId: undefined, time: { precision: 'date', localDate: '2026-01-05' } }).expect(400)
    assert.equal(noZone.body.errors[0].path, '/body/time/timeZone')
    const otherVisit = await createVisit(server.http)
    const otherLeg = await createLeg(server.http, otherVisit.id)
    const wrongLeg = await post({ legId: otherLeg.id, time: { precision: 'date', localDate: '2026-01-05' } }).expect(422)
    assert.equal(wrongLeg.body.errors[0].path, '/body/legId')
  })

  it('refuses the same person twice and writes nothing', async () => {
    const title = `Duplicate ${uniqueSlug()}`
    const response = await post({
      title,
      time: { precision: 'date', localDate: '2026-01-05' },
      participants: [{ name: 'Zhao Leji', role: 'counterpart' }, { name: 'zhao  leji', role: 'host' }]
    }).expect(400)
    assert.equal(response.body.errors[0].path, '/body/participants/1/name')
  })

  it('patches: replaces participants, moves the time, clears the venue, bumps the version', async () => {
    const created = await createEngagement(server.http, visitId, {
      legId: beijing.id,
      time: { precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'afternoon' },
      venue: { name: 'Diaoyutai State Guesthouse', city: 'Beijing', country: 'CN' },
      participants: [{ name: 'Li Qiang', role: 'counterpart' }]
    })
    const response = await server.http.patch(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(1)).send({
      time: { precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'evening' },
      participants: [{ name: 'Li Qiang', role: 'host' }, { name: 'Wang Yi', role: 'attendee' }],
      venue: null
    }).expect(200)
    assert.equal(response.body.version, 2)
    assert.equal(response.body.time.localStart, '2026-01-06T18:00:00+08:00')
    assert.equal(response.body.venue, null)
    assert.deepEqual(response.body.participants.map((p: { name: string, role: string }) => [p.name, p.role]), [['Li Qiang', 'host'], ['Wang Yi', 'attendee']])
    const unchanged = await server.http.patch(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(2)).send({ status: 'confirmed' }).expect(200)
    assert.equal(unchanged.body.time.localStart, '2026-01-06T18:00:00+08:00')
    assert.equal(unchanged.body.participants.length, 2)
    assert.equal(unchanged.body.version, 3)
  })

  it('deletes an engagement: 204, then 404', async () => {
    const created = await createEngagement(server.http, visitId, { legId: beijing.id, time: { precision: 'date', localDate: '2026-01-05' } })
    await server.http.delete(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(1)).expect(204)
    await server.http.get(`/v1/engagements/${created.id}`).expect(404)
    await server.http.delete(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(1)).expect(404)
  })

  it('refuses to delete a leg that still has engagements', async () => {
    const leg = await createLeg(server.http, visitId, { city: 'Tianjin' })
    const engagement = await createEngagement(server.http, visitId, { legId: leg.id, time: { precision: 'date', localDate: '2026-01-05' } })
    const response = await server.http.delete(`/v1/legs/${leg.id}`).set(authorised).set(ifMatch(1)).expect(409)
    assert.match(response.body.detail, /engagement/)
    await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(1)).send({ legId: null }).expect(200)
    await server.http.delete(`/v1/legs/${leg.id}`).set(authorised).set(ifMatch(1)).expect(204)
  })

  describe('listing', () => {
    let listVisitId: string
    const created: string[] = []
    before(async () => {
      listVisitId = (await createVisit(server.http)).id
      for (const hour of ['09', '10', '11', '12', '13']) {
        created.push((await createEngagement(server.http, listVisitId, {
          time: { precision: 'exact', timeZone: 'Europe/Paris', localStart: `2031-06-01T${hour}:00` }
        })).id)
      }
    })

    const page = async (query: Record<string, string | number>) => {
      const response = await server.http.get('/v1/engagements').query({ visit: listVisitId, ...query }).expect(200)
      return response.body as { data: Array<{ id: string }>, nextCursor: string | null }
    }

    it('pages in chronological order, stable when rows are inserted before the cursor', async () => {
      const first = await page({ limit: 2 })
      assert.deepEqual(first.data.map((e) => e.id), created.slice(0, 2))
      await createEngagement(server.http, listVisitId, { time: { precision: 'exact', timeZone: 'Europe/Paris', localStart: '2031-06-01T08:00' } })
      const second = await page({ limit: 2, cursor: first.nextCursor as string })
      assert.deepEqual(second.data.map((e) => e.id), created.slice(2, 4))
      const third = await page({ limit: 2, cursor: second.nextCursor as string })
      assert.deepEqual(third.data.map((e) => e.id), created.slice(4))
      assert.equal(third.nextCursor, null)
    })

    it('filters by instants: what overlaps [from, to)', async () => {
      // Paris is at UTC+2 in June: 10:00 local is 08:00Z, 11:00 local is 09:00Z.
      const endExclusive = await page({ from: '2031-06-01T07:30:00Z', to: '2031-06-01T09:00:00Z' })
      assert.deepEqual(endExclusive.data.map((e) => e.id), created.slice(1, 2))
      const wider = await page({ from: '2031-06-01T07:30:00+00:00', to: '2031-06-01T11:00:01+02:00' })
      assert.deepEqual(wider.data.map((e) => e.id), created.slice(1, 3))
    })

    it('refuses bad filters with 400 naming the parameter', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ tz: 'Mars/Olympus' }, '/query/tz'],
        [{ date: '2026-13-01' }, '/query/date'],
        [{ from: '2026-01-05T10:00' }, '/query/from'],
        [{ kind: 'summit,picnic' }, '/query/kind'],
        [{ visit: 'no-such-visit' }, '/query/visit'],
        [{ from: '2026-01-06T00:00:00Z', to: '2026-01-05T00:00:00Z' }, '/query/to'],
        [{ colour: 'red' }, '/query/colour']
      ]
      for (const [query, path] of cases) {
        const response = await server.http.get('/v1/engagements').query(query).expect(400)
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
        assert.equal(response.body.errors[0].path, path, JSON.stringify(response.body))
      }
    })
  })
})

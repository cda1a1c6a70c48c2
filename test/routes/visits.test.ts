import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { authorised, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp, visitBody } from '../helper.js'

describe('visits', () => {
  const server = useTestApp()

  it('creates a visit: 201, Location, the stored representation', async () => {
    const body = visitBody({ summary: 'A test' })
    const response = await server.http.post('/v1/visits').set(authorised).send(body).expect(201)
    assert.equal(response.headers.location, `/v1/visits/${response.body.id}`)
    assert.match(response.body.id, /^[0-9a-f-]{36}$/)
    assert.deepEqual(
      { ...response.body, id: undefined, createdAt: undefined, updatedAt: undefined },
      { ...body, status: 'scheduled', titleTranslations: {}, id: undefined, createdAt: undefined, updatedAt: undefined, version: 1 }
    )
    const fetched = await server.http.get(response.headers.location).expect(200)
    assert.deepEqual(fetched.body, response.body)
  })

  it('finds a visit by id and by slug', async () => {
    const visit = await createVisit(server.http)
    const byId = await server.http.get(`/v1/visits/${visit.id}`).expect(200)
    const bySlug = await server.http.get(`/v1/visits/${visit.slug}`).expect(200)
    assert.deepEqual(byId.body, bySlug.body)
  })

  it('answers 404 as a problem for an unknown visit', async () => {
    const response = await server.http.get('/v1/visits/no-such-visit').expect(404)
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
    assert.equal(response.body.status, 404)
    assert.match(response.body.detail, /no-such-visit/)
  })

  it('patches the given fields only and bumps the version', async () => {
    const visit = await createVisit(server.http)
    const response = await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1))
      .send({ status: 'postponed', summary: 'Postponed by a week' }).expect(200)
    assert.equal(response.body.status, 'postponed')
    assert.equal(response.body.summary, 'Postponed by a week')
    assert.equal(response.body.title, 'Test state visit')
    assert.equal(response.body.version, 2)
    const cleared = await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(2)).send({ summary: null }).expect(200)
    assert.equal(cleared.body.summary, null)
    assert.equal(cleared.body.version, 3)
  })

  it('deletes a visit with its legs and engagements', async () => {
    const visit = await createVisit(server.http)
    const leg = await createLeg(server.http, visit.id)
    await server.http.delete(`/v1/visits/${visit.slug}`).set(authorised).set(ifMatch(1)).expect(204)
    await server.http.get(`/v1/visits/${visit.id}`).expect(404)
    await server.http.get(`/v1/legs/${leg.id}`).expect(404)
  })

  it('refuses a taken slug with 409 and keeps the first visit', async () => {
    const visit = await createVisit(server.http)
    const response = await server.http.post('/v1/visits').set(authorised).send(visitBody({ slug: visit.slug, title: 'Other' })).expect(409)
    assert.match(response.body.detail, new RegExp(visit.slug))
    const kept = await server.http.get(`/v1/visits/${visit.slug}`).expect(200)
    assert.equal(kept.body.title, 'Test state visit')
  })

  it('refuses invalid bodies with 400 naming each field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ homeTimeZone: 'Mars/Olympus' }, '/body/homeTimeZone'],
      [{ startDate: '2026-02-30' }, '/body/startDate'],
      [{ slug: 'Not A Slug' }, '/body/slug'],
      [{ originCountry: 'kr' }, '/body/originCountry'],
      [{ kind: 'holiday' }, '/body/kind'],
      [{ titel: 'typo' }, '/body/titel'],
      // Bodies are checked as sent: no number or null is quietly turned into a string.
      [{ title: 123 }, '/body/title'],
      [{ slug: null }, '/body/slug'],
      [{ slug: '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11' }, '/body/slug']
    ]
    for (const [overrides, path] of cases) {
      const response = await server.http.post('/v1/visits').set(authorised).send(visitBody(overrides)).expect(400)
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
      assert.equal(response.body.status, 400)
      assert.equal(response.body.errors[0].path, path, JSON.stringify(response.body))
    }
    const missing = await server.http.post('/v1/visits').set(authorised).send({ ...visitBody(), title: undefined }).expect(400)
    assert.deepEqual(missing.body.errors, [{ path: '/body/title', message: 'is required' }])
  })

  it('refuses an end date before the start date with 422', async () => {
    const response = await server.http.post('/v1/visits').set(authorised)
      .send(visitBody({ startDate: '2026-01-07', endDate: '2026-01-04' })).expect(422)
    assert.equal(response.body.errors[0].path, '/body/endDate')
    const visit = await createVisit(server.http)
    await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).send({ endDate: '2026-01-01' }).expect(422)
  })

  it('refuses an empty patch', async () => {
    const visit = await createVisit(server.http)
    const response = await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).send({}).expect(400)
    assert.match(response.body.detail, /at least one field/)
  })

  it('needs a valid bearer token to write, and none to read', async () => {
    const missing = await server.http.post('/v1/visits').send(visitBody()).expect(401)
    assert.match(String(missing.headers['content-type']), /^application\/problem\+json/)
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/)
    await server.http.post('/v1/visits').set({ Authorization: 'Bearer wrong-secret' }).send(visitBody()).expect(401)
    await server.http.post('/v1/visits').set({ Authorization: 'Basic dXNlcjpwYXNz' }).send(visitBody()).expect(401)
    const visit = await createVisit(server.http)
    await server.http.patch(`/v1/visits/${visit.id}`).send({ title: 'x' }).expect(401)
    await server.http.delete(`/v1/visits/${visit.id}`).expect(401)
    await server.http.get(`/v1/visits/${visit.id}`).expect(200)
  })

  describe('listing', () => {
    const principal = `Principal ${uniqueSlug('p')}`
    const ids: string[] = []
    before(async () => {
      const dates = [['2031-03-01', '2031-03-03'], ['2031-03-02', '2031-03-05'], ['2031-04-10', '2031-04-12']]
      for (const [startDate, endDate] of dates) {
        const visit = await createVisit(server.http, { principal: { name: principal, title: 'Prime Minister' }, startDate, endDate, originCountry: 'JP' })
        ids.push(visit.id)
      }
      await createLeg(server.http, ids[2] as string, { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris', startDate: '2031-04-10', endDate: '2031-04-12' })
    })

    const list = async (query: Record<string, string | number>) => {
      const response = await server.http.get('/v1/visits').query({ principal, ...query }).expect(200)
      return response.body as { data: Array<{ id: string }>, nextCursor: string | null }
    }

    it('orders by start date and filters by principal, dates and destination', async () => {
      assert.deepEqual((await list({})).data.map((v) => v.id), ids)
      assert.deepEqual((await list({ from: '2031-03-04', to: '2031-04-10' })).data.map((v) => v.id), [ids[1], ids[2]])
      assert.deepEqual((await list({ country: 'FR' })).data.map((v) => v.id), [ids[2]])
      assert.deepEqual((await list({ originCountry: 'KR' })).data, [])
      assert.deepEqual((await list({ status: 'cancelled' })).data, [])
    })

    it('pages with a cursor until nextCursor is null', async () => {
      const first = await list({ limit: 2 })
      assert.deepEqual(first.data.map((v) => v.id), ids.slice(0, 2))
      assert.ok(first.nextCursor)
      const second = await list({ limit: 2, cursor: first.nextCursor })
      assert.deepEqual(second.data.map((v) => v.id), ids.slice(2))
      assert.equal(second.nextCursor, null)
    })

    it('refuses a forged cursor and a page size over 200', async () => {
      const forged = await server.http.get('/v1/visits').query({ cursor: Buffer.from('["x","y"]').toString('base64url') }).expect(400)
      assert.equal(forged.body.errors[0].path, '/query/cursor')
      const large = await server.http.get('/v1/visits').query({ limit: 201 }).expect(400)
      assert.equal(large.body.errors[0].path, '/query/limit')
    })
  })
})

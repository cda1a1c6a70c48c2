import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import type { OpenAPIV3_1 } from 'openapi-types'
import { loadConfig } from '../../src/config.js'
import {
  authorised, buildTestApp, createEngagement, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp, type Http
} from '../helper.js'

const RESOURCE_TAG = /^"v(\d+)-[A-Za-z0-9_-]{22}"$/
const DIGEST_TAG = /^"[A-Za-z0-9_-]{22}"$/

interface WritableResource {
  name: string
  /** Creates one and returns its path; each call a new one. */
  create: () => Promise<string>
  patch: Record<string, unknown>
}

/** A header the response must have. */
function header (response: { headers: Record<string, string | undefined> }, name: 'etag' | 'location'): string {
  const value = response.headers[name]
  assert.ok(value, `the response has ${name}`)
  return value
}

function versionOfTag (tag: string | undefined): number {
  const match = RESOURCE_TAG.exec(tag ?? '')
  assert.ok(match, `${tag} is a resource ETag`)
  return Number(match[1])
}

describe('conditional requests', () => {
  const server = useTestApp()
  let visitId: string
  let http: Http
  before(async () => {
    http = server.http
    visitId = (await createVisit(http)).id
  })

  const resources: WritableResource[] = [
    { name: 'visit', create: async () => `/v1/visits/${(await createVisit(http)).id}`, patch: { title: 'Renamed visit' } },
    { name: 'leg', create: async () => `/v1/legs/${(await createLeg(http, visitId)).id}`, patch: { city: 'Tianjin' } },
    {
      name: 'engagement',
      create: async () => `/v1/engagements/${(await createEngagement(http, visitId, { time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' } })).id}`,
      patch: { title: 'Renamed engagement' }
    }
  ]

  describe('ETags', () => {
    it('tags a resource "v<version>-<digest>", the same from POST, GET and PATCH for the same bytes', async () => {
      const created = await http.post('/v1/visits').set(authorised).send({
        slug: `etag-${Date.now()}`, title: 'ETag visit', principal: { name: 'Lee Jae Myung', title: 'President' },
        originCountry: 'KR', kind: 'state_visit', homeTimeZone: 'Asia/Seoul', startDate: '2026-01-04', endDate: '2026-01-07'
      }).expect(201)
      assert.equal(versionOfTag(header(created, 'etag')), 1)
      const read = await http.get(header(created, 'location')).expect(200)
      assert.equal(header(read, 'etag'), header(created, 'etag'))
      assert.equal(read.headers['cache-control'], 'public, no-cache')
      assert.match(String(read.headers.vary), /Authorization/)

      const patched = await http.patch(header(created, 'location')).set(authorised).set('If-Match', header(read, 'etag')).send({ title: 'Changed' }).expect(200)
      assert.equal(versionOfTag(header(patched, 'etag')), 2)
      assert.equal(header(await http.get(header(created, 'location')).expect(200), 'etag'), header(patched, 'etag'))
    })

    it('gives ?tz= its own tag with the same version, and each revalidates only itself', async () => {
      const path = await resources[2]!.create()
      const local = await http.get(path).expect(200)
      const newYork = await http.get(`${path}?tz=America/New_York`).expect(200)
      assert.notEqual(header(local, 'etag'), header(newYork, 'etag'))
      assert.equal(versionOfTag(header(local, 'etag')), versionOfTag(header(newYork, 'etag')))
      await http.get(`${path}?tz=America/New_York`).set('If-None-Match', header(newYork, 'etag')).expect(304)
      await http.get(`${path}?tz=America/New_York`).set('If-None-Match', header(local, 'etag')).expect(200)
      // Either tag names the version a write is based on.
      await http.patch(path).set(authorised).set('If-Match', header(newYork, 'etag')).send({ status: 'confirmed' }).expect(200)
    })

    it('answers a matching If-None-Match with 304, the ETag, Cache-Control and no body', async () => {
      const path = await resources[0]!.create()
      const tag = header(await http.get(path).expect(200), 'etag')
      for (const condition of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
        const response = await http.get(path).set('If-None-Match', condition)
        assert.equal(response.status, 304, condition)
        assert.equal(header(response, 'etag'), tag)
        assert.equal(response.headers['cache-control'], 'public, no-cache')
        assert.equal(response.text, '')
        assert.equal(response.headers['content-type'], undefined)
      }
      await http.get(path).set('If-None-Match', '"v1-somethingelse"').expect(200)
      await http.patch(path).set(authorised).set(ifMatch(1)).send({ title: 'Newer' }).expect(200)
      const changed = await http.get(path).set('If-None-Match', tag).expect(200)
      assert.equal(changed.body.title, 'Newer')
    })

    it('tags lists and itineraries by digest, cacheable for 5 s, private when a token asked', async () => {
      for (const path of ['/v1/visits?limit=5', `/v1/engagements?visit=${visitId}`, `/v1/visits/${visitId}/itinerary?tz=Asia/Seoul`]) {
        const anonymous = await http.get(path).expect(200)
        assert.match(header(anonymous, 'etag'), DIGEST_TAG, path)
        assert.equal(anonymous.headers['cache-control'], 'public, max-age=5', path)
        assert.match(String(anonymous.headers.vary), /Authorization/)
        await http.get(path).set('If-None-Match', header(anonymous, 'etag')).expect(304)
        const withToken = await http.get(path).set(authorised).expect(200)
        assert.equal(withToken.headers['cache-control'], 'private, max-age=5', path)
      }
      const before = await http.get(`/v1/visits/${visitId}/itinerary`).expect(200)
      await createEngagement(http, visitId, { time: { precision: 'date', localDate: '2026-01-06', timeZone: 'Asia/Shanghai' } })
      const after = await http.get(`/v1/visits/${visitId}/itinerary`).set('If-None-Match', header(before, 'etag')).expect(200)
      assert.notEqual(header(after, 'etag'), header(before, 'etag'))
    })

    it('never lets a cache keep the health probes', async () => {
      for (const path of ['/healthz', '/readyz']) {
        const response = await http.get(path).expect(200)
        assert.equal(response.headers['cache-control'], 'no-store')
        assert.equal(response.headers.etag, undefined)
      }
    })

    it('sends no ETag with problems', async () => {
      const response = await http.get('/v1/visits/no-such-visit').expect(404)
      assert.equal(response.headers.etag, undefined)
    })
  })

  for (const resource of resources) {
    describe(`PATCH and DELETE of a ${resource.name}`, () => {
      it('needs If-Match: 428 without it or with *, 400 when it is not an entity tag; nothing changes', async () => {
        const path = await resource.create()
        for (const method of ['patch', 'delete'] as const) {
          const write = (headers: Record<string, string>) => {
            const request = http[method](path).set(authorised).set(headers)
            return method === 'patch' ? request.send(resource.patch) : request
          }
          const missing = await write({}).expect(428)
          assert.equal(missing.body.type, '/problems/precondition-required')
          assert.equal(missing.body.status, 428)
          assert.match(missing.body.detail, /If-Match/)
          assert.match(String(missing.headers['content-type']), /^application\/problem\+json/)
          const star = await write({ 'If-Match': '*' }).expect(428)
          assert.match(star.body.detail, /If-Match: \* is not accepted/)
          const malformed = await write({ 'If-Match': 'v1' }).expect(400)
          assert.equal(malformed.body.errors[0].path, '/headers/if-match')
        }
        const unchanged = await http.get(path).expect(200)
        assert.equal(unchanged.body.version, 1)
      })

      it('refuses a stale or weak If-Match with 412 naming the current version, and changes nothing', async () => {
        const path = await resource.create()
        const first = await http.get(path).expect(200)
        const updated = await http.patch(path).set(authorised).set('If-Match', header(first, 'etag')).send(resource.patch).expect(200)
        assert.equal(versionOfTag(header(updated, 'etag')), 2)
        for (const condition of [header(first, 'etag'), ifMatch(1)['If-Match'], `W/${header(updated, 'etag')}`, '"somebody-elses-tag"']) {
          const stalePatch = await http.patch(path).set(authorised).set('If-Match', condition).send(resource.patch).expect(412)
          assert.equal(stalePatch.body.type, '/problems/precondition-failed')
          assert.match(stalePatch.body.detail, /version 2/)
          await http.delete(path).set(authorised).set('If-Match', condition).expect(412)
        }
        const current = await http.get(path).expect(200)
        assert.equal(header(current, 'etag'), header(updated, 'etag'))
        assert.equal(current.body.version, 2)
      })

      it('accepts the current ETag among others, then deletes with the current version; the old tag then gets 404', async () => {
        const path = await resource.create()
        const tag = header(await http.get(path).expect(200), 'etag')
        const updated = await http.patch(path).set(authorised).set('If-Match', `"v7-old", ${tag}`).send(resource.patch).expect(200)
        await http.delete(path).set(authorised).set('If-Match', header(updated, 'etag')).expect(204)
        await http.delete(path).set(authorised).set('If-Match', header(updated, 'etag')).expect(404)
      })
    })
  }

  it('keeps an engagement whole when a stale writer sends participants, venue and sources', async () => {
    // A venue and a person of its own: files running beside it (on the embedded database they
    // share one) send details of the demo's Great Hall, which gives its engagements new versions.
    const [person, venue] = [`Li Qiang ${uniqueSlug('p')}`, `Great Hall ${uniqueSlug('v')}`]
    const created = await createEngagement(http, visitId, {
      time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' },
      participants: [{ name: person, role: 'counterpart' }],
      venue: { name: venue, city: 'Beijing', country: 'CN' },
      sources: [{ title: 'First report' }]
    })
    await http.patch(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(1)).send({ status: 'confirmed' }).expect(200)
    await http.patch(`/v1/engagements/${created.id}`).set(authorised).set(ifMatch(1)).send({
      participants: [{ name: 'Wang Yi', role: 'attendee' }], venue: null, sources: [], title: 'Stale'
    }).expect(412)
    const current = await http.get(`/v1/engagements/${created.id}`).expect(200)
    assert.equal(current.body.version, 2)
    assert.equal(current.body.title, 'Test engagement')
    assert.deepEqual(current.body.participants.map((p: { name: string }) => p.name), [person])
    assert.equal(current.body.venue.name, venue)
    assert.equal(current.body.sources.length, 1)
  })

  it('documents If-Match, 412 and 428 on every PATCH and DELETE, and 304 on every /v1 GET', () => {
    const document = server.app.swagger() as OpenAPIV3_1.Document
    let writes = 0
    let reads = 0
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, value] of Object.entries(item ?? {})) {
        const operation = value as OpenAPIV3_1.OperationObject
        if (method === 'patch' || method === 'delete') {
          writes++
          const parameters = (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]
          assert.ok(parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'if-match'), `${method} ${path} If-Match`)
          assert.ok(operation.responses?.['412'] && operation.responses['428'], `${method} ${path} 412 and 428`)
        }
        if (method === 'get' && path.startsWith('/v1/')) {
          reads++
          assert.ok(operation.responses?.['304'], `${method} ${path} 304`)
        }
      }
    }
    // PATCH and DELETE of visits, legs and engagements, PATCH of participants.
    assert.equal(writes, 7)
    assert.ok(reads >= 6, `${reads} reads`)
  })
})

describe('Cache-Control max-age is configurable', () => {
  it('reads CACHE_MAX_AGE_SECONDS and applies it to lists, not to resources', async (t) => {
    assert.equal(loadConfig({ CACHE_MAX_AGE_SECONDS: '60' }).CACHE_MAX_AGE_SECONDS, 60)
    assert.throws(() => loadConfig({ CACHE_MAX_AGE_SECONDS: '-1' }), /CACHE_MAX_AGE_SECONDS/)
    const { http } = await buildTestApp(t, { apiTokens: new Map(), cacheMaxAgeSeconds: 60 })
    const list = await http.get('/v1/visits?limit=1').expect(200)
    assert.equal(list.headers['cache-control'], 'public, max-age=60')
  })
})

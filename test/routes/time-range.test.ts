import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { documentedOperations } from '../contract/fuzz/openapi-model.js'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, visitBody, useTestApp } from '../helper.js'

// Dates and instants Postgres cannot store, or that leave the supported range (src/domain/time-range.ts)
// once their offset or zone is applied, in every entry point that takes one: 400 naming the field
// for what is sent, 422 for a valid local input whose instants fall outside; never a 500.

const TIME_FORMATS = ['date', 'date-time', 'local-date-time'] as const
type TimeFormat = typeof TIME_FORMATS[number]

/** Values of each format that must be refused: year 0000 above all, and instants past the range once their offset is applied. */
const OUT_OF_RANGE: Record<TimeFormat, string[]> = {
  date: ['0000-01-01', '0000-12-31'],
  'local-date-time': ['0000-06-01T12:00', '0000-12-31T23:59:59.999'],
  'date-time': ['0000-06-01T12:00:00Z', '9999-12-31T23:59:59-23:59', '0001-01-01T00:00:00+01:00', '9999-12-31T00:00:00Z', '0001-01-01T23:59:59.999Z']
}

interface Problem { status: number, type: string, detail: string, errors?: Array<{ path: string, message: string }> }

function assertNamesField (response: { status: number, body: Problem, text: string }, status: number, path: string, label: string) {
  assert.equal(response.status, status, `${label}: ${response.text.slice(0, 300)}`)
  assert.equal(response.body.status, status, label)
  assert.ok(response.body.errors?.some((error) => error.path === path), `${label}: errors name ${path}: ${JSON.stringify(response.body.errors)}`)
}

function withField (body: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body)
  const keys = pointer.replace(/^\/body\//, '').split('/')
  let node = copy as Record<string, unknown>
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>
  node[keys.at(-1) as string] = value
  return copy
}

function encodeCursor (parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url')
}

describe('dates and instants outside the supported range', () => {
  const server = useTestApp()
  let visitId: string
  let legId: string
  let engagement: { id: string, version: number }
  before(async () => {
    visitId = (await createVisit(server.http)).id
    legId = (await createLeg(server.http, visitId)).id
    engagement = await createEngagement(server.http, visitId, { legId, time: { precision: 'date', localDate: '2026-01-05' } })
  })

  it('every query parameter with a time format answers 400 naming it, anonymous reads included', async () => {
    const probed: string[] = []
    for (const operation of documentedOperations().filter((candidate) => candidate.method === 'get')) {
      const url = operation.path.replace('{visit}', visitId).replace('{id}', engagement.id)
      for (const parameter of operation.parametersIn.query) {
        const format = parameter.schema.format as TimeFormat | undefined
        if (format === undefined || !TIME_FORMATS.includes(format)) continue
        for (const value of OUT_OF_RANGE[format]) {
          const label = `GET ${url}?${parameter.name}=${value}`
          assertNamesField(await server.http.get(url).query({ [parameter.name]: value }), 400, `/query/${parameter.name}`, label)
          probed.push(`${operation.path} ${parameter.name}`)
        }
      }
    }
    for (const expected of ['/v1/engagements from', '/v1/engagements to', '/v1/engagements at', '/v1/engagements date',
      '/v1/engagements announcedSince', '/v1/visits from', '/v1/visits to', '/v1/visits/{visit}/next at', '/v1/engagements.ics at']) {
      assert.ok(probed.includes(expected), `${expected} was probed`)
    }
  })

  it('a valid date whose local day leaves the range, as a query (date + tz), is a 400 naming date', async () => {
    for (const [date, tz] of [['9999-12-31', 'America/New_York'], ['9999-12-31', 'Pacific/Kiritimati'], ['0001-01-01', 'Asia/Tokyo']]) {
      assertNamesField(await server.http.get('/v1/engagements').query({ date, tz }), 400, '/query/date', `${date} ${tz}`)
    }
    // Inside the range, the same query works.
    await server.http.get('/v1/engagements').query({ date: '9999-12-29', tz: 'Pacific/Kiritimati' }).expect(200)
  })

  it('every body field with a time format answers 400 naming it, in POST and PATCH', async () => {
    const exact = { precision: 'exact', timeZone: 'Asia/Shanghai', localStart: '2026-01-05T10:00', localEnd: '2026-01-05T11:00' }
    const instants = { precision: 'exact', timeZone: 'Asia/Shanghai', startsAt: '2026-01-05T02:00:00Z', endsAt: '2026-01-05T03:00:00Z' }
    const dated = { precision: 'date', localDate: '2026-01-05' }
    const engagementBody = {
      title: 'Talks', kind: 'talks', legId, announcedAt: '2026-01-01T00:00:00Z', embargoUntil: '2026-01-01T00:00:00Z',
      sources: [{ title: 'Report', publishedAt: '2026-01-01T00:00:00Z' }]
    }
    const stay = { city: 'Shanghai', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' }
    // Each field with the body it belongs in; the document's list of such fields must be covered.
    const fields: Record<string, Record<string, unknown>> = {
      '/body/startDate': stay,
      '/body/endDate': stay,
      '/body/announcedAt': { ...engagementBody, time: dated },
      '/body/embargoUntil': { ...engagementBody, time: dated },
      '/body/sources/0/publishedAt': { ...engagementBody, time: dated },
      '/body/time/localStart': { ...engagementBody, time: exact },
      '/body/time/localEnd': { ...engagementBody, time: exact },
      '/body/time/startsAt': { ...engagementBody, time: instants },
      '/body/time/endsAt': { ...engagementBody, time: instants },
      '/body/time/localDate': { ...engagementBody, time: dated }
    }
    const visit = await createVisit(server.http)
    const leg = await createLeg(server.http, visitId, { startDate: '2026-01-06', endDate: '2026-01-07' })
    const targets: Record<string, { method: 'post' | 'patch', url: string, headers: Record<string, string>, base?: Record<string, unknown> }> = {
      'POST /v1/visits': { method: 'post', url: '/v1/visits', headers: authorised, base: visitBody() },
      'PATCH /v1/visits/{visit}': { method: 'patch', url: `/v1/visits/${visit.id}`, headers: { ...authorised, ...ifMatch(visit.version) }, base: { title: 'Renamed', startDate: '2026-01-04', endDate: '2026-01-07' } },
      'POST /v1/visits/{visit}/legs': { method: 'post', url: `/v1/visits/${visitId}/legs`, headers: authorised },
      'PATCH /v1/legs/{id}': { method: 'patch', url: `/v1/legs/${leg.id}`, headers: { ...authorised, ...ifMatch(1) }, base: { startDate: '2026-01-06', endDate: '2026-01-07' } },
      'POST /v1/visits/{visit}/engagements': { method: 'post', url: `/v1/visits/${visitId}/engagements`, headers: authorised },
      'PATCH /v1/engagements/{id}': { method: 'patch', url: `/v1/engagements/${engagement.id}`, headers: { ...authorised, ...ifMatch(engagement.version) } }
    }
    const documented: string[] = []
    for (const operation of documentedOperations()) {
      const target = targets[`${operation.method.toUpperCase()} ${operation.path}`]
      for (const [pointer, format] of timeFields(operation.body, '/body')) {
        documented.push(`${operation.method.toUpperCase()} ${operation.path} ${pointer}`)
        assert.ok(target !== undefined, `${operation.method.toUpperCase()} ${operation.path} takes ${pointer} but is not probed here`)
        const base = target.base ?? fields[pointer]
        assert.ok(base !== undefined, `no body to probe ${pointer} with`)
        for (const value of OUT_OF_RANGE[format]) {
          const response = await server.http[target.method](target.url).set(target.headers).send(withField(base, pointer, value))
          assertNamesField(response, 400, pointer, `${operation.method.toUpperCase()} ${operation.path} ${pointer}=${value}`)
        }
      }
    }
    assert.ok(documented.length >= 20, `only ${documented.length} time fields found in the document`)
    // Nothing was changed by the refused writes.
    const read = await server.http.get(`/v1/engagements/${engagement.id}`).expect(200)
    assert.equal(read.body.version, engagement.version)
  })

  it('a valid local date or time whose instants leave the range is a 422 naming it, in POST and PATCH', async () => {
    const post = (time: Record<string, unknown>) => server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({ title: 'Far future', kind: 'talks', time })
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ precision: 'date', timeZone: 'America/New_York', localDate: '9999-12-31' }, '/body/time/localDate'],
      [{ precision: 'part_of_day', timeZone: 'Pacific/Kiritimati', localDate: '9999-12-31', partOfDay: 'evening' }, '/body/time/localDate'],
      [{ precision: 'tbd', timeZone: 'UTC', localDate: '9999-12-31' }, '/body/time/localDate'],
      [{ precision: 'exact', timeZone: 'Asia/Tokyo', localStart: '0001-01-01T08:00' }, '/body/time/localStart'],
      [{ precision: 'exact', timeZone: 'UTC', localStart: '9999-12-30T10:00', localEnd: '9999-12-31T10:00' }, '/body/time/localEnd'],
      [{ precision: 'date', timeZone: 'Asia/Manila', localDate: '0001-01-01' }, '/body/time/localDate']
    ]
    for (const [time, path] of cases) {
      assertNamesField(await post(time), 422, path, JSON.stringify(time))
      const patched = await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(engagement.version)).send({ time })
      assertNamesField(patched, 422, path, `PATCH ${JSON.stringify(time)}`)
    }
    // An undated tbd engagement spans its visit's days: a visit on the last days of 9999 cannot hold one.
    const lastDays = await createVisit(server.http, { startDate: '9999-12-30', endDate: '9999-12-31' })
    const undated = await server.http.post(`/v1/visits/${lastDays.id}/engagements`).set(authorised)
      .send({ title: 'Sometime', kind: 'talks', time: { precision: 'tbd', timeZone: 'UTC' } })
    assertNamesField(undated, 422, '/body/time/localDate', 'undated tbd')
  })

  it('accepts the first and last supported instants and shows them with four-digit years in every zone', async () => {
    for (const startsAt of ['0001-01-02T00:00:00Z', '9999-12-30T23:59:59.999Z', '0001-01-02T23:59:00+23:59', '9999-12-30T00:00:00-23:59']) {
      const created = await createEngagement(server.http, visitId, {
        announcedAt: startsAt, embargoUntil: startsAt, sources: [{ title: 'Report', publishedAt: startsAt }],
        time: { precision: 'exact', timeZone: 'UTC', startsAt }
      })
      for (const tz of ['Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Manila', 'America/Sitka']) {
        const read = await server.http.get(`/v1/engagements/${created.id}`).set(authorised).query({ tz }).expect(200)
        for (const text of [read.body.time.localDate, read.body.viewer.localDate, read.body.viewer.localStart, read.body.time.startsAt]) {
          assert.match(text, /^\d{4}-\d{2}-\d{2}/, `${startsAt} in ${tz}: ${text}`)
        }
      }
    }
    // The visit's itinerary and calendar feed hold them too.
    await server.http.get(`/v1/visits/${visitId}/itinerary`).set(authorised).query({ tz: 'Pacific/Kiritimati' }).expect(200)
    const feed = await server.http.get(`/v1/visits/${visitId}/calendar.ics`).set(authorised).expect(200)
    assert.match(feed.text, /DTSTART[^\r\n]*:0001010[12]T/)
    assert.match(feed.text, /DTSTART[^\r\n]*:9999123[01]T/)
  })

  it('forged cursors with out-of-range instants or sequence numbers past bigint are 400s, never 500s', async () => {
    const someId = engagement.id
    for (const at of ['0000-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z', '9999-12-31T12:00:00.000Z']) {
      assertNamesField(await server.http.get('/v1/engagements').query({ cursor: encodeCursor([at, someId]) }), 400, '/query/cursor', `list cursor ${at}`)
      assertNamesField(await server.http.get('/v1/engagements').query({ q: 'talks', cursor: encodeCursor(['0.1', at, someId]) }), 400, '/query/cursor', `search cursor ${at}`)
    }
    // Feed cursors: the real one with its instant or its sequence number forged, whatever else it holds.
    const real = (await server.http.get('/v1/changes').query({ since: 'now' }).expect(200)).body.nextCursor as string
    const parts = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as unknown[]
    const forge = (replace: (part: string) => string | null) => encodeCursor(parts.map((part) => typeof part === 'string' ? replace(part) ?? part : part))
    const forgedCursors = [
      forge((part) => /^\d+$/.test(part) ? '9223372036854775808' : null),
      forge((part) => /^\d+$/.test(part) ? '9999999999999999999' : null),
      forge((part) => /^\d{4}-\d{2}-\d{2}T/.test(part) ? '0000-01-01T00:00:00.000Z' : null),
      forge((part) => /^\d{4}-\d{2}-\d{2}T/.test(part) ? '+010000-01-01T00:00:00.000Z' : null)
    ]
    for (const since of forgedCursors) {
      assertNamesField(await server.http.get('/v1/changes').query({ since }), 400, '/query/since', `feed cursor ${Buffer.from(since, 'base64url').toString('utf8')}`)
    }
    for (const sequence of ['9223372036854775808', '9999999999999999999']) {
      const response = await server.http.get(`/v1/visits/${visitId}/changes`).query({ cursor: encodeCursor(['public', sequence]) })
      assertNamesField(response, 400, '/query/cursor', `history cursor ${sequence}`)
    }
    // The largest bigint is a position like any other: nothing before it is missing.
    const largest = await server.http.get(`/v1/visits/${visitId}/changes`).query({ cursor: encodeCursor(['public', '9223372036854775807']) }).expect(200)
    assert.ok(largest.body.data.length > 0)
  })
})

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>, items?: Schema, anyOf?: Schema[], format?: string }

/** JSON Pointers of the body fields with a time format, arrays entered at index 0. */
function timeFields (schema: Schema | undefined, at: string): Array<[string, TimeFormat]> {
  if (schema === undefined) return []
  const fields: Array<[string, TimeFormat]> = []
  if (TIME_FORMATS.includes(schema.format as TimeFormat)) fields.push([at, schema.format as TimeFormat])
  for (const [name, property] of Object.entries(schema.properties ?? {})) fields.push(...timeFields(property, `${at}/${name}`))
  if (schema.items !== undefined) fields.push(...timeFields(schema.items, `${at}/0`))
  for (const branch of schema.anyOf ?? []) fields.push(...timeFields(branch, at))
  return fields
}

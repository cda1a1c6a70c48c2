import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'node:test'
import {
  WRITE_TOKEN, authorised, createEngagement, createLeg, createVisit, ifMatch, useTestApp, visitBody, type Http
} from '../helper.js'

const EMBARGO_READER = { Authorization: 'Bearer changes-embargo-reader' }
const TOKENS = new Map([['embargo-reader', { secret: 'changes-embargo-reader', scopes: ['read:embargoed' as const] }]])
const FAR_FUTURE = '2100-01-01T00:00:00.000Z'
const AFTERNOON = { precision: 'part_of_day', timeZone: 'Asia/Shanghai', localDate: '2026-01-05', partOfDay: 'afternoon' }
const EVENING = { precision: 'part_of_day', timeZone: 'Asia/Shanghai', localDate: '2026-01-05', partOfDay: 'evening' }

interface Change {
  sequence: number
  entity: 'visit' | 'leg' | 'engagement'
  entityId: string
  visitId: string
  action: 'create' | 'update' | 'delete'
  fields: Record<string, { old: unknown, new: unknown }>
  snapshot: Record<string, unknown> | null
  actor: string
  reason: string | null
  source: string | null
  recordedAt: string
  summary: string
}

interface Feed { data: Change[], nextCursor: string, hasMore: boolean }

type Headers = Record<string, string>

async function cursorNow (http: Http, headers: Headers = {}): Promise<string> {
  return (await http.get('/v1/changes').query({ since: 'now' }).set(headers).expect(200)).body.nextCursor
}

/** Every change after `since`, page by page, and the cursor to go on from. */
async function pollAll (http: Http, since: string, headers: Headers = {}, limit = 200): Promise<{ changes: Change[], cursor: string }> {
  const changes: Change[] = []
  let cursor = since
  for (;;) {
    const body = (await http.get('/v1/changes').query({ since: cursor, limit }).set(headers).expect(200)).body as Feed
    changes.push(...body.data)
    cursor = body.nextCursor
    if (!body.hasMore) return { changes, cursor }
  }
}

// Other test files write at the same time: each test looks at its own visits only.
function ofVisits (changes: Change[], ...visitIds: string[]): Change[] {
  return changes.filter((change) => visitIds.includes(change.visitId))
}

function actions (changes: Change[]): string[][] {
  return changes.map((change) => [change.entity, change.action, change.entityId])
}

function assertIncreasing (changes: Change[]) {
  changes.forEach((change, index) => {
    if (index > 0) assert.ok(change.sequence > (changes[index - 1] as Change).sequence, `sequence ${change.sequence} after ${changes[index - 1]?.sequence}`)
  })
}

/** Applies changes as a mirror would: a snapshot replaces the entity, a tombstone removes it. */
function applyChanges (mirror: Map<string, Record<string, unknown>>, changes: Change[]) {
  for (const change of changes) {
    const key = `${change.entity}:${change.entityId}`
    if (change.action === 'delete') mirror.delete(key)
    else mirror.set(key, change.snapshot as Record<string, unknown>)
  }
}

/** What the API lists now for these visits, keyed as the mirror is. */
async function currentState (http: Http, visitIds: string[], headers: Headers = {}) {
  const state = new Map<string, Record<string, unknown>>()
  for (const visitId of visitIds) {
    const visit = await http.get(`/v1/visits/${visitId}`).set(headers)
    if (visit.status === 404) continue
    state.set(`visit:${visitId}`, visit.body)
    const itinerary = await http.get(`/v1/visits/${visitId}/itinerary`).set(headers).expect(200)
    for (const { leg } of itinerary.body.legs) state.set(`leg:${leg.id}`, leg)
    const engagements = await http.get('/v1/engagements').query({ visit: visitId, limit: 200 }).set(headers).expect(200)
    for (const engagement of engagements.body.data) state.set(`engagement:${engagement.id}`, engagement)
  }
  return state
}

function mirroredFor (mirror: Map<string, Record<string, unknown>>, visitIds: string[]) {
  return new Map([...mirror].filter(([key, value]) => visitIds.includes((key.startsWith('visit:') ? value.id : value.visitId) as string)))
}

describe('change records', () => {
  const server = useTestApp({ extraTokens: TOKENS })

  it('records a visit\'s create, update and delete, once each, with the token, reason, source and fields', async () => {
    const since = await cursorNow(server.http, EMBARGO_READER)
    const reason = '청와대 발표에 따라 일정 변경'
    const created = await server.http.post('/v1/visits').set(authorised)
      .set('Change-Reason', encodeURIComponent(reason)).set('Change-Source', 'https://www.president.go.kr/briefing/1')
      .send(visitBody()).expect(201)
    const visitId = created.body.id as string
    const updated = await server.http.patch(`/v1/visits/${visitId}`).set(authorised).set(ifMatch(1)).send({ status: 'cancelled' }).expect(200)
    await server.http.delete(`/v1/visits/${visitId}`).set(authorised).set(ifMatch(2))
      .set('Change-Reason', encodeURIComponent('习近平主席日程调整')).expect(204)

    const changes = ofVisits((await pollAll(server.http, since, EMBARGO_READER)).changes, visitId)
    assert.deepEqual(actions(changes), [['visit', 'create', visitId], ['visit', 'update', visitId], ['visit', 'delete', visitId]])
    assertIncreasing(changes)
    const [create, update, remove] = changes as [Change, Change, Change]
    assert.deepEqual(changes.map((change) => change.actor), ['test-desk', 'test-desk', 'test-desk'])

    assert.equal(create.reason, reason)
    assert.equal(create.source, 'https://www.president.go.kr/briefing/1')
    assert.deepEqual(create.snapshot, created.body)
    assert.deepEqual(create.fields.title, { old: null, new: 'Test state visit' })
    assert.deepEqual(create.fields.principal, { old: null, new: created.body.principal })
    for (const bookkeeping of ['id', 'version', 'createdAt', 'updatedAt']) assert.equal(bookkeeping in create.fields, false, bookkeeping)
    assert.equal(create.summary, 'Test state visit: added')

    assert.deepEqual(update.fields, { status: { old: 'scheduled', new: 'cancelled' } })
    assert.deepEqual(update.snapshot, updated.body)
    assert.deepEqual([update.reason, update.source], [null, null])
    assert.equal(update.summary, 'Test state visit: status changed from scheduled to cancelled')

    assert.equal(remove.snapshot, null)
    assert.deepEqual(remove.fields.status, { old: 'cancelled', new: null })
    assert.equal(remove.reason, '习近平主席日程调整')
    assert.equal(remove.summary, 'Test state visit: deleted')
  })

  it('records a leg\'s create, update and delete', async () => {
    const visit = await createVisit(server.http)
    const since = await cursorNow(server.http, EMBARGO_READER)
    const leg = await createLeg(server.http, visit.id)
    const moved = await server.http.patch(`/v1/legs/${leg.id}`).set(authorised).set(ifMatch(1)).send({ city: 'Shanghai' }).expect(200)
    await server.http.delete(`/v1/legs/${leg.id}`).set(authorised).set(ifMatch(2)).expect(204)

    const changes = ofVisits((await pollAll(server.http, since, EMBARGO_READER)).changes, visit.id)
    assert.deepEqual(actions(changes), [['leg', 'create', leg.id], ['leg', 'update', leg.id], ['leg', 'delete', leg.id]])
    assert.deepEqual(changes[0]?.fields.city, { old: null, new: 'Beijing' })
    assert.deepEqual(changes[1]?.fields, { city: { old: 'Beijing', new: 'Shanghai' } })
    assert.deepEqual(changes[1]?.snapshot, moved.body)
    assert.deepEqual(changes.map((change) => change.summary), ['Beijing leg: added', 'Shanghai leg: city changed from Beijing to Shanghai', 'Shanghai leg: deleted'])
  })

  it('records an engagement\'s create, update and delete, and says where it moved', async () => {
    const visit = await createVisit(server.http)
    const leg = await createLeg(server.http, visit.id)
    const since = await cursorNow(server.http, EMBARGO_READER)
    const summit = await createEngagement(server.http, visit.id, {
      title: 'Summit with President Xi Jinping', kind: 'summit', legId: leg.id, time: AFTERNOON,
      participants: [{ name: `Xi Jinping ${randomUUID().slice(0, 8)}`, role: 'counterpart' }]
    })
    const moved = await server.http.patch(`/v1/engagements/${summit.id}`).set(authorised).set(ifMatch(1))
      .set('Change-Reason', 'Pool report').send({ time: EVENING }).expect(200)
    await server.http.delete(`/v1/engagements/${summit.id}`).set(authorised).set(ifMatch(2)).expect(204)

    const changes = ofVisits((await pollAll(server.http, since, EMBARGO_READER)).changes, visit.id)
    assert.deepEqual(actions(changes), [['engagement', 'create', summit.id], ['engagement', 'update', summit.id], ['engagement', 'delete', summit.id]])
    const [create, update, remove] = changes as [Change, Change, Change]
    assert.deepEqual(create.snapshot, summit)
    assert.deepEqual(Object.keys(update.fields), ['time'])
    assert.deepEqual(update.fields.time, { old: summit.time, new: moved.body.time })
    assert.deepEqual(update.snapshot, moved.body)
    assert.equal(update.reason, 'Pool report')
    assert.equal(update.summary,
      'Summit with President Xi Jinping: moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening')
    assert.deepEqual(remove.fields.time, { old: moved.body.time, new: null })
    assert.equal(remove.summary, 'Summit with President Xi Jinping: deleted')
  })

  it('leaves a tombstone for each leg and engagement a visit delete takes with it, children first', async () => {
    const visit = await createVisit(server.http)
    const beijing = await createLeg(server.http, visit.id)
    const shanghai = await createLeg(server.http, visit.id, { city: 'Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' })
    const talks = await createEngagement(server.http, visit.id, { legId: beijing.id, time: AFTERNOON })
    const forum = await createEngagement(server.http, visit.id, { legId: shanghai.id, time: { precision: 'date', localDate: '2026-01-06' } })
    const secret = await createEngagement(server.http, visit.id, { time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-07' }, embargoUntil: FAR_FUTURE })
    const since = await cursorNow(server.http, EMBARGO_READER)
    await server.http.delete(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).expect(204)

    const changes = ofVisits((await pollAll(server.http, since, EMBARGO_READER)).changes, visit.id)
    assert.deepEqual(changes.map((change) => change.action), ['delete', 'delete', 'delete', 'delete', 'delete', 'delete'])
    const keys = (slice: Change[]) => new Set(slice.map((change) => `${change.entity}:${change.entityId}`))
    assert.deepEqual(keys(changes.slice(0, 3)), new Set([talks.id, forum.id, secret.id].map((id) => `engagement:${id}`)))
    assert.deepEqual(keys(changes.slice(3, 5)), new Set([`leg:${beijing.id}`, `leg:${shanghai.id}`]))
    assert.deepEqual(keys(changes.slice(5)), new Set([`visit:${visit.id}`]))
    assertIncreasing(changes)
    assert.equal(new Set(changes.map((change) => change.recordedAt)).size, 1, 'one transaction, one instant')
    assert.deepEqual(changes.find((change) => change.entityId === talks.id)?.fields.time, { old: talks.time, new: null })
  })

  it('writes nothing for a write that fails: a stale If-Match, a leg of another visit, the loser of a race', async () => {
    const visit = await createVisit(server.http)
    const other = await createVisit(server.http)
    const otherLeg = await createLeg(server.http, other.id)
    const engagement = await createEngagement(server.http, visit.id, { time: AFTERNOON })
    const since = await cursorNow(server.http, EMBARGO_READER)

    await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(7)).send({ status: 'cancelled' }).expect(412)
    await server.http.post(`/v1/visits/${visit.id}/engagements`).set(authorised)
      .send({ title: 'Misplaced', kind: 'meeting', legId: otherLeg.id, time: AFTERNOON }).expect(422)
    await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(1)).send({ legId: otherLeg.id }).expect(422)
    await server.http.delete(`/v1/legs/${otherLeg.id}`).set(authorised).set(ifMatch(3)).expect(412)
    await server.http.delete(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(2)).expect(412)
    // Both pass the version check before either writes: the loser fails inside its transaction.
    const race = await Promise.all(['confirmed', 'tentative'].map((status) =>
      server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).send({ status })))
    assert.deepEqual(race.map((response) => response.status).sort(), [200, 412])

    const changes = ofVisits((await pollAll(server.http, since, EMBARGO_READER)).changes, visit.id, other.id)
    assert.deepEqual(actions(changes), [['visit', 'update', visit.id]])
    const winner = race.find((response) => response.status === 200)
    assert.deepEqual(changes[0]?.fields.status, { old: 'scheduled', new: winner?.body.status })
  })

  it('refuses a Change-Reason that is not percent-encoded UTF-8 and a Change-Source that is not https, writing nothing', async () => {
    const badReason = await server.http.post('/v1/visits').set(authorised).set('Change-Reason', '%FF%FE').send(visitBody()).expect(400)
    assert.equal(badReason.body.errors[0].path, '/headers/change-reason')
    const tooLong = await server.http.post('/v1/visits').set(authorised).set('Change-Reason', 'x'.repeat(501)).send(visitBody()).expect(400)
    assert.equal(tooLong.body.errors[0].path, '/headers/change-reason')
    const badSource = await server.http.post('/v1/visits').set(authorised).set('Change-Source', 'http://example.org/').send(visitBody()).expect(400)
    assert.equal(badSource.body.errors[0].path, '/headers/change-source')
    const unparsable = await server.http.post('/v1/visits').set(authorised).set('Change-Source', 'https://[').send(visitBody()).expect(400)
    assert.equal(unparsable.body.errors[0].path, '/headers/change-source')
  })

  it('documents Change-Reason and Change-Source on every write of visits, legs and engagements', () => {
    const document = server.app.swagger() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string, name: string }> }>> }
    const writes = Object.entries(document.paths)
      .filter(([path]) => /^\/v1\/(visits|legs|engagements)/.test(path))
      .flatMap(([path, item]) => Object.entries(item).filter(([method]) => ['post', 'patch', 'delete'].includes(method)).map(([method, operation]) => ({ path, method, operation })))
    assert.ok(writes.length >= 9)
    for (const { path, method, operation } of writes) {
      const headers = (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name)
      assert.ok(headers.includes('change-reason') && headers.includes('change-source'), `${method} ${path}`)
    }
  })
})

describe('the change feed', () => {
  const server = useTestApp({ extraTokens: TOKENS })

  it('lets a poller mirror the data exactly, deletions included, polling in small pages', async () => {
    const mirror = new Map<string, Record<string, unknown>>()
    let cursor = await cursorNow(server.http)
    const poll = async () => {
      const read = await pollAll(server.http, cursor, {}, 3)
      applyChanges(mirror, read.changes)
      cursor = read.cursor
    }
    const http = server.http
    const a = await createVisit(http)
    const b = await createVisit(http)
    await poll()
    const a1 = await createLeg(http, a.id)
    const a2 = await createLeg(http, a.id, { city: 'Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' })
    const b1 = await createLeg(http, b.id, { city: 'Tokyo', country: 'JP', timeZone: 'Asia/Tokyo' })
    const suffix = randomUUID().slice(0, 8)
    const e1 = await createEngagement(http, a.id, { legId: a1.id, time: AFTERNOON, venue: { name: `Hall ${suffix}`, city: 'Beijing', country: 'CN' } })
    const e2 = await createEngagement(http, a.id, { legId: a2.id, time: { precision: 'date', localDate: '2026-01-06' }, participants: [{ name: `Envoy ${suffix}`, role: 'host' }] })
    const e3 = await createEngagement(http, b.id, { legId: b1.id, time: EVENING })
    const e4 = await createEngagement(http, b.id, { time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-07' } })
    await poll()
    await http.patch(`/v1/visits/${a.id}`).set(authorised).set(ifMatch(1)).send({ title: 'Renamed visit' }).expect(200)
    await http.patch(`/v1/engagements/${e1.id}`).set(authorised).set(ifMatch(1)).send({ time: EVENING, status: 'confirmed' }).expect(200)
    await http.patch(`/v1/engagements/${e2.id}`).set(authorised).set(ifMatch(1)).send({ participants: [{ name: `Minister ${suffix}`, role: 'counterpart' }] }).expect(200)
    await http.patch(`/v1/legs/${a2.id}`).set(authorised).set(ifMatch(1)).send({ city: 'Hangzhou' }).expect(200)
    await http.delete(`/v1/engagements/${e4.id}`).set(authorised).set(ifMatch(1)).expect(204)
    await poll()
    await http.delete(`/v1/engagements/${e2.id}`).set(authorised).set(ifMatch(2)).expect(204)
    await http.delete(`/v1/legs/${a2.id}`).set(authorised).set(ifMatch(2)).expect(204)
    await http.delete(`/v1/visits/${b.id}`).set(authorised).set(ifMatch(1)).expect(204)
    await createEngagement(http, a.id, { legId: a1.id, time: { precision: 'exact', localStart: '2026-01-05T09:00' } })
    await poll()

    const state = await currentState(http, [a.id, b.id])
    assert.deepEqual(mirroredFor(mirror, [a.id, b.id]), state)
    assert.deepEqual([...state.keys()].filter((key) => key.startsWith('engagement:')).length, 2)
    assert.equal(state.has(`engagement:${e3.id}`), false)
    // With nothing new, the cursor stays where it is.
    const idle = (await http.get('/v1/changes').query({ since: cursor }).expect(200)).body as Feed
    assert.deepEqual(ofVisits(idle.data, a.id, b.id), [])
  })

  it('gives a mirror every engagement changed through its shared venue or person, embargo kept', async () => {
    const http = server.http
    const mirrors = { full: new Map<string, Record<string, unknown>>(), public: new Map<string, Record<string, unknown>>() }
    const cursors = { full: await cursorNow(http, EMBARGO_READER), public: await cursorNow(http) }
    const poll = async () => {
      for (const [name, headers] of [['full', EMBARGO_READER], ['public', {}]] as const) {
        const read = await pollAll(http, cursors[name], headers, 4)
        applyChanges(mirrors[name], read.changes)
        cursors[name] = read.cursor
      }
    }
    const suffix = randomUUID().slice(0, 8)
    const hall = { name: `Shared hall ${suffix}`, city: 'Beijing', country: 'CN' }
    const envoy = { name: `Shared envoy ${suffix}`, role: 'host' }
    const a = await createVisit(http)
    const b = await createVisit(http)
    const held = await createEngagement(http, a.id, { time: AFTERNOON, venue: hall, participants: [envoy] })
    const other = await createEngagement(http, b.id, { time: EVENING, venue: hall, participants: [envoy] })
    const embargoed = await createEngagement(http, b.id, { time: EVENING, venue: hall, embargoUntil: FAR_FUTURE })
    await poll()

    // Another engagement's write adds an address and a translation to the hall...
    await http.patch(`/v1/engagements/${other.id}`).set(authorised).set(ifMatch(1))
      .send({ venue: { ...hall, address: '1 Example Road', nameTranslations: { ko: `공유 홀 ${suffix}` } } }).expect(200)
    // ...a new one gives the envoy a country, and the envoy's record is renamed, with a reason.
    await createEngagement(http, a.id, { time: EVENING, participants: [{ ...envoy, country: 'CN' }] })
    const participantId = (held as unknown as { participants: Array<{ participantId: string }> }).participants[0]?.participantId
    await http.patch(`/v1/participants/${participantId}`).set(authorised).set(ifMatch(2)).set('Change-Reason', 'Spelling')
      .send({ name: `Renamed envoy ${suffix}` }).expect(200)
    // Sending what is already known, or names only search uses, changes no engagement.
    await createEngagement(http, a.id, { time: EVENING, venue: { ...hall, address: '1 Example Road' } })
    await http.patch(`/v1/participants/${participantId}`).set(authorised).set(ifMatch(3)).send({ altNames: [`Envoy ${suffix}`] }).expect(200)
    await poll()

    assert.deepEqual(mirroredFor(mirrors.full, [a.id, b.id]), await currentState(http, [a.id, b.id], EMBARGO_READER))
    assert.deepEqual(mirroredFor(mirrors.public, [a.id, b.id]), await currentState(http, [a.id, b.id]))
    assert.equal(mirrors.public.has(`engagement:${embargoed.id}`), false)

    const now = (await http.get(`/v1/engagements/${held.id}`).expect(200)).body
    assert.equal(now.version, 4, 'venue, country and name each gave it a new version')
    assert.equal(now.venue.address, '1 Example Road')
    assert.deepEqual([now.participants[0].name, now.participants[0].country], [`Renamed envoy ${suffix}`, 'CN'])
    await http.patch(`/v1/engagements/${held.id}`).set(authorised).set(ifMatch(1)).send({ status: 'confirmed' }).expect(412)

    const history = (await http.get(`/v1/visits/${a.id}/changes`).expect(200)).body.data as Change[]
    const ofHeld = history.filter((change) => change.entityId === held.id).reverse()
    assert.deepEqual(ofHeld.map((change) => change.summary), [
      'Test engagement: added',
      `Test engagement: venue Shared hall ${suffix}: address, name translations changed`,
      'Test engagement: participants\' roles, titles, countries or order changed',
      `Test engagement: participants: renamed Shared envoy ${suffix} to Renamed envoy ${suffix}`
    ])
    assert.equal(ofHeld.at(-1)?.reason, 'Spelling')
    assert.equal(ofHeld.at(-1)?.actor, 'test-desk')
  })

  it('stays exact while writers change one shared venue through different engagements at once', async () => {
    const http = server.http
    const mirror = new Map<string, Record<string, unknown>>()
    const start = await cursorNow(http, EMBARGO_READER)
    const hall = { name: `Busy hall ${randomUUID().slice(0, 8)}`, city: 'Beijing', country: 'CN' }
    const visit = await createVisit(http)
    const WRITERS = 6
    const engagements = await Promise.all(Array.from({ length: WRITERS }, async () => createEngagement(http, visit.id, { time: AFTERNOON, venue: hall })))
    const statuses = new Set<number>()
    // Each write gives the others a new version: a writer re-reads and retries, as a client would.
    await Promise.all(engagements.map(async ({ id }, index) => {
      for (let attempt = 0; attempt < 30; attempt++) {
        const { version } = (await http.get(`/v1/engagements/${id}`).set(EMBARGO_READER).expect(200)).body
        const response = await http.patch(`/v1/engagements/${id}`).set(authorised).set(ifMatch(version))
          .send({ venue: { ...hall, address: `${index + 1} Example Road` } })
        statuses.add(response.status)
        if (response.status === 200) return
        assert.ok([412, 503].includes(response.status), `${response.status} ${JSON.stringify(response.body)}`)
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
      }
      assert.fail(`engagement ${index} was never written`)
    }))
    assert.ok(statuses.has(200))
    applyChanges(mirror, (await pollAll(http, start, EMBARGO_READER)).changes)
    const state = await currentState(http, [visit.id], EMBARGO_READER)
    assert.deepEqual(mirroredFor(mirror, [visit.id]), state)
    const addresses = new Set(engagements.map(({ id }) => (state.get(`engagement:${id}`)?.venue as { address: string }).address))
    assert.equal(addresses.size, 1, 'every engagement shows the one hall as it is now')
  })

  it('keeps a feed in commit order with nothing skipped while writers run in parallel and pollers poll', async () => {
    const visit = await createVisit(server.http)
    const starts = { full: await cursorNow(server.http, EMBARGO_READER), public: await cursorNow(server.http) }
    let writing = true
    const pollWhileWriting = async (headers: Headers, start: string) => {
      const seen: Change[] = []
      let cursor = start
      for (;;) {
        const last = !writing
        const read = await pollAll(server.http, cursor, headers, 4)
        seen.push(...read.changes)
        cursor = read.cursor
        if (last) return seen
      }
    }
    const pollers = [pollWhileWriting(EMBARGO_READER, starts.full), pollWhileWriting({}, starts.public)]
    const WRITERS = 12
    try {
      await Promise.all(Array.from({ length: WRITERS }, async (_, index) => {
        const engagement = await createEngagement(server.http, visit.id, { title: `Parallel ${index}`, time: AFTERNOON })
        await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(1)).send({ status: 'confirmed' }).expect(200)
        if (index % 3 === 0) await server.http.delete(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(2)).expect(204)
      }))
    } finally {
      writing = false
    }
    const [full, publicFeed] = await Promise.all(pollers) as [Change[], Change[]]

    assertIncreasing(full)
    const mine = ofVisits(full, visit.id)
    assert.equal(mine.length, WRITERS * 2 + WRITERS / 3)
    for (const [headers, seen, start] of [[EMBARGO_READER, full, starts.full], [{}, publicFeed, starts.public]] as const) {
      const everything = ofVisits((await pollAll(server.http, start, headers)).changes, visit.id)
      assert.deepEqual(ofVisits(seen, visit.id).map((change) => change.sequence), everything.map((change) => change.sequence), 'nothing skipped')
      const mirror = new Map<string, Record<string, unknown>>()
      applyChanges(mirror, seen)
      const state = await currentState(server.http, [visit.id], headers)
      state.delete(`visit:${visit.id}`)
      assert.deepEqual(mirroredFor(mirror, [visit.id]), state)
    }
  })

  it('answers 400 to a malformed cursor and to a cursor of the other ordering', async () => {
    const garbage = await server.http.get('/v1/changes').query({ since: 'not-a-cursor' }).expect(400)
    assert.equal(garbage.body.errors[0].path, '/query/since')
    const publicCursor = await cursorNow(server.http)
    const mixed = await server.http.get('/v1/changes').query({ since: publicCursor }).set(EMBARGO_READER).expect(400)
    assert.match(mixed.body.detail, /read:embargoed/)
    assert.equal(mixed.body.errors[0].path, '/query/since')
    await server.http.get('/v1/changes').query({ since: await cursorNow(server.http, EMBARGO_READER) }).expect(400)
  })

  it('sends an ETag and answers 304 when the page has not changed', async () => {
    const since = await cursorNow(server.http)
    const visit = await createVisit(server.http)
    await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).send({ status: 'confirmed' }).expect(200)
    await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(2)).send({ status: 'completed' }).expect(200)
    // A full page never changes: whatever comes later sorts after it.
    const page = await server.http.get('/v1/changes').query({ since, limit: 2 }).expect(200)
    assert.equal(page.body.hasMore, true)
    assert.match(page.headers['cache-control'] ?? '', /^public, max-age=\d+$/)
    const again = await server.http.get('/v1/changes').query({ since, limit: 2 }).set('If-None-Match', page.headers.etag ?? '').expect(304)
    assert.equal(again.headers.etag, page.headers.etag)
    const withToken = await server.http.get('/v1/changes').query({ since: await cursorNow(server.http, EMBARGO_READER) }).set(EMBARGO_READER).expect(200)
    assert.match(withToken.headers['cache-control'] ?? '', /^private/)
  })
})

/** Public numbers follow each other with no gap: 1, 2, 3... */
function assertConsecutive (changes: Change[], what = 'the public feed') {
  changes.forEach((change, index) => {
    if (index > 0) assert.equal(change.sequence, (changes[index - 1] as Change).sequence + 1, `${what}: ${change.sequence} follows ${changes[index - 1]?.sequence}`)
  })
}

describe('changes of embargoed engagements', () => {
  const server = useTestApp({ extraTokens: TOKENS })

  it('reach the public feed when the embargo ends, after the cursor a poller already holds; read:embargoed sees them at once', async () => {
    const http = server.http
    const visit = await createVisit(http)
    const publicStart = await cursorNow(http)
    const fullStart = await cursorNow(http, EMBARGO_READER)
    // Long enough for the checks before it on a busy machine, short enough to wait for.
    const liftsAt = Date.now() + 3000
    const embargo = { embargoUntil: new Date(liftsAt).toISOString(), time: AFTERNOON }
    const secret = await createEngagement(http, visit.id, { title: 'Secret talks', ...embargo })
    await http.patch(`/v1/engagements/${secret.id}`).set(authorised).set(ifMatch(1)).send({ title: 'Secret talks, moved', time: EVENING }).expect(200)
    const doomed = await createEngagement(http, visit.id, { title: 'Talks that never were', ...embargo })
    await http.delete(`/v1/engagements/${doomed.id}`).set(authorised).set(ifMatch(1)).set('Change-Reason', 'Secret reason').expect(204)
    const early = await createEngagement(http, visit.id, { title: 'Announced early', time: EVENING, embargoUntil: FAR_FUTURE })
    await http.patch(`/v1/engagements/${early.id}`).set(authorised).set(ifMatch(1)).send({ embargoUntil: null }).expect(200)
    const open = await createEngagement(http, visit.id, { title: 'Open talks', time: EVENING })

    const beforeLift = await pollAll(http, publicStart)
    const history = (await http.get(`/v1/visits/${visit.id}/changes`).expect(200)).body.data as Change[]
    assert.ok(Date.now() < liftsAt, 'the checks ran before the embargo ended')
    const publicBefore = ofVisits(beforeLift.changes, visit.id)
    // Not even the tombstone of the engagement deleted under embargo: the public never saw it.
    assert.deepEqual(actions(publicBefore), [
      ['engagement', 'create', early.id],
      ['engagement', 'update', early.id],
      ['engagement', 'create', open.id]
    ])
    assert.deepEqual(history.map((change) => change.entityId).reverse(), [visit.id, ...publicBefore.map((change) => change.entityId)])
    // The public numbers count public changes only, whoever made them: no gap tells of the hidden ones.
    assertConsecutive(beforeLift.changes)
    assert.deepEqual(history.slice(0, -1).map((change) => change.sequence).reverse(), publicBefore.map((change) => change.sequence), 'the history numbers as the feed does')

    const full = ofVisits((await pollAll(http, fullStart, EMBARGO_READER)).changes, visit.id)
    assert.deepEqual(full.map((change) => [change.entityId, change.action]), [
      [secret.id, 'create'], [secret.id, 'update'], [doomed.id, 'create'], [doomed.id, 'delete'],
      [early.id, 'create'], [early.id, 'update'], [open.id, 'create']
    ])
    assert.equal(full[3]?.reason, 'Secret reason')
    assert.equal(full[3]?.fields.title?.old, 'Talks that never were')

    await sleep(liftsAt - Date.now() + 100)
    const afterLift = ofVisits((await pollAll(http, beforeLift.cursor)).changes, visit.id)
    assert.deepEqual(actions(afterLift), [['engagement', 'create', secret.id], ['engagement', 'update', secret.id]])
    assert.deepEqual(afterLift[1]?.snapshot, (await http.get(`/v1/engagements/${secret.id}`).expect(200)).body)
    const everything = ofVisits((await pollAll(http, publicStart)).changes, visit.id)
    assert.equal(everything.some((change) => change.entityId === doomed.id), false, 'what was deleted under embargo stays unpublished')
    assertConsecutive((await pollAll(http, publicStart)).changes)
  })
})

describe('a visit\'s history', () => {
  const server = useTestApp({ extraTokens: TOKENS })

  it('comes newest first, page by page, with a summary of each change; a deleted visit\'s stays reachable by id', async () => {
    const http = server.http
    const visit = await createVisit(http)
    const leg = await createLeg(http, visit.id)
    const summit = await createEngagement(http, visit.id, { title: 'Summit with President Xi Jinping', kind: 'summit', legId: leg.id, time: AFTERNOON })
    await http.patch(`/v1/engagements/${summit.id}`).set(authorised).set(ifMatch(1)).send({ time: EVENING }).expect(200)
    await http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(1)).send({ status: 'cancelled' }).expect(200)

    const summaries: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: { data: Change[], nextCursor: string | null } } = await http.get(`/v1/visits/${visit.slug}/changes`)
        .query({ limit: 2, ...(cursor === null ? {} : { cursor }) }).expect(200)
      summaries.push(...page.body.data.map((change) => change.summary))
      cursor = page.body.nextCursor
    } while (cursor !== null)
    assert.deepEqual(summaries, [
      'Test state visit: status changed from scheduled to cancelled',
      'Summit with President Xi Jinping: moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening',
      'Summit with President Xi Jinping: added',
      'Beijing leg: added',
      'Test state visit: added'
    ])

    const first = await http.get(`/v1/visits/${visit.id}/changes`).expect(200)
    assert.match(first.headers['cache-control'] ?? '', /^public, max-age=\d+$/)
    await http.get(`/v1/visits/${visit.id}/changes`).set('If-None-Match', first.headers.etag ?? '').expect(304)

    await http.delete(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(2)).expect(204)
    await http.get(`/v1/visits/${visit.slug}/changes`).expect(404)
    const afterDelete = await http.get(`/v1/visits/${visit.id}/changes`).set('If-None-Match', first.headers.etag ?? '').expect(200)
    assert.deepEqual(afterDelete.body.data.slice(0, 3).map((change: Change) => change.summary), [
      'Test state visit: deleted', 'Beijing leg: deleted', 'Summit with President Xi Jinping: deleted'
    ])
    assert.equal(afterDelete.body.data.length, 8)
  })

  it('is 404 for an id that never had changes', async () => {
    const response = await server.http.get(`/v1/visits/${randomUUID()}/changes`).expect(404)
    assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  })
})

// Last in the file: the short retention prunes every change older than it, from the whole
// database, and the tests above read their own changes.
describe('retention', () => {
  const RETENTION_MS = 1500
  const server = useTestApp({ extraTokens: TOKENS })
  const shortLived = useTestApp({
    apiTokens: new Map([['test-desk', { secret: WRITE_TOKEN, scopes: ['write'] }]]),
    changeRetentionMs: RETENTION_MS
  })

  it('answers 410 Gone to a cursor older than the retention window, saying how to resync', async () => {
    const cursor = await cursorNow(shortLived.http)
    await shortLived.http.get('/v1/changes').query({ since: cursor }).expect(200)
    await sleep(RETENTION_MS + 100)
    const gone = await shortLived.http.get('/v1/changes').query({ since: cursor }).expect(410)
    assert.equal(gone.headers['content-type'], 'application/problem+json; charset=utf-8')
    assert.match(gone.body.detail, /older than the 2 seconds/)
    assert.match(gone.body.detail, /since=now/)
    assert.match(gone.body.detail, /list the visits and engagements again/)
  })

  it('prunes the changes older than the window when the feed is read', async () => {
    const visit = await createVisit(server.http)
    assert.equal((await server.http.get(`/v1/visits/${visit.id}/changes`).expect(200)).body.data.length, 1)
    await sleep(RETENTION_MS + 100)
    await shortLived.http.get('/v1/changes').query({ limit: 1 }).expect(200)
    assert.deepEqual((await server.http.get(`/v1/visits/${visit.id}/changes`).expect(200)).body.data, [])
  })
})

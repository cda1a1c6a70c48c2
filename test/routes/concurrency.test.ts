import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { authorised, createEngagement, createVisit, databaseUrl, ifMatch, needsPostgresServer, uniqueSlug, useTestApp } from '../helper.js'

const WRITERS = 50
const ROUNDS = 10
const SIMULTANEOUS_POSTS = 20

/** Requests sent when each round has one winner: WRITERS, then one fewer each round. */
function statusCount (writers: number, rounds: number) {
  return Array.from({ length: rounds }, (_, round) => writers - round).reduce((sum, count) => sum + count, 0)
}

describe('concurrency', () => {
  const server = useTestApp()
  let visitId: string
  before(async () => {
    visitId = (await createVisit(server.http)).id
  })

  it(`${WRITERS} writers with If-Match on one engagement: successes equal the version increase, all others 412`, async (t) => {
    const engagement = await createEngagement(server.http, visitId, {
      time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' },
      participants: [{ name: 'Li Qiang', role: 'counterpart' }]
    })
    const path = `/v1/engagements/${engagement.id}`
    const start = await server.http.get(path).expect(200)

    // Every writer starts from the same ETag; one that gets 412 reads again and retries, for a bounded number of rounds.
    const etags = new Map<number, string>(Array.from({ length: WRITERS }, (_, writer) => [writer, start.headers.etag as string]))
    const statuses = new Map<number, number>()
    let succeeded = 0
    let firstRoundSucceeded = 0
    for (let round = 0; round < ROUNDS && etags.size > 0; round++) {
      const results = await Promise.all([...etags].map(async ([writer, etag]) => {
        // Each writer replaces participants and sources too, so a mixed-up transaction would show.
        const response = await server.http.patch(path).set(authorised).set('If-Match', etag).send({
          title: `Written by ${writer}`,
          participants: [{ name: `Writer ${writer}`, role: 'attendee' }],
          sources: [{ title: `Source of writer ${writer}` }]
        })
        return { writer, status: response.status }
      }))
      for (const { writer, status } of results) {
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === 200) {
          succeeded++
          if (round === 0) firstRoundSucceeded++
          etags.delete(writer)
        }
      }
      const fresh = await server.http.get(path).expect(200)
      for (const writer of etags.keys()) etags.set(writer, fresh.headers.etag as string)
    }

    const final = await server.http.get(path).expect(200)
    const preconditionFailed = statuses.get(412) ?? 0
    t.diagnostic(`concurrency: ${WRITERS} writers, ${succeeded} succeeded, ${preconditionFailed} got 412, ` +
      `final version ${final.body.version} (from ${start.body.version}), ${firstRoundSucceeded} success(es) in the first round`)
    assert.deepEqual([...statuses.keys()].filter((status) => status !== 200 && status !== 412), [], 'only 200 and 412')
    assert.equal(succeeded, final.body.version - start.body.version)
    // All writers of a round hold the same ETag, so each round has exactly one winner.
    assert.equal(firstRoundSucceeded, 1)
    assert.equal(succeeded, ROUNDS)
    assert.equal(preconditionFailed, statusCount(WRITERS, ROUNDS) - ROUNDS)
    const writer = /^Written by (\d+)$/.exec(final.body.title)?.[1]
    assert.ok(writer !== undefined, final.body.title)
    assert.deepEqual(final.body.participants.map((p: { name: string }) => p.name), [`Writer ${writer}`])
    assert.deepEqual(final.body.sources.map((s: { title: string }) => s.title), [`Source of writer ${writer}`])
  })

  it(`${SIMULTANEOUS_POSTS} simultaneous POSTs with one Idempotency-Key create exactly one engagement`, async (t) => {
    const key = randomUUID()
    const title = `Simultaneous ${uniqueSlug()}`
    const body = { title, kind: 'meeting', time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' } }
    const post = () => server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).set('Idempotency-Key', key).send(body)
    const responses = await Promise.all(Array.from({ length: SIMULTANEOUS_POSTS }, post))

    const created = responses.filter((response) => response.status === 201)
    const inFlight = responses.filter((response) => response.status === 409)
    const rows = await server.app.prisma.engagement.count({ where: { title } })
    t.diagnostic(`idempotency: ${SIMULTANEOUS_POSTS} simultaneous POSTs, ${rows} row(s) created, ` +
      `${created.length} answered 201 (${created.filter((r) => r.headers['idempotent-replayed'] === 'true').length} replayed), ${inFlight.length} answered 409`)
    assert.equal(rows, 1)
    assert.equal(created.length + inFlight.length, SIMULTANEOUS_POSTS, `statuses: ${responses.map((r) => r.status).join(',')}`)
    assert.ok(created.length >= 1)
    assert.equal(created.filter((response) => response.headers['idempotent-replayed'] === undefined).length, 1)
    for (const response of created) assert.equal(response.text, created[0]?.text)
    for (const response of inFlight) assert.equal(response.headers['retry-after'], '1')

    // Once the first has finished, every retry gets its response.
    const retried = await Promise.all(inFlight.map(post))
    for (const response of retried) {
      assert.equal(response.status, 201)
      assert.equal(response.text, created[0]?.text)
    }
    assert.equal(await server.app.prisma.engagement.count({ where: { title } }), 1)
  })

  // A deadlock needs two sessions; on PGlite's one, the second client's transaction holds up the API's.
  it('runs a write again when Postgres undoes it to break a deadlock, a raw statement\'s included', needsPostgresServer, async () => {
    const time = { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }
    const hall = { name: `Deadlock hall ${uniqueSlug()}`, city: 'Beijing', country: 'CN' }
    const held = await createEngagement(server.http, visitId, { time, venue: hall })
    const edited = await createEngagement(server.http, visitId, { time, venue: hall })
    const other = new pg.Client({ connectionString: databaseUrl() })
    await other.connect()
    try {
      await other.query('BEGIN')
      // This session looks for deadlocks late, so that the API's session finds this one and is undone.
      await other.query("SET LOCAL deadlock_timeout = '60s'")
      await other.query('SELECT 1 FROM engagements WHERE id = $1 FOR UPDATE', [held.id])
      // A new translation of the hall is in the search document of every engagement held there: the
      // PATCH's raw UPDATE of those documents waits for this session...
      const patch = server.http.patch(`/v1/engagements/${edited.id}`).set(authorised).set(ifMatch(1))
        .send({ venue: { ...hall, address: '1 Example Road', nameTranslations: { zh: '僵局厅' } } }).then((response) => response)
      await waitUntilBlocking(other)
      // ...and this session now waits for the hall the PATCH holds, until Postgres undoes the PATCH.
      await other.query('UPDATE venues SET address = $1 WHERE name = $2', ['2 Example Road', hall.name])
      await other.query('ROLLBACK')
      // The service ran the PATCH again, and this time nothing stood in its way.
      const response = await patch
      assert.equal(response.status, 200, JSON.stringify(response.body))
    } finally {
      await other.end()
    }
    const after = await server.http.get(`/v1/engagements/${edited.id}`).expect(200)
    assert.equal(after.body.version, 2)
    assert.equal(after.body.venue.address, '1 Example Road')
    assert.equal((await server.http.get(`/v1/engagements/${held.id}`).expect(200)).body.venue.address, '1 Example Road')
  })

  // Only separate sessions can deadlock. On PGlite's one session these 40 writes run one after
  // another, and under a busy machine the last wait longer than the connect timeout (503): a
  // measure of the embedded database's throughput, not of what this test is about.
  it('writes that name two people in opposite orders all succeed', needsPostgresServer, async (t) => {
    const pairs = 20
    const [first, second] = [`Opposite ${uniqueSlug()}`, `Order ${uniqueSlug()}`]
    const time = { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }
    const engagements = await Promise.all(Array.from({ length: pairs * 2 }, () => createEngagement(server.http, visitId, { time })))
    // Each write sends new details of both people, so each updates both and every engagement that shows them.
    const statuses = await Promise.all(engagements.map(async (engagement, index) => {
      const people = [{ name: first, role: 'host', nameTranslations: { ko: `첫째 ${index}` }, country: index % 2 === 0 ? 'CN' : 'KR' },
        { name: second, role: 'guest', nameTranslations: { ko: `둘째 ${index}` }, country: index % 2 === 0 ? 'KR' : 'CN' }]
      const response = await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set(ifMatch(1))
        .send({ participants: index % 2 === 0 ? people : people.reverse() })
      // The people's other engagements get new versions as they change: read the current one and try again.
      if (response.status === 412) {
        const current = await server.http.get(`/v1/engagements/${engagement.id}`).expect(200)
        return (await server.http.patch(`/v1/engagements/${engagement.id}`).set(authorised).set('If-Match', current.headers.etag as string)
          .send({ participants: index % 2 === 0 ? people : people.reverse() })).status
      }
      return response.status
    }))
    const counts = Object.fromEntries([...new Set(statuses)].map((status) => [status, statuses.filter((item) => item === status).length]))
    t.diagnostic(`opposite orders: ${JSON.stringify(counts)}`)
    assert.deepEqual(counts, { 200: pairs * 2 })
  })

  it('numbers legs added at the same moment without a sequence one after another', async () => {
    const visit = await createVisit(server.http)
    const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => server.http.post(`/v1/visits/${visit.id}/legs`).set(authorised).send({
      city: `City ${index}`, country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-05'
    })))
    assert.deepEqual(responses.map((response) => response.status), Array(10).fill(201), JSON.stringify(responses.map((response) => response.body)))
    assert.deepEqual(responses.map((response) => response.body.sequence).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('answers 404, not 409, to an engagement added while its visit is being deleted', needsPostgresServer, async () => {
    const visit = await createVisit(server.http)
    const other = new pg.Client({ connectionString: databaseUrl() })
    await other.connect()
    try {
      // The delete in progress, as deleteVisit runs it: the visit locked, then gone.
      await other.query('BEGIN')
      await other.query('SELECT 1 FROM visits WHERE id = $1 FOR UPDATE', [visit.id])
      const post = server.http.post(`/v1/visits/${visit.id}/engagements`).set(authorised)
        .send({ title: 'Too late', kind: 'meeting', time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' } })
        .then((response) => response)
      await waitUntilBlocking(other)
      await other.query('DELETE FROM visits WHERE id = $1', [visit.id])
      await other.query('COMMIT')
      const response = await post
      assert.equal(response.status, 404, JSON.stringify(response.body))
      assert.match(response.body.detail, /visit was deleted/)
    } finally {
      await other.end()
    }
  })
})

/** Waits until some other session waits for a lock `session` holds. */
async function waitUntilBlocking (session: pg.Client) {
  for (;;) {
    const waiting = await session.query('SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))')
    if (waiting.rowCount !== 0) return
    await sleep(20)
  }
}

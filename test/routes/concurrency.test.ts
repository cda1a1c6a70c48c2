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
  it('answers 503 with Retry-After to a write Postgres undoes to break a deadlock, and keeps nothing of it', needsPostgresServer, async () => {
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
      // The PATCH changes the hall, so it must give `held` a new version: it waits for this session...
      const patch = server.http.patch(`/v1/engagements/${edited.id}`).set(authorised).set(ifMatch(1))
        .send({ venue: { ...hall, address: '1 Example Road' } }).then((response) => response)
      for (;;) {
        const waiting = await other.query('SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))')
        if (waiting.rowCount !== 0) break
        await sleep(20)
      }
      // ...and this session now waits for the hall the PATCH holds.
      const venueUpdate = other.query('UPDATE venues SET address = $1 WHERE name = $2', ['2 Example Road', hall.name])
      const response = await patch
      assert.equal(response.status, 503, JSON.stringify(response.body))
      assert.equal(response.body.type, '/problems/write-conflict')
      assert.equal(response.headers['retry-after'], '1')
      await venueUpdate
      await other.query('ROLLBACK')
    } finally {
      await other.end()
    }
    const after = await server.http.get(`/v1/engagements/${edited.id}`).expect(200)
    assert.equal(after.body.version, 1)
    assert.equal(after.body.venue.address, null)
  })
})

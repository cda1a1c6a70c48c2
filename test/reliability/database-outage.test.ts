import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { defaultSettings } from '../../src/config.js'
import { TOKEN_SCOPES } from '../../src/domain/access.js'
import { CuttableProxy } from '../cuttable-proxy.js'
import { WRITE_TOKEN, authorised, buildTestApp, databaseUrl, visitBody } from '../helper.js'

// The embedded PGlite runs one statement at a time for every connection, and an open transaction
// holds it for its own, so there a transaction can wait its turn longer than 2 s under this load
// (and the rest of the suite's): it gets the service's default, as a newcomer's start has.
const CONNECT_TIMEOUT_MS = process.env.TEST_DATABASE === 'embedded' ? defaultSettings.app.timeouts.databaseConnectMs : 2000
// Every answer, even during the outage, must come within the connection timeout plus the time
// the request needs once it has a connection.
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + 3000
const WORKERS = 6

interface Outcome {
  phase: 'before' | 'outage' | 'after'
  request: string
  status: number
  contentType: string
  retryAfter: string | undefined
  elapsedMs: number
}

describe('when the database goes away mid-load and comes back', () => {
  it('answers 2xx or 503 with Retry-After in bounded time, recovers by itself, and never half-applies a write', async (t) => {
    let stop = false
    // First of the after hooks: a failed assertion must not leave the workers running.
    t.after(() => { stop = true })
    const target = new URL(databaseUrl())
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) })
    await proxy.open()
    t.after(() => proxy.cut())
    const proxiedUrl = new URL(target)
    proxiedUrl.port = String(proxy.port)

    const { app, http } = await buildTestApp(t, {
      databaseUrl: proxiedUrl.toString(),
      apiTokens: new Map([['outage-desk', { secret: WRITE_TOKEN, scopes: [...TOKEN_SCOPES] }]]),
      timeouts: { databaseConnectMs: CONNECT_TIMEOUT_MS }
    })
    const visit = (await http.post('/v1/visits').set(authorised).send(visitBody({ title: 'Outage drill' })).expect(201)).body as { id: string }

    let phase: Outcome['phase'] = 'before'
    const outcomes: Outcome[] = []
    let sequence = 0
    // Each created engagement says in its title how many participants and sources it was sent.
    const createEngagement = () => {
      const n = sequence++
      const participants = 1 + (n % 4)
      const sources = 1 + (n % 3)
      return http.post(`/v1/visits/${visit.id}/engagements`).set(authorised).send({
        title: `drill ${n} p${participants} s${sources}`,
        kind: 'meeting',
        time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-05' },
        participants: Array.from({ length: participants }, (_, i) => ({ name: `Drill Guest ${n}-${i}`, role: 'guest' })),
        sources: Array.from({ length: sources }, (_, i) => ({ title: `Drill source ${n}-${i}` }))
      })
    }
    const requests = [
      { name: 'create engagement', send: createEngagement },
      { name: 'list engagements', send: () => http.get(`/v1/engagements?visit=${visit.id}&limit=20`) },
      { name: 'itinerary', send: () => http.get(`/v1/visits/${visit.id}/itinerary`) }
    ]

    const worker = async (offset: number) => {
      for (let i = offset; !stop; i++) {
        const request = requests[i % requests.length] as typeof requests[number]
        const started = Date.now()
        const startedIn = phase
        const response = await request.send().timeout(ANSWER_BOUND_MS * 2)
        outcomes.push({
          // A request in flight when the phase changed belongs to the outage.
          phase: startedIn === phase ? phase : 'outage',
          request: request.name,
          status: response.status,
          contentType: response.headers['content-type'] ?? '',
          retryAfter: response.headers['retry-after'],
          elapsedMs: Date.now() - started
        })
      }
    }
    const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)))

    // Cut once every worker has been answered a few times, so the cut lands mid-load.
    while (outcomes.length < WORKERS * 3) await sleep(50)
    phase = 'outage'
    await proxy.cut()
    await sleep(3000)
    const readyDuringOutage = await http.get('/readyz').timeout(ANSWER_BOUND_MS)
    assert.equal(readyDuringOutage.status, 503)
    assert.ok(Number(readyDuringOutage.headers['retry-after']) > 0)

    await proxy.open()
    const restoredAt = Date.now()
    let ready = 0
    while (ready !== 200 && Date.now() - restoredAt < 15_000) {
      ready = (await http.get('/readyz').timeout(ANSWER_BOUND_MS)).status
      if (ready !== 200) await sleep(200)
    }
    assert.equal(ready, 200, 'ready again within 15 s of the database coming back')
    phase = 'after'
    // A few answers to requests sent after recovery, however slow the machine.
    const recoveredAt = Date.now()
    while (outcomes.filter((outcome) => outcome.phase === 'after').length < WORKERS && Date.now() - recoveredAt < 15_000) await sleep(100)
    stop = true
    await load

    const unexpected = outcomes.filter((outcome) => !(outcome.status >= 200 && outcome.status < 300) &&
      !(outcome.status === 503 && outcome.contentType.startsWith('application/problem+json') && Number(outcome.retryAfter) > 0))
    assert.deepEqual(unexpected, [], 'every answer is a success or a 503 problem with Retry-After')
    // Before the cut the first requests also warm up a cold app on a busy machine: not timed.
    const slowest = Math.max(...outcomes.filter((outcome) => outcome.phase !== 'before').map((outcome) => outcome.elapsedMs))
    assert.ok(slowest < ANSWER_BOUND_MS, `slowest answer during and after the outage: ${slowest} ms`)
    const count = (which: Outcome['phase'], ok: boolean) =>
      outcomes.filter((outcome) => outcome.phase === which && (outcome.status < 300) === ok).length
    assert.ok(count('before', true) > 0 && count('before', false) === 0, 'all well before the cut')
    assert.ok(count('outage', false) > 0, 'the outage was noticed')
    const failedAfter = outcomes.filter((outcome) => outcome.phase === 'after' && outcome.status >= 300)
    assert.ok(count('after', true) > 0 && failedAfter.length === 0, `all well after recovery: ${JSON.stringify(failedAfter)}`)
    t.diagnostic(`${outcomes.length} requests: before ${count('before', true)} ok; outage ${count('outage', true)} ok, ` +
      `${count('outage', false)} 503; after ${count('after', true)} ok; slowest ${slowest} ms`)

    // Whatever the outage interrupted was rolled back whole: each engagement has exactly the
    // participants and sources its title says it was sent with.
    const rows = await app.prisma.engagement.findMany({
      where: { visitId: visit.id },
      select: { title: true, _count: { select: { participants: true, sources: true } } }
    })
    assert.ok(rows.length > 0)
    for (const row of rows) {
      const [, participants, sources] = /p(\d+) s(\d+)$/.exec(row.title) ?? []
      assert.deepEqual([row._count.participants, row._count.sources], [Number(participants), Number(sources)], row.title)
    }
    const created = outcomes.filter((outcome) => outcome.request === 'create engagement' && outcome.status === 201).length
    assert.ok(rows.length >= created, `${rows.length} rows for ${created} acknowledged creates`)
  })
})

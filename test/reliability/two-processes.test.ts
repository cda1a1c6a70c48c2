import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { request, type IncomingHttpHeaders } from 'node:http'
import { before, describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { databaseUrl, needsPostgresServer, visitBody } from '../helper.js'
import { needsRedis, requireRedis, testRedisUrl, uniqueLoopbackAddress } from '../redis.js'
import { spawnServer, waitForAddress, type ServerProcess } from '../server-process.js'

// The service as it is scaled out: several processes, each with no state of its own that a reader
// could see, on one Postgres (ETags, idempotency keys, the change log, the content version that
// cached responses are keyed by) and one Redis (rate limits). Two real server processes here,
// started together on one database, as `docker compose up --scale api=2` starts them.

const EXIT_BOUND_MS = 15_000

interface Reply { status: number, headers: IncomingHttpHeaders, text: string, body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

interface CallOptions { token?: string, headers?: Record<string, string>, body?: unknown, localAddress?: string }

/** One request on a connection of its own, from `localAddress` when given (any 127.x.y.z reaches 127.0.0.1). */
function call (baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const outgoing = request(new URL(path, baseUrl), {
      method,
      agent: false,
      localAddress: options.localAddress,
      headers: {
        ...options.headers,
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) })
      }
    }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('end', () => {
        const json = /json/.test(response.headers['content-type'] ?? '') && text !== ''
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body: json ? JSON.parse(text) : undefined })
      })
    })
    outgoing.on('error', reject)
    outgoing.end(payload)
  })
}

/** Two servers started at once on the test's database, sharing Redis and one write token. */
async function twoServers (t: TestContext, env: Record<string, string> = {}) {
  const token = { name: `two-processes-${randomUUID().slice(0, 8)}`, secret: `secret-${randomUUID()}` }
  const spawnOne = () => spawnServer(t, {
    DATABASE_URL: databaseUrl(),
    REDIS_URL: testRedisUrl,
    API_TOKENS: `${token.name}:${token.secret}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env
  })
  const processes = [spawnOne(), spawnOne()]
  const [a, b] = await Promise.all(processes.map((server) => waitForAddress(server)))
  return { a: a!, b: b!, token: token.secret, processes }
}

/** SIGTERM to each: every one exits 0, promptly (its Redis client does not hold it back). */
async function stopAll (processes: ServerProcess[]) {
  for (const server of processes) server.child.kill('SIGTERM')
  for (const server of processes) {
    const [code] = await Promise.race([server.exited, sleep(EXIT_BOUND_MS).then(() => [undefined] as const)])
    assert.equal(code, 0, `exit code within ${EXIT_BOUND_MS} ms of SIGTERM:\n${server.output().slice(-2000)}`)
  }
}

function assertRateLimited (reply: Reply, label: string) {
  assert.equal(reply.status, 429, `${label}: ${reply.text.slice(0, 200)}`)
  assert.match(reply.headers['content-type'] ?? '', /^application\/problem\+json/)
  assert.equal(reply.body.type, '/problems/rate-limited')
  assert.ok(Number(reply.headers['retry-after']) >= 1, `${label}: Retry-After ${reply.headers['retry-after']}`)
}

describe('two API processes on one Postgres and one Redis', { skip: needsPostgresServer.skip || needsRedis.skip }, () => {
  before(requireRedis)

  it('start together on an empty database, see each other\'s writes at once, let one of racing writers win, and replay each other\'s idempotent POSTs', async (t) => {
    // Budgets this test never reaches: it writes about a hundred times in a minute. The first test
    // of the file: both find its database empty, and take turns to prepare it (src/startup/database.ts),
    // so that the second does not load the demo visit again beside the first's, which fails its start.
    const { a, b, token, processes } = await twoServers(t, { RATE_LIMIT_READS_PER_MINUTE: '1000000', RATE_LIMIT_WRITES_PER_MINUTE: '1000000' })
    for (const server of [a, b]) assert.equal((await call(server, 'GET', '/v1/visits/lee-jae-myung-china-2026')).status, 200)
    const write = (baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      call(baseUrl, method, path, { token, body, headers })

    const visit = (await write(a, 'POST', '/v1/visits', visitBody({ title: 'Two processes' }))).body as { id: string }
    const leg = (await write(a, 'POST', `/v1/visits/${visit.id}/legs`, {
      city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-06'
    })).body as { id: string }
    const guest = `Guest ${randomUUID().slice(0, 8)}`
    const created = await write(a, 'POST', `/v1/visits/${visit.id}/engagements`, {
      title: 'Talks', kind: 'talks', legId: leg.id,
      time: { precision: 'exact', timeZone: 'Asia/Shanghai', localStart: '2026-01-05T10:00' },
      participants: [{ name: guest, role: 'counterpart' }]
    })
    assert.equal(created.status, 201, created.text)
    const engagement = created.body as { id: string, participants: Array<{ participantId: string }> }
    const participantId = engagement.participants[0]!.participantId
    const itinerary = `/v1/visits/${visit.id}/itinerary`

    await t.test('a write on one is what the other answers next: no stale 304, no stale cached 200', async () => {
      // Each kind of write: the resource written, what to change in it, and what B shows it in.
      const kinds = [
        { name: 'engagement', path: `/v1/engagements/${engagement.id}`, change: (marker: string) => ({ title: `Talks ${marker}` }), shownIn: [`/v1/engagements/${engagement.id}`, itinerary] },
        { name: 'leg', path: `/v1/legs/${leg.id}`, change: (marker: string) => ({ city: `Beijing ${marker}` }), shownIn: [`/v1/legs/${leg.id}`, itinerary] },
        { name: 'visit', path: `/v1/visits/${visit.id}`, change: (marker: string) => ({ title: `Two processes ${marker}` }), shownIn: [`/v1/visits/${visit.id}`, itinerary] },
        // A person is shared by engagements: renaming them changes every engagement they are in.
        { name: 'participant', path: `/v1/participants/${participantId}`, change: (marker: string) => ({ name: `${guest} ${marker}` }), shownIn: [`/v1/participants/${participantId}`, `/v1/engagements/${engagement.id}`, itinerary] }
      ]
      for (let round = 0; round < 20; round += 1) {
        for (const kind of kinds) {
          const marker = `r${round}-${randomUUID().slice(0, 6)}`
          // Read on B first: B has answered (and may have cached) what is about to change.
          const seen = new Map<string, string>()
          for (const path of kind.shownIn) {
            const before = await call(b, 'GET', path)
            assert.equal(before.status, 200, `${kind.name} round ${round}: GET ${path} on B: ${before.text}`)
            seen.set(path, String(before.headers.etag))
          }
          const current = await call(b, 'GET', kind.path)
          const changed = await write(a, 'PATCH', kind.path, kind.change(marker), { 'if-match': String(current.headers.etag) })
          assert.equal(changed.status, 200, `${kind.name} round ${round}: PATCH on A: ${changed.text}`)
          for (const [path, etag] of seen) {
            const revalidated = await call(b, 'GET', path, { headers: { 'if-none-match': etag } })
            assert.equal(revalidated.status, 200, `${kind.name} round ${round}: GET ${path} on B with the ETag read before the write`)
            assert.ok(revalidated.text.includes(marker), `${kind.name} round ${round}: GET ${path} on B revalidated shows the write`)
            assert.notEqual(revalidated.headers.etag, etag)
            const plain = await call(b, 'GET', path)
            assert.equal(plain.status, 200)
            assert.ok(plain.text.includes(marker), `${kind.name} round ${round}: GET ${path} on B shows the write`)
          }
        }
      }
    })

    await t.test('writers racing with one If-Match at both processes: exactly one wins, the others get 412', async () => {
      for (let round = 0; round < 5; round += 1) {
        const path = `/v1/engagements/${engagement.id}`
        const etag = String((await call(a, 'GET', path)).headers.etag)
        const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
          write(i % 2 === 0 ? a : b, 'PATCH', path, { title: `Race ${round}-${i}` }, { 'if-match': etag })))
        const statuses = replies.map((reply) => reply.status).sort()
        assert.deepEqual(statuses, [200, ...Array(9).fill(412)], replies.map((reply) => `${reply.status} ${reply.text.slice(0, 120)}`).join('\n'))
        for (const reply of replies.filter((item) => item.status === 412)) {
          assert.match(reply.headers['content-type'] ?? '', /^application\/problem\+json/)
          assert.equal(reply.body.type, '/problems/precondition-failed')
        }
        const winner = replies.find((reply) => reply.status === 200)!.body as { title: string }
        for (const server of [a, b]) assert.equal((await call(server, 'GET', path)).body.title, winner.title)
      }
    })

    await t.test('an Idempotency-Key POST sent to both, one after the other or at once, creates one engagement', async () => {
      const post = (server: string, key: string, title: string) => write(server, 'POST', `/v1/visits/${visit.id}/engagements`,
        { title, kind: 'meeting', time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-05' } }, { 'idempotency-key': key })
      const titled = async (title: string) => {
        const page = await call(b, 'GET', `/v1/engagements?visit=${visit.id}&limit=200`)
        assert.equal(page.status, 200, page.text)
        return (page.body.data as Array<{ title: string }>).filter((item) => item.title === title).length
      }

      const title = `Retried ${randomUUID().slice(0, 8)}`
      const key = randomUUID()
      const first = await post(a, key, title)
      assert.equal(first.status, 201, first.text)
      assert.equal(first.headers['idempotent-replayed'], undefined)
      const retry = await post(b, key, title)
      assert.equal(retry.status, 201, retry.text)
      assert.equal(retry.headers['idempotent-replayed'], 'true')
      assert.equal(retry.body.id, first.body.id)
      assert.equal(await titled(title), 1)

      for (let round = 0; round < 5; round += 1) {
        const title = `Sent twice ${round} ${randomUUID().slice(0, 8)}`
        const key = randomUUID()
        const replies = await Promise.all([post(a, key, title), post(b, key, title)])
        const created = replies.filter((reply) => reply.status === 201 && reply.headers['idempotent-replayed'] === undefined)
        assert.equal(created.length, 1, replies.map((reply) => `${reply.status} ${reply.text.slice(0, 120)}`).join('\n'))
        for (const other of replies.filter((reply) => reply !== created[0])) {
          // The other one is a replay, or, while the first still runs, 409 with Retry-After.
          if (other.status === 201) assert.equal(other.body.id, created[0]!.body.id)
          else {
            assert.equal(other.status, 409, other.text)
            assert.equal(other.body.type, '/problems/idempotency-key-in-flight')
            assert.ok(Number(other.headers['retry-after']) >= 1)
          }
        }
        assert.equal(await titled(title), 1, `round ${round}: one engagement created`)
      }
    })

    await stopAll(processes)
  })

  it('count each rate limit across both processes: the 11th request of a budget of 10 is refused, wherever it goes', async (t) => {
    const { a, b, token, processes } = await twoServers(t, {
      RATE_LIMIT_READS_PER_MINUTE: '10', RATE_LIMIT_WRITES_PER_MINUTE: '3', RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3'
    })
    const inTurn = async (count: number, send: (server: string) => Promise<Reply>) => {
      const replies: Reply[] = []
      for (let i = 0; i < count; i += 1) replies.push(await send(i % 2 === 0 ? a : b))
      return replies
    }

    const reads = await inTurn(11, (server) => call(server, 'GET', '/v1/visits', { token }))
    assert.deepEqual(reads.slice(0, 10).map((reply) => reply.status), Array(10).fill(200))
    assertRateLimited(reads[10]!, 'the 11th read of the token (the 6th on A)')

    // Clients without a token count by address: an address of this run's own, so parallel runs never share it.
    const reader = uniqueLoopbackAddress()
    const anonymous = await inTurn(11, (server) => call(server, 'GET', '/v1/visits', { localAddress: reader }))
    assert.deepEqual(anonymous.slice(0, 10).map((reply) => reply.status), Array(10).fill(200))
    assertRateLimited(anonymous[10]!, 'the 11th anonymous read from one address')

    const writes = await inTurn(4, (server) => call(server, 'POST', '/v1/visits', { token, body: visitBody() }))
    assert.deepEqual(writes.slice(0, 3).map((reply) => reply.status), [201, 201, 201])
    assertRateLimited(writes[3]!, 'the 4th write of the token')

    const guesser = uniqueLoopbackAddress()
    const guesses = await inTurn(4, (server) => call(server, 'GET', '/v1/visits', { token: 'not-the-secret', localAddress: guesser }))
    assert.deepEqual(guesses.slice(0, 3).map((reply) => reply.status), [401, 401, 401])
    assertRateLimited(guesses[3]!, 'the 4th wrong token from one address (the 2nd on B)')

    await stopAll(processes)
  })
})

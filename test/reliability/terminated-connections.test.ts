import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { databaseUrl, needsPostgresServer, visitBody } from '../helper.js'
import { send, spawnServer, waitForAddress } from '../server-process.js'

const SECRET = 'terminated-connections-secret'
// Termination rounds a few tens of milliseconds apart, under more concurrent requests than the
// pool has connections, so that transactions wait for one: the process died in every one of 10
// runs before pool clients had listeners of their own (in 3 of 10 with 8 workers, 120 rounds).
const ROUNDS = 200
const WORKERS = 24
const RECOVERY_BOUND_MS = 10_000

interface Outcome { request: string, status: number, contentType: string, body: string }

describe('Postgres terminating the service\'s connections under load', needsPostgresServer, () => {
  it('keeps the process up, answers 2xx or 503 problem+json meanwhile, and serves again within seconds', async (t) => {
    // A database of its own, so that the backends named itinerary-api on it are this server's.
    const admin = new pg.Client({ connectionString: databaseUrl() })
    admin.on('error', () => {})
    await admin.connect()
    const name = `itinerary_terminate_${randomBytes(4).toString('hex')}`
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(databaseUrl())
    url.pathname = `/${name}`

    const server = spawnServer(t, {
      DATABASE_URL: url.toString(),
      PORT: '0',
      API_TOKENS: `terminate-desk:${SECRET}`,
      LOG_LEVEL: 'warn',
      DB_CONNECT_TIMEOUT_MS: '2000',
      RATE_LIMIT_READS_PER_MINUTE: '1000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000000'
    })
    let stop = false
    t.after(async () => {
      stop = true
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    })
    const baseUrl = await waitForAddress(server)
    const visit = JSON.parse((await send(baseUrl, 'POST', '/v1/visits', { body: visitBody({ title: 'Termination drill' }), token: SECRET })).body) as { id: string }

    let sequence = 0
    const requests = [
      {
        name: 'create engagement',
        send: () => send(baseUrl, 'POST', `/v1/visits/${visit.id}/engagements`, {
          token: SECRET,
          body: {
            title: `Termination drill ${sequence++}`,
            kind: 'meeting',
            time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-05' },
            participants: Array.from({ length: 4 }, (_, i) => ({ name: `Drill Guest ${sequence}-${i}`, role: 'guest' }))
          }
        })
      },
      { name: 'itinerary', send: () => send(baseUrl, 'GET', `/v1/visits/${visit.id}/itinerary`) },
      { name: 'list engagements', send: () => send(baseUrl, 'GET', `/v1/engagements?visit=${visit.id}&limit=20`) }
    ]
    const outcomes: Outcome[] = []
    const dropped: string[] = []
    const worker = async (offset: number) => {
      for (let i = offset; !stop && server.child.exitCode === null; i++) {
        const request = requests[i % requests.length] as typeof requests[number]
        try {
          const answer = await request.send()
          outcomes.push({ request: request.name, status: answer.status, contentType: answer.contentType, body: answer.body })
        } catch (error) {
          // The process may die between two requests; what matters then is that it died.
          if (server.child.exitCode === null) dropped.push(`${request.name}: ${(error as Error).message}`)
        }
      }
    }
    const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)))
    while (outcomes.length < WORKERS * 2) await sleep(20)

    let terminated = 0
    for (let round = 0; round < ROUNDS && server.child.exitCode === null; round++) {
      const result = await admin.query<{ count: string }>(
        'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS count FROM pg_stat_activity ' +
        "WHERE datname = $1 AND application_name = 'itinerary-api'", [name])
      terminated += Number(result.rows[0]?.count ?? 0)
      await sleep(10 + Math.random() * 60)
    }
    const terminationEndedAt = Date.now()

    // Serving again: a read and a write both succeed.
    let recoveredAt: number | undefined
    while (recoveredAt === undefined && server.child.exitCode === null && Date.now() - terminationEndedAt < RECOVERY_BOUND_MS) {
      const [read, write] = await Promise.all([requests[1]!.send(), requests[0]!.send()]).catch(() => [])
      if (read?.status === 200 && write?.status === 201) recoveredAt = Date.now()
      else await sleep(200)
    }
    stop = true
    await load

    // The log's errors say why the process stopped, if it did; the full log would drown them.
    const errors = () => server.output().split('\n').filter((line) => /"level":(50|60)|^\S*Error/.test(line)).join('\n').slice(-4000)
    assert.equal(server.child.exitCode, null, `the server process is still running:\n${errors()}`)
    assert.ok(!server.output().includes('shutting down after an error'), errors())
    assert.ok(terminated > ROUNDS, `backends named itinerary-api were terminated (${terminated} in ${ROUNDS} rounds)`)
    assert.deepEqual(dropped, [], 'every request got an HTTP answer')
    const unexpected = outcomes.filter((outcome) => !(outcome.status >= 200 && outcome.status < 300) &&
      !(outcome.status === 503 && outcome.contentType.startsWith('application/problem+json')))
    assert.deepEqual(unexpected, [], 'every answer is a success or a 503 problem')
    assert.ok(recoveredAt !== undefined, `a read and a write succeed within ${RECOVERY_BOUND_MS} ms of the last termination`)
    assert.ok(/"level":40.*database connection/.test(server.output()), 'lost connections are logged as warnings')
    const unavailable = outcomes.filter((outcome) => outcome.status === 503).length
    t.diagnostic(`${terminated} backends terminated in ${ROUNDS} rounds; ${outcomes.length} answers, ${unavailable} of them 503; ` +
      `serving again ${recoveredAt - terminationEndedAt} ms after the last termination`)
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { databaseUrl, visitBody } from '../helper.js'
import { send as sendAs, spawnServer, waitForAddress } from '../server-process.js'

const SECRET = 'graceful-shutdown-secret'
const BURST = 16
const EXIT_BOUND_MS = 15_000

const send = (baseUrl: string, method: string, path: string, body?: unknown) => sendAs(baseUrl, method, path, { body, token: SECRET })

describe('SIGTERM during load', () => {
  it('finishes the requests in flight, refuses new ones and exits 0', async (t) => {
    const server = spawnServer(t, { DATABASE_URL: databaseUrl(), PORT: '0', HOST: '127.0.0.1', API_TOKENS: `shutdown-desk:${SECRET}`, LOG_LEVEL: 'info' })
    const baseUrl = await waitForAddress(server)

    const visit = JSON.parse((await send(baseUrl, 'POST', '/v1/visits', visitBody({ title: 'Shutdown drill' }))).body) as { id: string }
    const incomingBefore = (server.output().match(/"incoming request"/g) ?? []).length
    // Engagements with many participants are multi-row transactions: slow enough to be in flight.
    const burst = Array.from({ length: BURST }, (_, i) => i % 2 === 0
      ? send(baseUrl, 'POST', `/v1/visits/${visit.id}/engagements`, {
          title: `Shutdown drill ${i}`,
          kind: 'meeting',
          time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-05' },
          participants: Array.from({ length: 12 }, (_, j) => ({ name: `Shutdown Guest ${i}-${j}`, role: 'attendee' }))
        })
      : send(baseUrl, 'GET', `/v1/visits/${visit.id}/itinerary?tz=America/New_York`))
    const settled = Promise.allSettled(burst)

    // SIGTERM once the server has received every request of the burst.
    while ((server.output().match(/"incoming request"/g) ?? []).length < incomingBefore + BURST) await sleep(5)
    const signalledAt = Date.now()
    server.child.kill('SIGTERM')
    await sleep(100)
    const late = await send(baseUrl, 'GET', '/v1/visits').then((answer) => answer, (error: NodeJS.ErrnoException) => error)

    const outcomes = await settled
    const answers = outcomes.map((outcome) => {
      assert.equal(outcome.status, 'fulfilled', `every request in flight is answered: ${String((outcome as PromiseRejectedResult).reason)}`)
      return outcome.value
    })
    const warnings = () => server.output().split('\n').filter((line) => line.includes('"level":40')).join('\n')
    for (const answer of answers) assert.ok(answer.status >= 200 && answer.status < 300, `${answer.status} ${answer.body}\n${warnings()}`)
    assert.ok(answers.some((answer) => answer.answeredAt > signalledAt), 'some requests were still running at SIGTERM')
    if (late instanceof Error) {
      // Refused; or, when the connection slipped in just before the listening socket closed,
      // reset as an idle connection, before its request was read.
      assert.ok(['ECONNREFUSED', 'ECONNRESET'].includes(late.code ?? ''), late.code)
    } else {
      assert.equal(late.status, 503)
      assert.match(late.contentType, /^application\/problem\+json/)
    }

    const [code] = await Promise.race([server.exited, sleep(EXIT_BOUND_MS).then(() => [undefined] as const)])
    assert.equal(code, 0, `exit code within ${EXIT_BOUND_MS} ms of SIGTERM:\n${server.output().slice(-2000)}`)
    t.diagnostic(`${answers.filter((answer) => answer.answeredAt > signalledAt).length} of ${BURST} answered after SIGTERM; ` +
      `exited ${Date.now() - signalledAt} ms after it; a new request then got ${late instanceof Error ? late.code : late.status}`)
  })
})

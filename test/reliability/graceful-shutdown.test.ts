import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { databaseUrl, visitBody } from '../helper.js'

const SECRET = 'graceful-shutdown-secret'
const BURST = 16
const EXIT_BOUND_MS = 15_000

interface Answer { status: number, contentType: string, body: string, answeredAt: number }

/** One request on a connection of its own; rejects with the socket error when there is no answer. */
function send (baseUrl: string, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const outgoing = request(new URL(path, baseUrl), {
      method,
      agent: false,
      headers: {
        authorization: `Bearer ${SECRET}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      }
    }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({
        status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: text, answeredAt: Date.now()
      }))
    })
    outgoing.on('error', reject)
    outgoing.end(payload)
  })
}

describe('SIGTERM during load', () => {
  it('finishes the requests in flight, refuses new ones and exits 0', async (t) => {
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: databaseUrl(), PORT: '0', HOST: '127.0.0.1', API_TOKENS: `shutdown-desk:${SECRET}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    t.after(() => { if (server.exitCode === null) server.kill('SIGKILL') })
    let output = ''
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    const exited = once(server, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

    const startedAt = Date.now()
    let baseUrl: string | undefined
    while (baseUrl === undefined && Date.now() - startedAt < 60_000 && server.exitCode === null) {
      baseUrl = /Diplomatic itinerary API\s+(http:\/\/[^/\s]+)/.exec(output)?.[1]
      if (baseUrl === undefined) await sleep(100)
    }
    assert.ok(baseUrl, `the server printed its address:\n${output}`)

    const visit = JSON.parse((await send(baseUrl, 'POST', '/v1/visits', visitBody({ title: 'Shutdown drill' }))).body) as { id: string }
    const incomingBefore = (output.match(/"incoming request"/g) ?? []).length
    // Engagements with many participants are multi-row transactions: slow enough to be in flight.
    const burst = Array.from({ length: BURST }, (_, i) => i % 2 === 0
      ? send(baseUrl as string, 'POST', `/v1/visits/${visit.id}/engagements`, {
          title: `Shutdown drill ${i}`,
          kind: 'meeting',
          time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-05' },
          participants: Array.from({ length: 12 }, (_, j) => ({ name: `Shutdown Guest ${i}-${j}`, role: 'attendee' }))
        })
      : send(baseUrl as string, 'GET', `/v1/visits/${visit.id}/itinerary?tz=America/New_York`))
    const settled = Promise.allSettled(burst)

    // SIGTERM once the server has received every request of the burst.
    while ((output.match(/"incoming request"/g) ?? []).length < incomingBefore + BURST) await sleep(5)
    const signalledAt = Date.now()
    server.kill('SIGTERM')
    await sleep(100)
    const late = await send(baseUrl, 'GET', '/v1/visits').then((answer) => answer, (error: NodeJS.ErrnoException) => error)

    const outcomes = await settled
    const answers = outcomes.map((outcome) => {
      assert.equal(outcome.status, 'fulfilled', `every request in flight is answered: ${String((outcome as PromiseRejectedResult).reason)}`)
      return outcome.value
    })
    const warnings = () => output.split('\n').filter((line) => line.includes('"level":40')).join('\n')
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

    const [code] = await Promise.race([exited, sleep(EXIT_BOUND_MS).then(() => [undefined] as const)])
    assert.equal(code, 0, `exit code within ${EXIT_BOUND_MS} ms of SIGTERM:\n${output.slice(-2000)}`)
    t.diagnostic(`${answers.filter((answer) => answer.answeredAt > signalledAt).length} of ${BURST} answered after SIGTERM; ` +
      `exited ${Date.now() - signalledAt} ms after it; a new request then got ${late instanceof Error ? late.code : late.status}`)
  })
})

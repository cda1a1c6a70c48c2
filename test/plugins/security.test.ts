import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { AppOptions } from '../../src/app.js'
import { TOKEN_SCOPES } from '../../src/domain/access.js'
import { UNREACHED_RATE_LIMITS, WRITE_TOKEN, buildTestApp, visitBody } from '../helper.js'

// Requests whose token is missing or wrong are counted per client IP like any other, and a wrong
// token also against a stricter budget of its own (src/plugins/security.ts): past either, 429.

/** The app with these limits (undefined: the service's defaults), closed after the test. */
async function appWith (t: TestContext, rateLimits: AppOptions['rateLimits']) {
  const { app } = await buildTestApp(t, { apiTokens: new Map([['desk', { secret: WRITE_TOKEN, scopes: [...TOKEN_SCOPES] }]]), rateLimits })
  return app
}

function assertRateLimited (response: LightMyRequestResponse, label: string) {
  assert.equal(response.statusCode, 429, `${label}: ${response.body.slice(0, 200)}`)
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
  const problem = response.json<{ type: string, status: number, detail: string }>()
  assert.equal(problem.type, '/problems/rate-limited')
  assert.equal(problem.status, 429)
  assert.ok(Number(response.headers['retry-after']) >= 1, `${label}: Retry-After ${String(response.headers['retry-after'])}`)
}

const WRONG = { authorization: 'Bearer not-the-right-secret' }
const visitJson = { 'content-type': 'application/json' }

describe('rate limits for requests that fail authentication', () => {
  it('with the default limits, 700 wrong-token reads and 100 wrong-token or token-less writes in a minute meet 429s', async (t) => {
    const app = await appWith(t, undefined)
    const statuses = async (count: number, request: InjectOptions) => {
      const seen: Record<number, number> = {}
      let firstLimited: LightMyRequestResponse | undefined
      for (let i = 0; i < count; i += 1) {
        const response = await app.inject(request)
        seen[response.statusCode] = (seen[response.statusCode] ?? 0) + 1
        if (response.statusCode === 429) firstLimited ??= response
      }
      return { seen, firstLimited }
    }
    const reads = await statuses(700, { method: 'GET', url: '/v1/visits', headers: WRONG })
    assert.deepEqual(Object.keys(reads.seen).sort(), ['401', '429'], JSON.stringify(reads.seen))
    assert.equal(reads.seen[401], 30, 'the default budget is 30 failed authentications a minute per IP')
    assertRateLimited(reads.firstLimited as LightMyRequestResponse, 'wrong-token reads')

    const tokenless = await statuses(100, { method: 'POST', url: '/v1/visits', headers: visitJson, payload: visitBody(), remoteAddress: '203.0.113.7' })
    assert.deepEqual(tokenless.seen, { 401: 60, 429: 40 }, 'token-less writes use the IP\'s write budget of 60')
    assertRateLimited(tokenless.firstLimited as LightMyRequestResponse, 'token-less writes')

    const wrongWrites = await statuses(100, { method: 'POST', url: '/v1/visits', headers: { ...WRONG, ...visitJson }, payload: visitBody(), remoteAddress: '203.0.113.8' })
    assert.deepEqual(wrongWrites.seen, { 401: 30, 429: 70 })
  })

  it('holds back every token from an IP past its failed authentications, not its anonymous reads nor other IPs', async (t) => {
    const app = await appWith(t, { ...UNREACHED_RATE_LIMITS, failedAuthenticationsPerMinute: 3 })
    for (let i = 0; i < 3; i += 1) assert.equal((await app.inject({ url: '/v1/visits', headers: WRONG })).statusCode, 401)
    assertRateLimited(await app.inject({ url: '/v1/visits', headers: WRONG }), '4th wrong token')
    assertRateLimited(await app.inject({ url: '/v1/visits', headers: { authorization: 'Basic abc' } }), 'a malformed header')
    // A guesser cannot tell a right guess from a wrong one until the window ends.
    assertRateLimited(await app.inject({ url: '/v1/visits', headers: { authorization: `Bearer ${WRITE_TOKEN}` } }), 'the right token, from the same IP')
    assert.equal((await app.inject({ url: '/v1/visits' })).statusCode, 200, 'anonymous reads are not held back')
    assert.equal((await app.inject({ url: '/v1/visits', headers: WRONG, remoteAddress: '198.51.100.1' })).statusCode, 401, 'another IP has its own budget')
    assert.equal((await app.inject({ url: '/v1/visits', headers: { authorization: `Bearer ${WRITE_TOKEN}` }, remoteAddress: '198.51.100.2' })).statusCode, 200)
  })

  it('counts refused writes before reading their body, and never limits the health probes', async (t) => {
    const app = await appWith(t, { readsPerMinute: 2, writesPerMinute: 2, failedAuthenticationsPerMinute: 1_000 })
    // 401, not 400 or 413: the body of a request refused for its token is never parsed.
    const malformed = await app.inject({ method: 'POST', url: '/v1/visits', headers: { ...WRONG, ...visitJson }, payload: '{"title":' })
    assert.equal(malformed.statusCode, 401)
    const oversized = await app.inject({ method: 'POST', url: '/v1/visits', headers: visitJson, payload: JSON.stringify({ title: 'x'.repeat(400_000) }) })
    assert.equal(oversized.statusCode, 401)
    assertRateLimited(await app.inject({ method: 'POST', url: '/v1/visits', headers: visitJson, payload: visitBody() }), '3rd token-less write')
    for (let i = 0; i < 20; i += 1) {
      for (const url of ['/healthz', '/readyz']) {
        const response = await app.inject({ url })
        assert.equal(response.statusCode, 200, url)
        assert.equal(response.headers['x-ratelimit-limit'], undefined)
      }
    }
  })
})

describe('clients behind a trusted proxy', () => {
  const balancer = '10.0.0.5'
  const readAs = (app: Awaited<ReturnType<typeof buildTestApp>>['app'], client: string) =>
    app.inject({ url: '/v1/visits', remoteAddress: balancer, headers: { 'x-forwarded-for': client } })

  it('counts each forwarded client on its own when TRUST_PROXY lists the balancer, and all as the balancer otherwise', async (t) => {
    const rateLimits = { ...UNREACHED_RATE_LIMITS, readsPerMinute: 2 }
    const { app: trusting } = await buildTestApp(t, { rateLimits, trustedProxies: ['10.0.0.0/8'] })
    for (let i = 0; i < 2; i += 1) assert.equal((await readAs(trusting, '203.0.113.1')).statusCode, 200)
    assertRateLimited(await readAs(trusting, '203.0.113.1'), 'a forwarded client past its budget')
    assert.equal((await readAs(trusting, '203.0.113.2')).statusCode, 200, 'another client behind the balancer has its own budget')

    const { app: untrusting } = await buildTestApp(t, { rateLimits })
    for (let i = 0; i < 2; i += 1) assert.equal((await readAs(untrusting, `203.0.113.${10 + i}`)).statusCode, 200)
    assertRateLimited(await readAs(untrusting, '203.0.113.12'), 'X-Forwarded-For from an address not trusted is ignored')
  })
})

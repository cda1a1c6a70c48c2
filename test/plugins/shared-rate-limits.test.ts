import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { RateLimits } from '../../src/config.js'
import { TOKEN_SCOPES } from '../../src/domain/access.js'
import { REDIS_COMMAND_TIMEOUT_MS } from '../../src/plugins/redis.js'
import { CuttableProxy } from '../cuttable-proxy.js'
import { UNREACHED_RATE_LIMITS, buildTestApp, visitBody } from '../helper.js'
import { needsRedis, requireRedis, testRedisUrl, uniqueClientAddress } from '../redis.js'

// With REDIS_URL every process counts its clients' requests in one Redis (src/plugins/security.ts):
// here two apps stand for two processes. Each test uses a token and client addresses of its own,
// so that parallel runs on the same Redis never share a budget.

interface LogLine { level: number, msg: string }

/** An app of its own on `redisUrl` with these limits and one token; its warnings and infos are kept in `logs`. */
async function appOn (t: TestContext, redisUrl: string, rateLimits: Partial<RateLimits>, token: { name: string, secret: string }) {
  const logs: LogLine[] = []
  const { app } = await buildTestApp(t, {
    redisUrl,
    apiTokens: new Map([[token.name, { secret: token.secret, scopes: [...TOKEN_SCOPES] }]]),
    rateLimits: { ...UNREACHED_RATE_LIMITS, ...rateLimits },
    logger: { level: 'info', stream: { write: (line: string) => { logs.push(JSON.parse(line) as LogLine) } } }
  })
  return { app, logs }
}

function uniqueToken () {
  return { name: `shared-limits-${randomUUID().slice(0, 8)}`, secret: `secret-${randomUUID()}` }
}

function assertRateLimited (response: LightMyRequestResponse, label: string) {
  assert.equal(response.statusCode, 429, `${label}: ${response.body.slice(0, 200)}`)
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
  assert.equal(response.json<{ type: string }>().type, '/problems/rate-limited')
  assert.ok(Number(response.headers['retry-after']) >= 1, `${label}: Retry-After ${String(response.headers['retry-after'])}`)
}

/** `count` requests sent to the apps in turn, then one more: every status, in order. */
async function alternating (apps: Array<{ inject: (options: InjectOptions) => Promise<LightMyRequestResponse> }>, count: number, request: () => InjectOptions) {
  const responses: LightMyRequestResponse[] = []
  for (let i = 0; i <= count; i += 1) responses.push(await apps[i % apps.length]!.inject(request()))
  return responses
}

describe('rate limits shared through Redis (REDIS_URL)', needsRedis, () => {
  before(requireRedis)

  it('count every budget across two apps (as two processes would): reads, writes and failed authentications', async (t) => {
    const token = uniqueToken()
    const limits = { readsPerMinute: 10, writesPerMinute: 4, failedAuthenticationsPerMinute: 3 }
    const apps = [(await appOn(t, testRedisUrl, limits, token)).app, (await appOn(t, testRedisUrl, limits, token)).app]
    const bearer = { authorization: `Bearer ${token.secret}` }

    const reads = await alternating(apps, 10, () => ({ url: '/v1/visits', headers: bearer }))
    assert.deepEqual(reads.slice(0, 10).map((response) => response.statusCode), Array(10).fill(200))
    assertRateLimited(reads[10]!, 'the 11th read of the token, 6th on the first app')

    const address = uniqueClientAddress()
    const anonymous = await alternating(apps, 10, () => ({ url: '/v1/visits', remoteAddress: address }))
    assert.deepEqual(anonymous.slice(0, 10).map((response) => response.statusCode), Array(10).fill(200))
    assertRateLimited(anonymous[10]!, 'the 11th anonymous read of one address')

    const writes = await alternating(apps, 4, () => ({ method: 'POST', url: '/v1/visits', headers: bearer, payload: visitBody() }))
    assert.deepEqual(writes.slice(0, 4).map((response) => response.statusCode), Array(4).fill(201))
    assertRateLimited(writes[4]!, 'the 5th write of the token')

    const guesser = uniqueClientAddress()
    const guesses = await alternating(apps, 3, () => ({ url: '/v1/visits', headers: { authorization: 'Bearer not-the-secret' }, remoteAddress: guesser }))
    assert.deepEqual(guesses.slice(0, 3).map((response) => response.statusCode), [401, 401, 401])
    assertRateLimited(guesses[3]!, 'the 4th wrong token from one address')
    assertRateLimited(await apps[0]!.inject({ url: '/v1/visits', headers: bearer, remoteAddress: guesser }), 'the right token from the guesser, on the other app')
  })

  it('let requests through uncounted while Redis is away or silent, say so once, count again once it is back, and close without it', async (t) => {
    const target = new URL(testRedisUrl)
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 6379) })
    await proxy.open()
    t.after(() => proxy.cut())
    const proxied = new URL(testRedisUrl)
    proxied.port = String(proxy.port)
    const token = uniqueToken()
    const { app, logs } = await appOn(t, proxied.toString(), { readsPerMinute: 3 }, token)
    const read = () => app.inject({ url: '/v1/visits', headers: { authorization: `Bearer ${token.secret}` } })

    for (let i = 0; i < 3; i += 1) assert.equal((await read()).statusCode, 200)
    assertRateLimited(await read(), 'the 4th read')

    await proxy.cut()
    for (let i = 0; i < 10; i += 1) {
      const startedAt = Date.now()
      const response = await read()
      assert.equal(response.statusCode, 200, `read ${i} while Redis is away: ${response.body.slice(0, 200)}`)
      // No waiting for Redis: a closed connection fails the count at once.
      assert.ok(Date.now() - startedAt < 1000, `read ${i} took ${Date.now() - startedAt} ms`)
    }
    const warnings = logs.filter((line) => line.level === 40).map((line) => line.msg)
    assert.equal(warnings.filter((msg) => /rate limits are not applied/.test(msg)).length, 1, warnings.join('\n'))

    await proxy.open()
    // ioredis reconnects within 2 s of each failed attempt; the count in Redis is still there.
    const deadline = Date.now() + 10_000
    let response = await read()
    while (response.statusCode === 200 && Date.now() < deadline) {
      await sleep(200)
      response = await read()
    }
    assertRateLimited(response, 'a read once Redis is back, past the budget it had counted')
    assert.ok(logs.some((line) => line.level === 30 && /rate limits apply again/.test(line.msg)))

    // A Redis that keeps the connection but stops answering: each count gives up after its timeout.
    proxy.freeze()
    for (let i = 0; i < 3; i += 1) {
      const startedAt = Date.now()
      const frozen = await read()
      assert.equal(frozen.statusCode, 200, `read ${i} while Redis does not answer: ${frozen.body.slice(0, 200)}`)
      assert.ok(Date.now() - startedAt < REDIS_COMMAND_TIMEOUT_MS + 1500, `read ${i} took ${Date.now() - startedAt} ms`)
    }
    proxy.thaw()

    await proxy.cut()
    const closing = Date.now()
    await app.close()
    assert.ok(Date.now() - closing < 2000, `closing with Redis away took ${Date.now() - closing} ms`)
  })
})

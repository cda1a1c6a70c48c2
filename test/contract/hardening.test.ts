import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LightMyRequestResponse } from 'fastify'
import { TOKEN_SCOPES } from '../../src/domain/access.js'
import { WRITE_TOKEN, authorised, buildTestApp, useTestApp, visitBody, type TestAppOptions } from '../helper.js'

type JsonSchema = Record<string, unknown>

interface ProblemResponse {
  status: number
  headers: Record<string, string | undefined>
  body: { type: string, status: number, title: string, detail: string }
}

function assertProblem (response: ProblemResponse, status: number) {
  assert.equal(response.status, status)
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
  assert.equal(response.body.status, status)
  assert.ok(response.body.detail.length > 10, 'the detail says what to do')
}

/** An app of its own, for the tests that need options the shared test app does not have; closed after the test. */
function buildOwnApp (t: TestContext, options: TestAppOptions = {}) {
  return buildTestApp(t, {
    apiTokens: new Map([
      ['desk', { secret: WRITE_TOKEN, scopes: [...TOKEN_SCOPES] }],
      ['second-desk', { secret: 'second-desk-secret', scopes: [...TOKEN_SCOPES] }]
    ]),
    ...options
  })
}

/** Sends raw bytes to a listening app and returns what came back before the server closed the socket. */
async function rawExchange (port: number, request: string, pauseMs = 0): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => { received += chunk })
  socket.write(request)
  if (pauseMs > 0) await sleep(pauseMs)
  await Promise.race([once(socket, 'close'), sleep(5000)])
  socket.destroy()
  return received
}

function problemFromRaw (raw: string): { statusLine: string, contentType: string | undefined, body: { status: number, detail: string } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  const [statusLine = '', ...headerLines] = head.split('\r\n')
  const contentType = headerLines.find((line) => /^content-type:/i.test(line))?.split(':')[1]?.trim()
  return { statusLine, contentType, body: JSON.parse(body) }
}

describe('strict input: every request schema is closed and bounded', () => {
  const server = useTestApp()

  it('every body object refuses unknown properties, every string and array has a maximum length', () => {
    const document = server.app.swagger() as unknown as { paths: Record<string, Record<string, JsonSchema>>, components: { schemas: Record<string, JsonSchema> } }
    const resolve = (schema: JsonSchema): JsonSchema => {
      const ref = schema.$ref
      if (typeof ref !== 'string') return schema
      const target = document.components.schemas[ref.replace('#/components/schemas/', '')]
      assert.ok(target, `${ref} resolves`)
      return resolve(target)
    }
    const problems: string[] = []
    const audit = (schema: JsonSchema, where: string, isBody: boolean): void => {
      const resolved = resolve(schema)
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        const branches = resolved[key]
        if (Array.isArray(branches)) branches.forEach((branch: JsonSchema, i) => audit(branch, `${where}/${key}/${i}`, isBody))
      }
      if (resolved.type === 'object' || resolved.properties !== undefined) {
        const extra = resolved.additionalProperties
        // A map (translations: language tag -> text) is closed by its key pattern and size instead.
        const isBoundedMap = typeof extra === 'object' && extra !== null && resolved.propertyNames !== undefined && typeof resolved.maxProperties === 'number'
        if (isBoundedMap) audit(extra as JsonSchema, `${where}/*`, isBody)
        else if (isBody && extra !== false) problems.push(`${where} accepts unknown properties`)
        for (const [name, property] of Object.entries((resolved.properties ?? {}) as Record<string, JsonSchema>)) {
          audit(property, `${where}/${name}`, isBody)
        }
      }
      if (resolved.type === 'string' && resolved.enum === undefined && typeof resolved.maxLength !== 'number') {
        problems.push(`${where} is a string without maxLength`)
      }
      if (resolved.type === 'array') {
        if (typeof resolved.maxItems !== 'number') problems.push(`${where} is an array without maxItems`)
        if (resolved.items !== undefined) audit(resolved.items as JsonSchema, `${where}/items`, isBody)
      }
    }
    let audited = 0
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`
        for (const parameter of (operation.parameters ?? []) as Array<{ name: string, in: string, schema: JsonSchema }>) {
          audit(parameter.schema, `${where} ${parameter.in} ${parameter.name}`, false)
          audited++
        }
        const body = (operation.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content
        for (const media of Object.values(body ?? {})) {
          audit(media.schema, `${where} body`, true)
          audited++
        }
      }
    }
    assert.ok(audited > 20, `audited ${audited} parameters and bodies`)
    assert.deepEqual(problems, [])
  })

  it('an unknown body property, also in a nested object, is refused with 400 naming it', async () => {
    const top = await server.http.post('/v1/visits').set(authorised).send(visitBody({ colour: 'blue' }))
    assertProblem(top, 400)
    assert.equal(top.body.errors[0].path, '/body/colour')
    const nested = await server.http.post('/v1/visits').set(authorised)
      .send(visitBody({ principal: { name: 'Lee Jae Myung', title: 'President', nickname: 'x' } }))
    assertProblem(nested, 400)
    assert.equal(nested.body.errors[0].path, '/body/principal/nickname')
  })

  it('a page size above 200 is refused', async () => {
    const response = await server.http.get('/v1/visits?limit=201')
    assertProblem(response, 400)
    assert.equal(response.body.errors[0].path, '/query/limit')
  })
})

describe('methods a path does not support: 405 with Allow', () => {
  const server = useTestApp()

  it('lists the methods of the path in Allow', async () => {
    const response = await server.http.put('/v1/visits').set(authorised).send({})
    assertProblem(response, 405)
    assert.equal(response.body.type, '/problems/method-not-allowed')
    assert.equal(response.headers.allow, 'GET, HEAD, POST, OPTIONS')
    assert.match(response.body.detail, /GET, HEAD, POST/)
  })

  it('works on paths with parameters, and HEAD is allowed wherever GET is', async () => {
    const id = '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11'
    const response = await server.http.post(`/v1/engagements/${id}`).set(authorised).send({})
    assertProblem(response, 405)
    const allow = (response.headers.allow ?? '').split(', ')
    for (const method of ['GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']) assert.ok(allow.includes(method), `${method} in ${allow.join(', ')}`)
    assert.ok(!allow.includes('POST'))
    await server.http.head('/v1/visits').expect(200)
  })

  it('an unknown path is still 404, and OPTIONS outside CORS answers with Allow', async () => {
    assertProblem(await server.http.delete('/v1/no-such-thing'), 404)
    const options = await server.http.options('/v1/visits').expect(204)
    assert.equal(options.headers.allow, 'GET, HEAD, POST, OPTIONS')
  })
})

describe('rate limits: 429 problem with Retry-After', () => {
  it('stops reads and writes past their limits, per token, apart from anonymous clients', async (t) => {
    const { http } = await buildOwnApp(t, { rateLimits: { readsPerMinute: 2, writesPerMinute: 1 } })

    await http.get('/v1/visits').expect(200)
    await http.get('/v1/visits').expect(200)
    const read = await http.get('/v1/visits')
    assertProblem(read, 429)
    assert.equal(read.body.type, '/problems/rate-limited')
    assert.ok(Number(read.headers['retry-after']) >= 1, `Retry-After ${read.headers['retry-after']}`)
    // The same client with a token has a budget of its own.
    await http.get('/v1/visits').set(authorised).expect(200)

    await http.post('/v1/visits').set(authorised).send(visitBody()).expect(201)
    const write = await http.post('/v1/visits').set(authorised).send(visitBody())
    assertProblem(write, 429)
    assert.ok(Number(write.headers['retry-after']) >= 1)
    assert.equal(write.headers['x-ratelimit-limit'], '1')
    // Another token is not held back by the first one's writes.
    await http.post('/v1/visits').set({ Authorization: 'Bearer second-desk-secret' }).send(visitBody()).expect(201)
  })
})

describe('security headers and Swagger UI', () => {
  const server = useTestApp()

  it('API responses carry helmet headers and a CSP that forbids framing', async () => {
    const response = await server.http.get('/v1/visits').expect(200)
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    assert.match(response.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/)
    assert.doesNotMatch(response.headers['content-security-policy'] ?? '', /upgrade-insecure-requests/)
    assertProblem(await server.http.get('/v1/nothing'), 404)
    assert.equal((await server.http.get('/v1/nothing')).headers['x-content-type-options'], 'nosniff')
  })

  it('/docs loads, and every script and stylesheet it references loads under the CSP', async () => {
    const page = await server.http.get('/docs/').redirects(2).expect(200)
    assert.match(page.headers['content-type'] ?? '', /^text\/html/)
    const csp = page.headers['content-security-policy'] ?? ''
    assert.match(csp, /script-src 'self'/)
    const html = page.text
    assert.doesNotMatch(html, /<script>(?!\s*<\/script>)/, 'no inline script, which script-src \'self\' would block')
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string)
    assert.ok(assets.some((asset) => asset.endsWith('swagger-ui-bundle.js')), assets.join(', '))
    for (const asset of assets) {
      assert.ok(!/^https?:/.test(asset), `${asset} is served by this server, as the CSP requires`)
      await server.http.get(new URL(asset, 'http://server/docs/').pathname).expect(200)
    }
    const initializer = await server.http.get('/docs/static/swagger-initializer.js').expect(200)
    const specPath = /url: resolveUrl\('\.\/([^']+)'\)/.exec(initializer.text)?.[1]
    assert.ok(specPath, 'the initializer names the OpenAPI document')
    const spec = await server.http.get(`/docs/${specPath}`).expect(200)
    assert.equal(spec.body.openapi, '3.1.0')
  })
})

describe('CORS', () => {
  it('lets any origin read, only the configured origins write', async (t) => {
    const { http } = await buildOwnApp(t, { corsOrigins: ['https://desk.example'] })

    const publicRead = await http.get('/v1/visits').set('Origin', 'https://reader.example').expect(200)
    assert.equal(publicRead.headers['access-control-allow-origin'], '*')
    const exposed = (publicRead.headers['access-control-expose-headers'] ?? '').toLowerCase()
    for (const header of ['etag', 'location', 'retry-after', 'idempotency-key', 'x-ratelimit-remaining']) assert.match(exposed, new RegExp(header))

    const publicPreflight = await http.options('/v1/visits').set('Origin', 'https://reader.example')
      .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type').expect(204)
    assert.doesNotMatch(publicPreflight.headers['access-control-allow-methods'] ?? '', /POST/)
    assert.doesNotMatch(publicPreflight.headers['access-control-allow-headers'] ?? '', /authorization/i)

    const deskPreflight = await http.options('/v1/visits').set('Origin', 'https://desk.example')
      .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key').expect(204)
    assert.equal(deskPreflight.headers['access-control-allow-origin'], 'https://desk.example')
    assert.match(deskPreflight.headers['access-control-allow-methods'] ?? '', /POST/)
    assert.match(deskPreflight.headers['access-control-allow-headers'] ?? '', /Authorization/)
    assert.match(deskPreflight.headers.vary ?? '', /Origin/)

    const sameOrigin = await http.get('/v1/visits').expect(200)
    assert.equal(sameOrigin.headers['access-control-allow-origin'], undefined)
  })
})

describe('errors outside the routes are problems too', () => {
  const assertInjectedProblem = (response: LightMyRequestResponse, status: number) => {
    assert.equal(response.statusCode, status)
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/)
    assert.equal(response.json().status, status)
  }

  it('a URL that cannot be decoded: 400', async (t) => {
    const { app } = await buildOwnApp(t)
    assertInjectedProblem(await app.inject({ method: 'GET', url: '/v1/visits/%E0%A4%A' }), 400)
  })

  it('a handler that does not answer in time: 503 with Retry-After', async (t) => {
    let handlerDone = false
    const { app } = await buildOwnApp(t, {
      timeouts: { handlerMs: 1000 },
      addRoutes: (app) => app.get('/slow', async () => {
        await sleep(3000)
        handlerDone = true
        return 'late'
      })
    })
    const response = await app.inject({ method: 'GET', url: '/slow' })
    // Answered before the handler finished, however slow the machine: the timeout did it.
    assert.equal(handlerDone, false)
    assertInjectedProblem(response, 503)
    assert.equal(response.headers['retry-after'], '5')
  })

  it('a client too slow to send its request: 408; headers too large: 431; not HTTP: 400; a bad Content-Length: 400', async (t) => {
    const { app } = await buildOwnApp(t, { timeouts: { requestMs: 1000 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    const slow = problemFromRaw(await rawExchange(port, 'GET /v1/visits HTTP/1.1\r\nHost: x\r\n', 2500))
    assert.match(slow.statusLine, /^HTTP\/1\.1 408/)
    assert.equal(slow.contentType, 'application/problem+json')
    assert.equal(slow.body.status, 408)

    const huge = problemFromRaw(await rawExchange(port, `GET /v1/visits HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`))
    assert.match(huge.statusLine, /^HTTP\/1\.1 431/)
    assert.equal(huge.body.status, 431)

    const garbage = problemFromRaw(await rawExchange(port, 'HELLO THERE\r\n\r\n'))
    assert.match(garbage.statusLine, /^HTTP\/1\.1 400/)
    assert.equal(garbage.contentType, 'application/problem+json')

    assertInjectedProblem(await app.inject({
      method: 'POST', url: '/v1/visits', headers: { ...authorised, 'content-type': 'application/json', 'content-length': '5' }, payload: '{"slug":"abcdef"}'
    }), 400)
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { authorised, buildTestApp, useTestApp, visitBody } from '../helper.js'

const isProblem = (response: { headers: Record<string, string>, body: { status: number, title: string, detail: string } }, status: number) => {
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
  assert.equal(response.body.status, status)
  assert.equal(typeof response.body.title, 'string')
  assert.ok(response.body.detail.length > 10, 'the detail says something')
}

describe('HTTP errors are RFC 9457 problems', () => {
  const server = useTestApp()

  it('unknown route: 404', async () => {
    const response = await server.http.get('/v1/nothing-here').expect(404)
    isProblem(response, 404)
    assert.match(response.body.detail, /\/docs/)
  })

  it('malformed JSON: 400', async () => {
    const response = await server.http.post('/v1/visits').set(authorised).set('content-type', 'application/json').send('{"slug": ').expect(400)
    isProblem(response, 400)
    assert.match(response.body.detail, /not valid JSON/)
  })

  it('wrong content type: 415', async () => {
    const response = await server.http.post('/v1/visits').set(authorised).set('content-type', 'text/plain').send('slug=x').expect(415)
    isProblem(response, 415)
    assert.match(response.body.detail, /application\/json/)
  })

  it('oversized body: 413', async () => {
    const response = await server.http.post('/v1/visits').set(authorised).send(visitBody({ summary: 'x'.repeat(300_000) })).expect(413)
    isProblem(response, 413)
  })

  it('invalid UUID in a path: 400', async () => {
    const response = await server.http.get('/v1/engagements/not-a-uuid').expect(400)
    isProblem(response, 400)
    assert.equal(response.body.errors[0].path, '/params/id')
  })

  it('liveness and readiness', async () => {
    assert.deepEqual((await server.http.get('/healthz').expect(200)).body, { status: 'ok' })
    assert.deepEqual((await server.http.get('/readyz').expect(200)).body, { status: 'ready' })
  })
})

describe('when the database cannot be reached', () => {
  it('answers 503 with Retry-After, never 500, and /readyz says not ready', async (t) => {
    // Nothing listens on port 9 of the loopback interface: connections are refused at once.
    const { app } = await buildTestApp(t, { databaseUrl: 'postgresql://nobody@127.0.0.1:9/none', apiTokens: new Map() })
    const response = await app.inject({ method: 'GET', url: '/v1/visits' })
    assert.equal(response.statusCode, 503)
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/)
    assert.equal(response.headers['retry-after'], '5')
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 503)
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  })
})

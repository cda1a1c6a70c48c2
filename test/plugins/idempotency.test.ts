import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, describe, it, type TestContext } from 'node:test'
import type { OpenAPIV3_1 } from 'openapi-types'
import { TOKEN_SCOPES } from '../../src/domain/access.js'
import { IDEMPOTENCY_KEY_RETENTION_MS, ABANDONED_CLAIM_MS } from '../../src/domain/idempotency.js'
import {
  authorised, buildTestApp, createVisit, uniqueSlug, useTestApp, visitBody
} from '../helper.js'

const OTHER_TOKEN = 'other-desk-secret'
const otherDesk = { Authorization: `Bearer ${OTHER_TOKEN}` }

describe('Idempotency-Key on POST', () => {
  const server = useTestApp({ extraTokens: new Map([['other-desk', { secret: OTHER_TOKEN, scopes: ['write' as const] }]]) })
  let visitId: string
  before(async () => {
    visitId = (await createVisit(server.http)).id
  })

  const engagementBody = () => ({
    title: `Idempotent ${uniqueSlug()}`,
    kind: 'talks',
    time: { precision: 'exact', timeZone: 'Asia/Shanghai', localStart: '2026-01-05T15:00' },
    participants: [{ name: 'Xi Jinping', role: 'host' }]
  })
  const postEngagement = (key: string, body: object, headers: Record<string, string> = authorised) =>
    server.http.post(`/v1/visits/${visitId}/engagements`).set(headers).set('Idempotency-Key', key).send(body)
  const countTitled = (title: string) => server.app.prisma.engagement.count({ where: { title } })
  const keyRecord = (key: string, tokenName = 'test-desk') =>
    server.app.prisma.idempotencyKey.findUnique({ where: { tokenName_key: { tokenName, key } } })

  it('replays the first response byte for byte, with Location, ETag and Content-Type, and creates one row', async () => {
    const key = randomUUID()
    const body = engagementBody()
    const first = await postEngagement(key, body).expect(201)
    assert.equal(first.headers['idempotent-replayed'], undefined)
    const retry = await postEngagement(key, body).expect(201)
    assert.equal(retry.text, first.text)
    for (const header of ['location', 'etag', 'content-type']) assert.equal(retry.headers[header], first.headers[header], header)
    assert.equal(retry.headers['idempotent-replayed'], 'true')
    // The order in which the fields are written does not make it another request.
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    assert.equal((await postEngagement(key, reordered).expect(201)).text, first.text)
    assert.equal(await countTitled(body.title), 1)
  })

  it('refuses the same key with another body or another path with 422, creating nothing', async () => {
    const key = randomUUID()
    const body = engagementBody()
    await postEngagement(key, body).expect(201)
    const otherBody = await postEngagement(key, { ...body, title: `${body.title} (changed)` }).expect(422)
    assert.equal(otherBody.body.type, '/problems/idempotency-key-reused')
    assert.match(String(otherBody.headers['content-type']), /^application\/problem\+json/)
    const otherPath = await server.http.post('/v1/visits').set(authorised).set('Idempotency-Key', key).send(visitBody()).expect(422)
    assert.equal(otherPath.body.status, 422)
    assert.equal(await countTitled(`${body.title} (changed)`), 0)
  })

  it('answers 409 with Retry-After while the first request runs, and takes over a claim abandoned for minutes', async () => {
    const key = randomUUID()
    const body = engagementBody()
    await postEngagement(key, body).expect(201)
    // Make the recorded request look as if it were still running.
    await server.app.prisma.idempotencyKey.update({
      where: { tokenName_key: { tokenName: 'test-desk', key } },
      data: { responseStatus: null, responseBody: null }
    })
    const running = await postEngagement(key, body).expect(409)
    assert.equal(running.body.type, '/problems/idempotency-key-in-flight')
    assert.equal(running.headers['retry-after'], '1')
    assert.equal(await countTitled(body.title), 1)

    await server.app.prisma.idempotencyKey.update({
      where: { tokenName_key: { tokenName: 'test-desk', key } },
      data: { createdAt: new Date(Date.now() - ABANDONED_CLAIM_MS - 1000) }
    })
    const takenOver = await postEngagement(key, body).expect(201)
    assert.equal(takenOver.headers['idempotent-replayed'], undefined)
    assert.equal(await countTitled(body.title), 2)
  })

  it('stores nothing for a request that fails validation, nor for a key that is too long', async () => {
    const key = randomUUID()
    const invalid = await postEngagement(key, { ...engagementBody(), kind: 'picnic' }).expect(400)
    assert.equal(invalid.body.errors[0].path, '/body/kind')
    assert.equal(await keyRecord(key), null)
    await postEngagement(key, engagementBody()).expect(201)

    const tooLong = await postEngagement('k'.repeat(256), engagementBody()).expect(400)
    assert.equal(tooLong.body.errors[0].path, '/headers/idempotency-key')
  })

  it('records and replays an outcome decided after validation, such as 404 for an unknown visit', async () => {
    const key = randomUUID()
    const path = `/v1/visits/${uniqueSlug('missing')}/engagements`
    const body = engagementBody()
    const first = await server.http.post(path).set(authorised).set('Idempotency-Key', key).send(body).expect(404)
    assert.equal((await keyRecord(key))?.responseStatus, 404)
    const retry = await server.http.post(path).set(authorised).set('Idempotency-Key', key).send(body).expect(404)
    assert.equal(retry.headers['idempotent-replayed'], 'true')
    assert.equal(retry.text, first.text)
  })

  it('keeps keys per token: another token with the same key makes its own engagement', async () => {
    const key = randomUUID()
    const body = engagementBody()
    const mine = await postEngagement(key, body).expect(201)
    const theirs = await postEngagement(key, body, otherDesk).expect(201)
    assert.notEqual(theirs.body.id, mine.body.id)
    assert.equal(theirs.headers['idempotent-replayed'], undefined)
    assert.equal(await countTitled(body.title), 2)
    assert.ok(await keyRecord(key, 'other-desk'))
  })

  it('forgets a key after 24 hours: the same request then runs again', async () => {
    const key = randomUUID()
    const body = engagementBody()
    const first = await postEngagement(key, body).expect(201)
    await server.app.prisma.idempotencyKey.update({
      where: { tokenName_key: { tokenName: 'test-desk', key } },
      data: { createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_RETENTION_MS - 1000) }
    })
    const again = await postEngagement(key, { ...body, title: `${body.title} later` }).expect(201)
    assert.notEqual(again.body.id, first.body.id)
    assert.equal(again.headers['idempotent-replayed'], undefined)
    const record = await keyRecord(key)
    assert.ok(record !== null && Date.now() - record.createdAt.getTime() < 60_000, 'the key is claimed afresh')
  })

  it('documents Idempotency-Key on every POST', () => {
    const document = server.app.swagger() as OpenAPIV3_1.Document
    const posts = Object.entries(document.paths ?? {}).flatMap(([path, item]) => item?.post === undefined ? [] : [[path, item.post] as const])
    assert.equal(posts.length, 3)
    for (const [path, operation] of posts) {
      const parameters = (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]
      const header = parameters.find((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key')
      assert.ok(header, `POST ${path} documents Idempotency-Key`)
      assert.equal((header.schema as { maxLength?: number }).maxLength, 255)
    }
  })
})

describe('Idempotency-Key after a failure on our side', () => {
  let attempts = 0
  const context = useTestApp({
    // A write that fails with 500 the first time and succeeds the second.
    addRoutes: (app) => app.post('/flaky', { config: { requiredScope: 'write' }, onRequest: app.authenticate }, async (_request, reply) => {
      attempts++
      if (attempts === 1) throw new Error('simulated failure')
      return reply.code(201).send({ attempt: attempts })
    })
  })

  it('frees the key after a 5xx so that the retry runs again', async () => {
    const key = randomUUID()
    await context.http.post('/flaky').set(authorised).set('Idempotency-Key', key).send({ n: 1 }).expect(500)
    const record = await context.app.prisma.idempotencyKey.findUnique({ where: { tokenName_key: { tokenName: 'test-desk', key } } })
    assert.equal(record, null)
    const retry = await context.http.post('/flaky').set(authorised).set('Idempotency-Key', key).send({ n: 1 }).expect(201)
    assert.deepEqual(retry.body, { attempt: 2 })
    const replay = await context.http.post('/flaky').set(authorised).set('Idempotency-Key', key).send({ n: 1 }).expect(201)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.equal(attempts, 2)
  })
})

describe('Idempotency-Key when the token\'s scopes change', () => {
  const secret = 'scoped-desk-secret'
  const desk = { Authorization: `Bearer ${secret}` }
  const appWith = async (t: TestContext, scopes: Array<typeof TOKEN_SCOPES[number]>) =>
    (await buildTestApp(t, { apiTokens: new Map([['scoped-desk', { secret, scopes }]]) })).http

  it('replays a response only to the token while it still has every scope it had when it used the key', async (t) => {
    // The same token name, restarted with fewer scopes (API_TOKENS edited).
    const before = await appWith(t, ['write', 'read:embargoed'])
    const visit = (await before.post('/v1/visits').set(desk).send(visitBody()).expect(201)).body as { id: string }
    const key = randomUUID()
    const body = { title: 'Secret dinner', kind: 'meal', embargoUntil: '2100-01-01T00:00:00Z', time: { precision: 'date', timeZone: 'Asia/Shanghai', localDate: '2026-01-05' } }
    const first = await before.post(`/v1/visits/${visit.id}/engagements`).set(desk).set('Idempotency-Key', key).send(body).expect(201)

    const after = await appWith(t, ['write'])
    const refused = await after.post(`/v1/visits/${visit.id}/engagements`).set(desk).set('Idempotency-Key', key).send(body).expect(422)
    assert.equal(refused.body.type, '/problems/idempotency-key-scopes-changed')
    assert.match(refused.body.detail, /read:embargoed/)
    assert.doesNotMatch(refused.text, new RegExp(first.body.id))
    // With its scopes back, the token gets its response again.
    const replayed = await before.post(`/v1/visits/${visit.id}/engagements`).set(desk).set('Idempotency-Key', key).send(body).expect(201)
    assert.equal(replayed.text, first.text)
  })
})

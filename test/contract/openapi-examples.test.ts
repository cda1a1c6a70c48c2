import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { OpenAPIV3_1 } from 'openapi-types'
import { DEMO_IDS } from '../../src/demo/demo-ids.js'
import { demoEngagements, demoLegs, demoParticipants, demoVisit } from '../../src/demo/lee-state-visit-china-2026.js'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { authorised } from '../helper.js'
import { buildFreshDemoApp } from '../own-database.js'

// What Swagger UI's "Try it out" sends for an operation: every parameter with the example the
// document gives it, and the example of the request body's schema.

const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const
type WriteMethod = typeof WRITE_METHODS[number]

interface ExampleRequest {
  method: WriteMethod
  path: string
  headers: Record<string, string>
  body: unknown
  /** The status the document gives for success. */
  success: number
}

/** "PATCH /v1/legs/{id}" of every write operation in the document. */
function writeOperations (document: OpenAPIV3_1.Document): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    WRITE_METHODS.filter((method) => item?.[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`))
}

function exampleRequest (document: OpenAPIV3_1.Document, name: string): ExampleRequest {
  const [method, template] = name.toLowerCase().split(' ') as [WriteMethod, string]
  const operation = document.paths?.[template]?.[method]
  assert.ok(operation !== undefined, `${name} is not in the document`)
  let path = template
  const headers: Record<string, string> = {}
  for (const parameter of (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]) {
    const example = parameter.example as string | undefined
    if (parameter.in === 'path') {
      assert.ok(example !== undefined, `${name}: path parameter ${parameter.name} has no example`)
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(example))
    } else if (parameter.in === 'header' && example !== undefined) {
      headers[parameter.name] = example
    } else {
      assert.equal(example, undefined, `${name}: the test sends no ${parameter.in} parameters yet (${parameter.name})`)
    }
  }
  let body: unknown
  const bodySchema = (operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content['application/json']?.schema
  if (bodySchema !== undefined) {
    const ref = (bodySchema as OpenAPIV3_1.ReferenceObject).$ref
    const schema = ref === undefined ? bodySchema as OpenAPIV3_1.SchemaObject : document.components?.schemas?.[ref.replace('#/components/schemas/', '')]
    body = schema?.examples?.[0]
    assert.ok(body !== undefined, `${name}: the request body's schema has no example`)
  }
  const success = Object.keys(operation.responses ?? {}).map(Number).find((status) => status >= 200 && status < 300)
  assert.ok(success !== undefined, `${name} documents no success status`)
  return { method, path, headers, body, success }
}

// A leg with engagements cannot be deleted, and every leg of the demo has some: the example of
// DELETE /v1/legs/{id} is the leg whose only engagement the example of DELETE /v1/engagements/{id} deletes.
const SENT_BEFORE: Record<string, string[]> = {
  'DELETE /v1/legs/{id}': ['DELETE /v1/engagements/{id}']
}

describe('the demo visit and the examples of the OpenAPI document', () => {
  let demo: Awaited<ReturnType<typeof buildFreshDemoApp>>
  let document: OpenAPIV3_1.Document
  before(async () => {
    demo = await buildFreshDemoApp()
    document = demo.app.swagger() as OpenAPIV3_1.Document
  })
  after(() => demo.close())

  const send = (request: ExampleRequest) =>
    demo.http[request.method](request.path).set(authorised).set(request.headers).send(request.body as object | undefined)

  it('loads the demo under its own slug with the ids the examples name, every row at version 1', async () => {
    await demo.restart()
    const visit = await demo.http.get(`/v1/visits/${demoVisit.slug}`).expect(200)
    assert.equal(visit.body.id, DEMO_IDS.visit)
    assert.equal(visit.body.version, 1)
    const legs = await demo.app.prisma.leg.findMany({ where: { visitId: DEMO_IDS.visit }, orderBy: { sequence: 'asc' } })
    assert.deepEqual(legs.map(({ id, version }) => ({ id, version })), demoLegs.map(({ id }) => ({ id, version: 1 })))
    const engagements = await demo.app.prisma.engagement.findMany({ where: { visitId: DEMO_IDS.visit }, select: { id: true, version: true, title: true } })
    assert.deepEqual(new Map(engagements.map(({ id, version, title }) => [id, { version, title }])),
      new Map(demoEngagements.map(({ id, title }) => [id, { version: 1, title }])))
    // The engagements found the people created first and added nothing to them.
    const participants = await demo.app.prisma.participant.findMany({ select: { id: true, name: true, version: true } })
    assert.deepEqual(new Map(participants.map(({ id, name, version }) => [id, { name, version }])),
      new Map(demoParticipants.map(({ id, name }) => [id, { name, version: 1 }])))
  })

  it('loads the demo under another slug beside it, with new ids and the same people', async () => {
    await demo.restart()
    assert.equal(await loadDemoVisit(demo.app.prisma, 'another-copy-of-the-demo'), 'loaded')
    const copy = await demo.http.get('/v1/visits/another-copy-of-the-demo/itinerary').expect(200)
    const ids = [copy.body.visit.id, ...copy.body.legs.flatMap((entry: { leg: { id: string }, days: Array<{ engagements: Array<{ id: string }> }> }) =>
      [entry.leg.id, ...entry.days.flatMap((day) => day.engagements.map((engagement) => engagement.id))])]
    assert.equal(ids.length, 1 + demoLegs.length + demoEngagements.length)
    const fixed = new Set<string>([DEMO_IDS.visit, ...demoLegs.map(({ id }) => id), ...demoEngagements.map(({ id }) => id)])
    assert.deepEqual(ids.filter((id) => fixed.has(id)), [])
    assert.equal(await demo.app.prisma.participant.count(), demoParticipants.length)
  })

  it('loads the demo under its own slug with new ids once its visit id has another slug', async () => {
    await demo.restart()
    await demo.http.patch(`/v1/visits/${demoVisit.slug}`).set(authorised).set('If-Match', '"v1"').send({ slug: 'renamed-demo' }).expect(200)
    assert.equal(await loadDemoVisit(demo.app.prisma), 'loaded')
    const reloaded = await demo.http.get(`/v1/visits/${demoVisit.slug}`).expect(200)
    assert.notEqual(reloaded.body.id, DEMO_IDS.visit)
  })

  it('has write operations, each with an example request', () => {
    const operations = writeOperations(document)
    assert.ok(operations.length > 0, 'the document has no write operations')
    for (const operation of operations) exampleRequest(document, operation)
    for (const [operation, before] of Object.entries(SENT_BEFORE)) {
      assert.deepEqual([operation, ...before].filter((name) => !operations.includes(name)), [], 'SENT_BEFORE names operations the document lacks')
    }
  })

  it('answers each write operation\'s example with its success status on a freshly started demo', async (t) => {
    for (const operation of writeOperations(document)) {
      await t.test(operation, async () => {
        await demo.restart()
        for (const name of [...SENT_BEFORE[operation] ?? [], operation]) {
          const request = exampleRequest(document, name)
          const response = await send(request)
          assert.equal(response.status, request.success, `${name}: ${response.text}`)
        }
      })
    }
  })

  it('creates an engagement again on a second try of the example (no fixed Idempotency-Key)', async () => {
    await demo.restart()
    const request = exampleRequest(document, 'POST /v1/visits/{visit}/engagements')
    const first = await send(request)
    const second = await send(request)
    assert.deepEqual([first.status, second.status], [201, 201], second.text)
    assert.notEqual(first.body.id, second.body.id)
    assert.equal(second.headers['idempotent-replayed'], undefined)
  })
})

// A fuzzer in the spirit of Schemathesis, driven by the committed openapi/openapi.json: for
// every operation, valid requests generated from its schemas and requests broken in one place,
// each answer judged by the document (status, content type, schema, problem+json).
//
// FUZZ_SEED=<integer> reproduces a run (the seed is printed); FUZZ_CASES=<n> sets how many
// requests the operations share (default 2,040).
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import fc from 'fast-check'
import supertest from 'supertest'
import { TOKEN_SCOPES } from '../../../src/domain/access.js'
import { WRITE_TOKEN, buildTestApp, useTestApp } from '../../helper.js'
import { fuzzCase } from './cases.js'
import { exercise, send, type FuzzContext } from './exercise.js'
import { Fixtures } from './fixtures.js'
import { documentedOperations } from './openapi-model.js'
import { responseViolations } from './oracle.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20260105)
const CASES = Number(process.env.FUZZ_CASES ?? 2040)
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

describe('fuzzing every operation of openapi/openapi.json', () => {
  const server = useTestApp()
  const operations = documentedOperations()
  const casesPerOperation = Math.ceil(CASES / operations.length)
  const statuses: Record<number, number> = {}
  let cases = 0
  const context = {} as FuzzContext

  before(async () => {
    // One listening socket with keep-alive, instead of supertest listening anew for each request.
    const http = supertest(await server.app.listen({ port: 0, host: '127.0.0.1' }))
    const fixtures = new Fixtures(http, SEED)
    await fixtures.create()
    Object.assign(context, { http, operations, fixtures })
  })

  for (const [index, operation] of operations.entries()) {
    it(`${operation.method.toUpperCase()} ${operation.path} (${operation.id})`, async (t) => {
      const seed = SEED + index
      t.diagnostic(`seed ${seed}`)
      let accepted = 0
      await fc.assert(fc.asyncProperty(fuzzCase(operation, context.fixtures), async (generated) => {
        const outcome = await exercise(context, operation, generated)
        cases += 1
        statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1
        if (outcome.invalidBecause === null && outcome.status < 300) accepted += 1
        assert.deepEqual(outcome.violations, [], `${outcome.request}\n${generated.mutation ?? 'valid request'}${outcome.invalidBecause === null ? '' : ` (invalid: ${outcome.invalidBecause})`}`)
      }), { seed, numRuns: casesPerOperation, includeErrorInReport: true })
      const documentsSuccess = Object.keys(operation.responses).some((status) => status.startsWith('2'))
      if (documentsSuccess) assert.ok(accepted > 0, `no valid request to ${operation.id} was accepted in ${casesPerOperation} cases`)
    })
  }

  it('answers a method a documented path does not serve with a 405 problem naming the allowed methods, as each operation of the path documents', async () => {
    const paths = [...new Set(operations.map((operation) => operation.path))]
    for (const path of paths) {
      const served = operations.filter((operation) => operation.path === path)
      const documented = served.map((operation) => operation.method)
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => context.fixtures.key(path, name, 'id') ?? '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11')
      for (const method of METHODS.filter((candidate) => !documented.includes(candidate))) {
        const response = await send(context.http, method, concrete, { authorization: `Bearer ${WRITE_TOKEN}` }, { text: '{}', contentType: 'application/json' })
        cases += 1
        statuses[response.status] = (statuses[response.status] ?? 0) + 1
        assert.equal(response.status, 405, `${method} ${path}: ${response.text.slice(0, 200)}`)
        for (const operation of served) assert.deepEqual(responseViolations(operation, response), [], `${method} ${path} judged as ${operation.id}`)
        const allowed = String(response.headers.allow ?? '').toLowerCase().split(/,\s*/).filter((name) => name !== 'head' && name !== 'options')
        assert.deepEqual(allowed.sort(), [...documented].sort(), `${method} ${path}: Allow ${String(response.headers.allow)}`)
      }
    }
  })

  it('past the rate limits, answers every operation that documents 429 with it, and no other', async (t) => {
    // An app of its own whose budgets are one request a minute: the second of each kind is refused.
    const { http } = await buildTestApp(t, {
      apiTokens: new Map([['fuzz-desk', { secret: WRITE_TOKEN, scopes: [...TOKEN_SCOPES] }]]),
      rateLimits: { readsPerMinute: 1, writesPerMinute: 1, failedAuthenticationsPerMinute: 1 }
    })
    for (const operation of operations) {
      const path = operation.path.replace(/\{(\w+)\}/g, () => '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11')
      const body = operation.body === undefined ? undefined : { text: '{}', contentType: 'application/json' }
      const seen: number[] = []
      for (const authorization of [`Bearer ${WRITE_TOKEN}`, `Bearer ${WRITE_TOKEN}`, 'Bearer not-the-right-secret', 'Bearer not-the-right-secret', undefined, undefined]) {
        const response = await send(http, operation.method, path, authorization === undefined ? {} : { authorization }, body)
        cases += 1
        statuses[response.status] = (statuses[response.status] ?? 0) + 1
        seen.push(response.status)
        assert.deepEqual(responseViolations(operation, response), [], `${operation.id} (${authorization ?? 'no token'})`)
        if (response.status === 429) assert.ok(Number(response.headers['retry-after']) >= 1, `${operation.id}: Retry-After`)
      }
      assert.equal(seen.includes(429), '429' in operation.responses, `${operation.id} answered ${seen.join(', ')}`)
    }
  })

  it(`ran at least ${CASES} cases`, (t) => {
    t.diagnostic(`fuzz: ${cases} cases, ${operations.length} operations, seed ${SEED}, statuses ${JSON.stringify(statuses)}`)
    assert.ok(cases >= CASES, `only ${cases} cases`)
  })
})

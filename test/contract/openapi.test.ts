import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import diagnosticsChannel from 'node:diagnostics_channel'
import { readFile } from 'node:fs/promises'
import { before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { FastifyInstance, RouteOptions } from 'fastify'
import type { OpenAPIV3_1 } from 'openapi-types'
import { buildTestApp, cleanupList, useTestApp } from '../helper.js'
import { projectPath, projectRoot } from '../../src/project-root.js'

const COMMITTED = projectPath('openapi', 'openapi.json')

/**
 * "METHOD /path/{param}" for every route an app registers, except what the document leaves out
 * on purpose: hidden routes (/openapi.json, the CORS preflight), Swagger UI under /docs, and
 * the HEAD twin Fastify adds to each GET. Fastify announces each new instance on the
 * `fastify.initialization` diagnostics channel before any plugin runs, which is the one moment
 * an onRoute hook can still see every route.
 */
async function registeredOperations (): Promise<Set<string>> {
  const routes: RouteOptions[] = []
  const collect = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route) => { routes.push(route) })
  }
  diagnosticsChannel.subscribe('fastify.initialization', collect)
  try {
    // Building the app opens no database connection (as in scripts/openapi.ts).
    const cleanups = cleanupList()
    await buildTestApp(cleanups, { databaseUrl: 'postgresql://localhost/unused', apiTokens: new Map() })
    await cleanups.run()
  } finally {
    diagnosticsChannel.unsubscribe('fastify.initialization', collect)
  }
  return new Set(routes
    .filter((route) => route.schema?.hide !== true && !route.url.startsWith('/docs'))
    .flatMap((route) => [route.method].flat().map((method) => ({ method, path: route.url.replace(/:(\w+)/g, '{$1}') })))
    .filter(({ method }) => method !== 'HEAD')
    .map(({ method, path }) => `${method} ${path}`))
}

describe('the OpenAPI document', () => {
  const server = useTestApp()
  let generated: OpenAPIV3_1.Document
  before(() => {
    generated = server.app.swagger() as OpenAPIV3_1.Document
  })

  it('is committed exactly as the code produces it (run npm run openapi after changing a route)', async () => {
    const committed = JSON.parse(await readFile(COMMITTED, 'utf8'))
    assert.deepEqual(committed, JSON.parse(JSON.stringify(generated)))
  })

  it('is served at /openapi.json', async () => {
    const response = await server.http.get('/openapi.json').expect(200)
    assert.deepEqual(response.body, JSON.parse(JSON.stringify(generated)))
  })

  it('is a valid OpenAPI 3.1 document for an independent validator', async () => {
    const document = JSON.parse(await readFile(COMMITTED, 'utf8'))
    await SwaggerParser.validate(document)
    assert.equal(document.openapi, '3.1.0')
  })

  it('passes redocly lint without errors', async () => {
    const { stdout, stderr } = await promisify(execFile)('npx', ['redocly', 'lint', '--format', 'json', 'openapi/openapi.json'], {
      cwd: projectRoot
    }).catch((error: { stdout: string, stderr: string }) => error)
    const report = JSON.parse(stdout) as { totals: { errors: number, warnings: number }, problems: Array<{ message: string, severity: string }> }
    const errors = report.problems.filter((problem) => problem.severity === 'error')
    assert.deepEqual(errors, [], stderr)
    assert.equal(report.totals.errors, 0)
  })

  it('documents every operation with an id, a summary, a tag and problem responses, each one a real route', () => {
    const operations = Object.entries(generated.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item ?? {}).map(([method, operation]) => ({ path, method, operation: operation as OpenAPIV3_1.OperationObject })))
    assert.ok(operations.length >= 15, `only ${operations.length} operations`)
    for (const { path, method, operation } of operations) {
      assert.ok(operation.operationId, `${method} ${path} has an operationId`)
      assert.ok(operation.summary, `${method} ${path} has a summary`)
      assert.ok(operation.tags?.length, `${method} ${path} has a tag`)
      const url = path.replace(/\{(\w+)\}/g, ':$1')
      assert.ok(server.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path} is served`)
      const errorResponses = Object.keys(operation.responses ?? {}).filter((status) => status >= '400')
      for (const status of errorResponses) {
        const content = (operation.responses?.[status] as OpenAPIV3_1.ResponseObject).content
        assert.ok(content?.['application/problem+json'], `${method} ${path} ${status} is a problem`)
      }
    }
  })

  it('documents on every operation the statuses every request can meet, and 401 and 429 under /v1', () => {
    for (const [path, item] of Object.entries(generated.paths ?? {})) {
      for (const [method, operation] of Object.entries(item ?? {}) as Array<[string, OpenAPIV3_1.OperationObject]>) {
        const statuses = Object.keys(operation.responses ?? {})
        const expected = ['405', '408', '431', '503']
        if (path.startsWith('/v1/')) expected.push('400', '401', '429')
        if (path.includes('{')) expected.push('404', '414')
        if (['post', 'put', 'patch', 'delete'].includes(method)) expected.push('413', '415')
        assert.deepEqual(expected.filter((status) => !statuses.includes(status)), [], `${method} ${path} documents ${statuses.join(', ')}`)
        if (!path.startsWith('/v1/')) assert.ok(!statuses.includes('429'), `${method} ${path} is not rate limited`)
        const retryAfter = (operation.responses?.['429'] as OpenAPIV3_1.ResponseObject | undefined)?.headers?.['Retry-After']
        if (statuses.includes('429')) assert.ok(retryAfter, `${method} ${path}: 429 documents Retry-After`)
      }
    }
  })

  it('shows for each error status an example of that status\'s own problem', () => {
    const examplesByStatus = new Map<string, Set<string>>()
    for (const item of Object.values(generated.paths ?? {})) {
      for (const operation of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (status < '400') continue
          const example = (response as OpenAPIV3_1.ResponseObject).content?.['application/problem+json']?.example as { type: string, status: number, title: string, detail: string } | undefined
          assert.ok(example, `${operation.operationId} ${status} has an example`)
          assert.equal(example.status, Number(status), `${operation.operationId} ${status}: the example is a ${example.status}`)
          assert.ok(example.type.startsWith('/problems/') && example.title !== '' && example.detail.length > 20, `${operation.operationId} ${status}`)
          examplesByStatus.set(status, (examplesByStatus.get(status) ?? new Set()).add(example.type))
        }
      }
    }
    const types = [...examplesByStatus.values()].flatMap((set) => [...set])
    assert.equal(new Set(types).size, types.length, 'no two statuses share an example type')
    assert.ok(examplesByStatus.size >= 15, `examples for ${examplesByStatus.size} statuses`)
  })

  it('documents exactly the routes the app serves, both ways', async () => {
    const documented = new Set(Object.entries(generated.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`)))
    const registered = await registeredOperations()
    assert.deepEqual([...registered].filter((operation) => !documented.has(operation)).sort(), [], 'served but not documented')
    assert.deepEqual([...documented].filter((operation) => !registered.has(operation)).sort(), [], 'documented but not served')
    assert.ok(registered.size >= 15, `only ${registered.size} routes found`)
  })
})

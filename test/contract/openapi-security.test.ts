import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { projectRoot } from '../../src/project-root.js'


interface SpectralResult {
  code: string
  message: string
  path: Array<string | number>
  /** 0 error, 1 warning, 2 information, 3 hint */
  severity: number
}

/** Spectral with the project's .spectral.yaml (spectral:oas and the OWASP API Security ruleset). */
async function lint (document: string): Promise<SpectralResult[]> {
  const { stdout } = await promisify(execFile)('npx', [
    'spectral', 'lint', document, '--ruleset', join(projectRoot, '.spectral.yaml'), '--format', 'json', '--quiet'
  ], { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 })
    // Spectral exits non-zero when it finds errors; the report on stdout is what matters.
    .catch((error: { stdout: string }) => error)
  return JSON.parse(stdout) as SpectralResult[]
}

const describeResult = (result: SpectralResult) => `${result.code} at ${result.path.join('.')}: ${result.message}`

describe('the OpenAPI document under the OWASP API Security ruleset', () => {
  it('has no errors (warnings are advice)', async () => {
    const results = await lint('openapi/openapi.json')
    const errors = results.filter((result) => result.severity === 0)
    assert.deepEqual(errors.map(describeResult), [])
  })

  it('is checked by a ruleset that really flags an insecure document', async () => {
    // A control: if the OWASP ruleset silently failed to load, the test above would pass on anything.
    const dir = await mkdtemp(join(tmpdir(), 'spectral-'))
    try {
      const insecure = join(dir, 'insecure.json')
      await writeFile(insecure, JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'Insecure', version: '1', description: 'x', contact: { name: 'x' }, license: { name: 'x', identifier: 'MIT' } },
        servers: [{ url: 'http://example.org' }],
        tags: [{ name: 'x' }],
        components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
        paths: {
          '/items': {
            get: {
              operationId: 'listItems', summary: 'x', description: 'x', tags: ['x'],
              security: [{ basic: [] }],
              parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
              responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: { type: 'integer' } } } } } }
            }
          }
        }
      }))
      const codes = new Set((await lint(insecure)).filter((result) => result.severity === 0).map((result) => result.code))
      for (const code of ['owasp:api2:2023-no-http-basic', 'owasp:api4:2023-string-limit', 'owasp:api4:2023-array-limit', 'owasp:api8:2023-no-server-http']) {
        assert.ok(codes.has(code), `${code} among ${[...codes].join(', ')}`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

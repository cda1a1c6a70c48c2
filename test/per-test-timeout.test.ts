import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NODE_TEST_ARGS } from './node-test-command.js'

const TIMEOUT_MS = 1000
// Far longer than the file below takes with per-test timeouts; without them it never ends.
const HANG_LIMIT_MS = 60_000

const HANGING_FILE = `
import { before, describe, it } from 'node:test'
import net from 'node:net'
describe('a suite', () => {
  it('passes first', () => {})
  it('hangs holding a socket open', () => new Promise(() => { net.createServer().listen(0, '127.0.0.1') }))
  it('runs after the hung one', () => {})
  it('sets a longer timeout of its own', { timeout: ${TIMEOUT_MS * 3} }, () => new Promise((resolve) => setTimeout(resolve, ${TIMEOUT_MS * 2})))
})
describe('a suite whose before hook hangs', () => {
  before(() => new Promise(() => {}))
  it('never starts', () => {})
})
`

// Quick suites, and a socket left open: the file must end, and report every one of them.
const SUITES = 200
const LEAKING_FILE = `
import { describe, it } from 'node:test'
import net from 'node:net'
net.createServer().listen(0, '127.0.0.1')
for (let suite = 1; suite <= ${SUITES}; suite++) describe(\`suite \${suite}\`, () => { it('passes', () => {}) })
`

interface Run { code: number | null, stdout: string, elapsedMs: number }

/** Runs a test file of this source the way test/run.ts runs them, with TAP on stdout. */
async function runTestFile (folder: string, source: string): Promise<Run> {
  const file = join(folder, `${randomUUID()}.test.mjs`)
  await writeFile(file, source)
  // Without the variable that marks this process as one of a test run's files.
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_TIMEOUT_MS: String(TIMEOUT_MS) }
  delete env.NODE_TEST_CONTEXT
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [...NODE_TEST_ARGS, '--test-reporter=tap', file], { env, timeout: HANG_LIMIT_MS, killSignal: 'SIGKILL' },
      (error, stdout) => resolve({ code: error === null ? 0 : (error.code as number | null) ?? null, stdout, elapsedMs: Date.now() - started }))
  })
}

describe('a test file run the way test/run.ts runs them', () => {
  let folder: string
  let hanging: Run
  let leaking: Run
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'test-files-'))
    ;[hanging, leaking] = await Promise.all([runTestFile(folder, HANGING_FILE), runTestFile(folder, LEAKING_FILE)])
  })
  after(() => rm(folder, { recursive: true, force: true }))

  it('ends although a test hangs and leaves a socket open, and fails', () => {
    assert.ok(hanging.elapsedMs < HANG_LIMIT_MS, `still running after ${HANG_LIMIT_MS} ms:\n${hanging.stdout}`)
    assert.equal(hanging.code, 1, hanging.stdout)
  })

  it('fails the hung test by its name, for its timeout, and runs the others', () => {
    assert.match(hanging.stdout, /not ok 2 - hangs holding a socket open\n(.*\n)*? {6}error: 'test timed out after 1000ms'/)
    assert.match(hanging.stdout, /^ {4}ok 1 - passes first$/m)
    assert.match(hanging.stdout, /^ {4}ok 3 - runs after the hung one$/m)
    assert.match(hanging.stdout, /^ {4}ok 4 - sets a longer timeout of its own$/m)
  })

  it('fails the suite whose hook hangs, by its name', () => {
    assert.match(hanging.stdout, /not ok 2 - a suite whose before hook hangs\n(.*\n)*? {2}error: 'failed running before hook'/)
  })

  it('ends a file that left a socket open once all its tests are reported, and passes it', () => {
    assert.ok(leaking.elapsedMs < HANG_LIMIT_MS, `still running after ${HANG_LIMIT_MS} ms:\n${leaking.stdout}`)
    assert.equal(leaking.code, 0, leaking.stdout)
    assert.equal([...leaking.stdout.matchAll(/^ok \d+ - suite \d+$/gm)].length, SUITES, leaking.stdout)
  })
})

// npm test [-- <file or folder>...] [-- <node --test option>...]
//
// Prepares a migrated database, then runs every test/**/*.test.ts with Node's test runner twice:
// with TZ=UTC and with TZ=Pacific/Chatham (UTC+12:45/+13:45, its own daylight-saving dates), so
// code that leans on the machine's time zone fails in one of them. With DATABASE_URL set, each
// pass gets a new database on that server, dropped afterwards; without it, each pass gets an
// embedded PGlite of its own in a temporary folder. TEST_DATABASE (`server` or `embedded`)
// tells the tests which, so that those needing a server skip themselves on the embedded one
// (`needsPostgresServer` in test/helper.ts); the skipped tests and why are listed at the end.
// Every test and hook has a timeout (test/per-test-timeout.ts), so a hung test fails with its
// name and the run ends. Arguments narrow the files to those paths (`npm test -- test/domain`);
// arguments starting with "-" go to `node --test` (`npm test -- --test-name-pattern=slug`).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { startEmbeddedPostgres } from '../src/db/embedded.js'
import { applyMigrations } from '../src/db/schema-engine.js'
import { NODE_TEST_ARGS } from './node-test-command.js'

const TIME_ZONES = ['UTC', 'Pacific/Chatham']
const projectRoot = fileURLToPath(new URL('..', import.meta.url))
// Skips that the run's own options cause (--test-name-pattern, --test-only): not worth listing.
const SELECTION_SKIPS = new Set(['test name does not match pattern', '\'only\' option not set'])

interface TestServer {
  /** URL of the database a pass runs against, migrated by the caller, and a name for it. */
  databaseForPass(): Promise<{ url: string, name: string }>
  /** Drops what databaseForPass created and lets go of the server. */
  close(): Promise<void>
}

// Ctrl-C reaches the test processes too; the runner only has to stop starting work and clean up.
let interruptedBy: NodeJS.Signals | undefined
let runningTests: ReturnType<typeof spawn> | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interruptedBy = signal
    runningTests?.kill(signal)
  })
}

const args = process.argv.slice(2)
const nodeTestOptions = args.filter((arg) => arg.startsWith('-'))
const pathFilters = args.filter((arg) => !arg.startsWith('-'))
const files = await testFiles(pathFilters)
if (files.length === 0) {
  console.error(`No test files${pathFilters.length > 0 ? ` under ${pathFilters.join(', ')}` : ''}.`)
  process.exit(1)
}

const workDir = await mkdtemp(join(tmpdir(), 'itinerary-test-'))
const failures: string[] = []
/** Test name -> why it was skipped, over both passes. */
const skipped = new Map<string, string>()
try {
  const testDatabase = process.env.DATABASE_URL ? 'server' : 'embedded'
  const server = process.env.DATABASE_URL
    ? await realServer(process.env.DATABASE_URL)
    : await embeddedServer(join(workDir, 'pglite'))
  try {
    for (const [index, timeZone] of TIME_ZONES.entries()) {
      if (interruptedBy) break
      const pass = `Pass ${index + 1}/${TIME_ZONES.length} (TZ=${timeZone})`
      const database = await server.databaseForPass()
      await applyMigrations(database.url)
      process.stdout.write(`\n=== ${pass}: ${files.length} file(s) against ${database.name}\n`)
      const tapFile = join(workDir, `pass-${index + 1}.tap`)
      // TMPDIR inside the work folder: what tests leave in os.tmpdir() goes with it, even after Ctrl-C.
      const passed = await runNodeTests({
        ...process.env, DATABASE_URL: database.url, TEST_DATABASE: testDatabase, TZ: timeZone, TMPDIR: workDir
      }, tapFile)
      const { testCount, skips } = await readReport(tapFile)
      for (const [name, reason] of skips) skipped.set(name, reason)
      if (!passed) failures.push(`${pass} failed.`)
      else if (testCount === 0) failures.push(`${pass} ran no tests: none found, or all skipped.`)
    }
  } finally {
    await server.close()
  }
} catch (error) {
  failures.push(`The test run broke: ${error instanceof Error ? error.stack : String(error)}`)
} finally {
  await rm(workDir, { recursive: true, force: true })
}

if (skipped.size > 0) {
  process.stdout.write(`\nSkipped here (${skipped.size}):\n${[...skipped].map(([name, reason]) => `- ${name}: ${reason}`).join('\n')}\n`)
}
if (interruptedBy) {
  console.error(`\nInterrupted by ${interruptedBy}; test databases removed.`)
  process.exitCode = interruptedBy === 'SIGINT' ? 130 : 143
} else if (failures.length > 0) {
  console.error(`\n${failures.join('\n')}`)
  process.exitCode = 1
} else {
  process.stdout.write(`\nAll ${TIME_ZONES.length} passes succeeded.\n`)
}

/** test/**\/*.test.ts as paths from the project root, sorted, narrowed to the given paths. */
async function testFiles (filters: string[]): Promise<string[]> {
  const all = (await readdir(join(projectRoot, 'test'), { recursive: true }))
    .filter((path) => path.endsWith('.test.ts'))
    .map((path) => ['test', ...path.split(sep)].join('/'))
    .sort()
  if (filters.length === 0) return all
  const prefixes = filters.map((filter) => relative(projectRoot, resolve(filter)).split(sep).join('/'))
  return all.filter((file) => prefixes.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)))
}

async function runNodeTests (env: NodeJS.ProcessEnv, tapFile: string): Promise<boolean> {
  runningTests = spawn(process.execPath, [
    ...NODE_TEST_ARGS,
    // Node's own default on the terminal, plus a TAP copy the runner reads the test count from.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...nodeTestOptions, ...files
  ], { cwd: projectRoot, env, stdio: 'inherit' })
  const [exitCode] = await once(runningTests, 'exit') as [number | null, NodeJS.Signals | null]
  runningTests = undefined
  return exitCode === 0
}

/**
 * From Node's TAP report: the tests that ran (passed or failed, not skipped), 0 when the run died
 * before writing the summary, and the skipped ones with their reasons. Node reports a file that
 * declared no tests as one test named by the file's path: not a test.
 */
async function readReport (tapFile: string): Promise<{ testCount: number, skips: Array<[string, string]> }> {
  const tap = await readFile(tapFile, 'utf8').catch(() => '')
  const summary = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0)
  const filePaths = new Set(files.map((file) => join(projectRoot, file)))
  const filesWithoutTests = [...tap.matchAll(/^(?:not )?ok \d+ - (.+)$/gm)].filter(([, name]) => filePaths.has(name ?? ''))
  const skips = [...tap.matchAll(/^\s*ok \d+ - (.+?) # SKIP (.+)$/gm)]
    .map(([, name, reason]): [string, string] => [name ?? '', reason ?? ''])
    .filter(([, reason]) => !SELECTION_SKIPS.has(reason))
  return { testCount: summary('pass') + summary('fail') - filesWithoutTests.length, skips }
}

async function realServer (serverUrl: string): Promise<TestServer> {
  const admin = new pg.Client({ connectionString: serverUrl })
  // A dropped admin connection shows up as a failing CREATE/DROP DATABASE; say why here too.
  admin.on('error', (error) => console.error(`Lost the connection to ${serverUrl}: ${error.message}`))
  await admin.connect()
  const created: string[] = []
  return {
    async databaseForPass () {
      const name = `itinerary_test_${Date.now()}_${randomBytes(3).toString('hex')}`
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      created.push(name)
      const url = new URL(serverUrl)
      url.pathname = `/${name}`
      return { url: url.toString(), name }
    },
    async close () {
      try {
        // FORCE ends connections a test left open, which would otherwise block the drop.
        for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
      } finally {
        await admin.end()
      }
    }
  }
}

/**
 * A new PGlite for every pass, as the Postgres server gives every pass a new database: a pass
 * must not meet the rows (idempotency keys, people, Wikidata ids) the previous one left.
 */
async function embeddedServer (dataDir: string): Promise<TestServer> {
  let current: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined
  let passes = 0
  return {
    async databaseForPass () {
      await current?.stop()
      passes++
      // Test files run in parallel processes, each with its own connection pool.
      current = await startEmbeddedPostgres({ dataDir: `${dataDir}-${passes}`, maxConnections: 200 })
      return { url: current.connectionString, name: `the embedded PGlite #${passes}` }
    },
    close: async () => { await current?.stop() }
  }
}

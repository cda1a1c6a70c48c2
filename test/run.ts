// npm test [-- <file or folder>...] [-- <node --test option>...]
//
// Compiles the project once (`tsc -p .`, incremental, into .build/: a type error stops the run
// before any test), prepares a migrated database, then runs every test/**/*.test.ts, compiled,
// with Node's test runner once per time zone of TEST_ZONES (comma-separated; default
// `UTC,Pacific/Chatham`). Pacific/Chatham is UTC+12:45/+13:45 with its own daylight-saving dates,
// so code that leans on the machine's zone fails there, and UTC hides what such code gets wrong.
// Every test file runs on a copy of its own of the pass's migrated database (test/file-database.ts):
// with DATABASE_URL set, a clone on that server, all dropped afterwards; without it, an embedded
// PGlite of the file's own. TEST_DATABASE (`server` or `embedded`) tells the tests which, so that
// those needing a server skip themselves on the embedded one (`needsPostgresServer` in
// test/helper.ts); the skipped tests and why are listed at the end.
//
// Files run TEST_CONCURRENCY at a time (default 3: many files spend much of their time waiting on
// a database, a child process or a timer), the slowest first by the figures of the last run here
// (.build/test-durations.json, else those committed in test/durations.json), except those in RUN_ALONE, which run one at a time after the
// others, for the reason given there.
//
// Which zones where: the zone only reaches the tests' own processes (the app, the luxon and Intl
// code); the database's zone is its server's either way, and both kinds are reached through the
// same driver. So CI runs the Postgres suite under UTC and the embedded one under Pacific/Chatham
// (.ci/run): every file meets both zones and both kinds of database once, in half the time of
// both zones on both. `npm test` alone keeps both zones, for whoever runs one kind only. The few
// files that depend on neither (RUN_ONCE) run in the first pass only.
//
// Every test and hook has a timeout (test/per-test-timeout.ts), so a hung test fails with its
// name and the run ends. Arguments narrow the files to those paths (`npm test -- test/domain`);
// arguments starting with "-" go to `node --test` (`npm test -- --test-name-pattern=slug`).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { startEmbeddedPostgres } from '../src/db/embedded.js'
import { applyMigrations } from '../src/db/schema-engine.js'
import { projectPath, projectRoot } from '../src/project-root.js'
import { fileDatabaseName } from './file-database.js'
import { BUILD_DIR, NODE_TEST_ARGS, compiledPath } from './node-test-command.js'
import type { RunSummary } from './summary-reporter.js'

const TIME_ZONES = timeZones(process.env.TEST_ZONES ?? 'UTC,Pacific/Chatham')
const CONCURRENCY = positiveInteger('TEST_CONCURRENCY', process.env.TEST_CONCURRENCY ?? '3')
const testDatabase = process.env.DATABASE_URL ? 'server' : 'embedded'
/**
 * Files that run one at a time once the others are done, on the database kinds named, and why:
 * they bound how long answers take, which other files at work beside them would stretch.
 */
const RUN_ALONE = new Map<string, { on: Array<typeof testDatabase>, why: string }>([
  // Seen answering 503 to 4 or 5 of its 40 writes on a 2-core machine loaded by other suites, even
  // when the files ran one at a time: alone, it at least has this suite's share of the machine.
  ['test/routes/concurrency.test.ts', { on: ['server', 'embedded'], why: 'needs 40 contending writes to finish within the service\'s timeouts' }],
  ['test/reliability/database-outage.test.ts', { on: ['server', 'embedded'], why: 'bounds the time of every answer during and after the outage' }],
  // Skipped on the embedded database: it needs a server's pg_terminate_backend.
  ['test/reliability/terminated-connections.test.ts', { on: ['server'], why: 'bounds the time to recover after the last termination' }],
  ['test/reliability/graceful-shutdown.test.ts', { on: ['server', 'embedded'], why: 'needs requests still running at SIGTERM and bounds the time to exit' }]
])
/**
 * Files whose outcome depends on neither the time zone nor the kind of database, and why: they run
 * in the first pass only, and not at all with TEST_SKIP_RUN_ONCE=1, which .ci/run sets on its
 * second `npm test` (its first ran them). Together about 50 s of a 180 s pass, most of it the
 * browser.
 */
const RUN_ONCE = new Map<string, string>([
  ['test/browser/find-chromium.test.ts', 'looks for a browser on this machine'],
  ['test/browser/swagger-ui.test.ts', 'drives Swagger UI in a browser; the API it calls is tested in every pass'],
  ['test/contract/openapi-security.test.ts', 'lints the committed OpenAPI document'],
  ['test/db/data-dir-lock.test.ts', 'locks folders; no database is opened'],
  ['test/docker-compose.test.ts', 'reads docker-compose.yml, the Dockerfile and their configuration'],
  ['test/docs.test.ts', 'compares the docs with the code\'s constants'],
  ['test/per-test-timeout.test.ts', 'runs made-up test files that use no database, with timeouts in milliseconds'],
  ['test/startup/logger.test.ts', 'logs one line, through a pipe and a terminal']
])
const skipRunOnce = process.env.TEST_SKIP_RUN_ONCE === '1'
/** What test/summary-reporter.ts measured when the files last ran here, kept for the next run. */
const DURATIONS_FILE = join(BUILD_DIR, 'test-durations.json')
/**
 * The figures of a run on a 2-core machine, committed, for a checkout that has none of its own yet
 * (CI's fresh clone): refresh with `cp .build/test-durations.json test/durations.json` when files
 * come or change much. Stale figures only order the files less well.
 */
const COMMITTED_DURATIONS_FILE = projectPath('test', 'durations.json')
// Skips that the run's own options cause (--test-name-pattern, --test-only): not worth listing.
const SELECTION_SKIPS = new Set(['test name does not match pattern', '\'only\' option not set'])

interface TestServer {
  /**
   * A migrated database for a pass, that every test file gets a copy of (test/file-database.ts):
   * a name for it, and the variables telling test/file-database.ts where to copy it from.
   */
  databaseForPass(): Promise<{ name: string, env: NodeJS.ProcessEnv }>
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
const durations = await readDurations()
let passesRun = 0

if (!await compileProject()) {
  console.error('\nThe project does not compile (errors above): fix them, or run `npx tsc -p .` to see them alone.')
  process.exit(1)
}

const workDir = await mkdtemp(join(tmpdir(), 'itinerary-test-'))
const failures: string[] = []
/** Test name -> why it was skipped, over all passes. */
const skipped = new Map<string, string>()
try {
  const server = process.env.DATABASE_URL
    ? await realServer(process.env.DATABASE_URL)
    : await embeddedServer(workDir)
  try {
    for (const [index, timeZone] of TIME_ZONES.entries()) {
      if (interruptedBy) break
      const pass = `Pass ${index + 1}/${TIME_ZONES.length} (TZ=${timeZone})`
      const passFiles = files.filter((file) => !RUN_ONCE.has(file) || (index === 0 && !skipRunOnce))
      const alone = passFiles.filter((file) => RUN_ALONE.get(file)?.on.includes(testDatabase))
      const groups = [
        { files: slowestFirst(passFiles.filter((file) => !alone.includes(file)), durations), concurrency: CONCURRENCY },
        { files: alone, concurrency: 1 }
      ].filter((group) => group.files.length > 0)
      const notAgain = files.filter((file) => !passFiles.includes(file))
        .map((file) => `\n    not in this pass (${skipRunOnce ? 'TEST_SKIP_RUN_ONCE=1' : 'ran in the first'}): ${file}: ${RUN_ONCE.get(file)}`)
      if (passFiles.length === 0) {
        process.stdout.write(`\n=== ${pass}: no file to run${notAgain.join('')}\n`)
        continue
      }
      const database = await server.databaseForPass()
      process.stdout.write(`\n=== ${pass}: ${passFiles.length} file(s) against ${database.name}, ${CONCURRENCY} at a time` +
        `${notAgain.join('')}${alone.map((file) => `\n    then alone: ${file}: ${RUN_ALONE.get(file)?.why}`).join('')}\n`)
      passesRun++
      // TMPDIR inside the work folder: what tests leave in os.tmpdir() goes with it, even after Ctrl-C.
      const env = { ...process.env, ...database.env, TEST_DATABASE: testDatabase, TZ: timeZone, TMPDIR: workDir }
      let testCount = 0
      let passed = true
      for (const [groupIndex, group] of groups.entries()) {
        if (interruptedBy) break
        const summaryFile = join(workDir, `pass-${index + 1}-${groupIndex + 1}.json`)
        if (!await runNodeTests(group, env, summaryFile)) passed = false
        const report = await readSummary(summaryFile)
        await recordDurations(durations, report.durations)
        testCount += report.testCount
        for (const [name, reason] of report.skips) skipped.set(name, reason)
      }
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

if (passesRun === 0 && !interruptedBy && failures.length === 0) {
  failures.push('No pass ran a file: the files named run once, in the first pass, and TEST_SKIP_RUN_ONCE=1 skips them.')
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

/** TEST_ZONES as a list of zones the machine knows, or an error naming the one it does not. */
function timeZones (list: string): string[] {
  const zones = list.split(',').map((zone) => zone.trim()).filter(Boolean)
  for (const zone of zones) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone }).format()
    } catch {
      throw new Error(`TEST_ZONES names "${zone}", which is not an IANA time zone: give zones such as UTC,Pacific/Chatham.`)
    }
  }
  if (zones.length === 0) throw new Error('TEST_ZONES is empty: give the zones to run the suite under, such as UTC,Pacific/Chatham.')
  return zones
}

function positiveInteger (variable: string, value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${variable} is "${value}": give a whole number above 0.`)
  return number
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

/** `tsc -p .`: type-checks everything and writes .build/, only what changed since the last run. */
async function compileProject (): Promise<boolean> {
  const tsc = spawn(process.execPath, [projectPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', projectRoot], { cwd: projectRoot, stdio: 'inherit' })
  const [exitCode] = await once(tsc, 'exit') as [number | null]
  return exitCode === 0
}

async function runNodeTests (group: { files: string[], concurrency: number }, env: NodeJS.ProcessEnv, summaryFile: string): Promise<boolean> {
  runningTests = spawn(process.execPath, [
    ...NODE_TEST_ARGS, '--import', pathToFileURL(compiledPath('test/file-database.ts')).href, `--test-concurrency=${group.concurrency}`,
    // Node's own default on the terminal, plus the summary the runner reads (test/summary-reporter.ts).
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    `--test-reporter=${pathToFileURL(compiledPath('test/summary-reporter.ts')).href}`, `--test-reporter-destination=${summaryFile}`,
    ...nodeTestOptions, ...group.files.map(compiledPath)
  ], { cwd: projectRoot, env, stdio: 'inherit' })
  const [exitCode] = await once(runningTests, 'exit') as [number | null, NodeJS.Signals | null]
  runningTests = undefined
  return exitCode === 0
}

/** How long each file's tests took when last run here (test/summary-reporter.ts), else the committed figures. */
async function readDurations (): Promise<Map<string, number>> {
  const read = (path: string) => readFile(path, 'utf8').then((text) => JSON.parse(text) as Record<string, number>)
  const saved = await read(DURATIONS_FILE).catch(() => read(COMMITTED_DURATIONS_FILE)).catch(() => ({}))
  return new Map(Object.entries(saved))
}

/** Adds one group's figures to `durations` and saves them. */
async function recordDurations (durations: Map<string, number>, report: RunSummary['durations']): Promise<void> {
  // Node names the source file (test/x.test.ts) through the source maps, else the compiled one.
  const sourceOf = new Map(files.flatMap((file) => [[projectPath(file), file], [compiledPath(file), file]]))
  for (const [path, ms] of Object.entries(report)) {
    const source = sourceOf.get(path)
    if (source !== undefined) durations.set(source, Math.round(ms))
  }
  await writeFile(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(durations), null, 2)}\n`)
}

/**
 * The files in the order to start them: the slowest first (the longest last file decides when a
 * group ends), files with no figure yet before all, as they may be the slowest.
 */
function slowestFirst (group: string[], durations: Map<string, number>): string[] {
  return [...group].sort((a, b) => (durations.get(b) ?? Infinity) - (durations.get(a) ?? Infinity) || a.localeCompare(b))
}

/** What test/summary-reporter.ts wrote for a group; nothing ran when the run died before writing it. */
async function readSummary (summaryFile: string): Promise<RunSummary> {
  const summary = await readFile(summaryFile, 'utf8').then((text) => JSON.parse(text) as RunSummary)
    .catch((): RunSummary => ({ testCount: 0, skips: [], durations: {} }))
  return { ...summary, skips: summary.skips.filter(([, reason]) => !SELECTION_SKIPS.has(reason)) }
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
      await applyMigrations(url.toString())
      return { name: `clones of ${name}`, env: { TEST_TEMPLATE_DATABASE: name, TEST_SERVER_URL: serverUrl } }
    },
    async close () {
      try {
        const clones = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname::text ^@ ANY($1::text[])',
          [created.map((name) => fileDatabaseName(name, ''))])
        // FORCE ends connections a test left open, which would otherwise block the drop.
        for (const name of [...clones.rows.map((row) => row.datname), ...created]) {
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
        }
      } finally {
        await admin.end()
      }
    }
  }
}

/**
 * A new migrated PGlite for every pass, as the Postgres server gives every pass a new database (a
 * pass must not meet the rows the previous one left), dumped to a tarball in `workDir` that every
 * test file's own PGlite loads. Creating a PGlite's files takes seconds, loading a dump about one:
 * so the empty cluster is created once, and dumped too, for the tests that want an empty database
 * (newEmptyDatabase in test/own-database.ts).
 */
async function embeddedServer (workDir: string): Promise<TestServer> {
  const emptyDumpPath = join(workDir, 'empty-database.tar')
  await dumpTo(emptyDumpPath, await startEmbeddedPostgres({ dataDir: 'memory://' }))
  const emptyDump = new Blob([await readFile(emptyDumpPath)])
  let passes = 0
  return {
    async databaseForPass () {
      passes++
      const dumpPath = join(workDir, `pass-${passes}-database.tar`)
      await dumpTo(dumpPath, await startEmbeddedPostgres({ dataDir: 'memory://', initialData: emptyDump }), applyMigrations)
      return {
        name: `copies of the embedded PGlite #${passes}, one per file`,
        env: { TEST_TEMPLATE_DUMP: dumpPath, TEST_EMPTY_DUMP: emptyDumpPath }
      }
    },
    close: async () => {}
  }
}

/** Dumps `database` to `path`, after `prepare` if given, and stops it. */
async function dumpTo (path: string, database: Awaited<ReturnType<typeof startEmbeddedPostgres>>, prepare?: (url: string) => Promise<unknown>) {
  try {
    await prepare?.(database.connectionString)
    await writeFile(path, Buffer.from(await (await database.dumpData()).arrayBuffer()))
  } finally {
    await database.stop()
  }
}

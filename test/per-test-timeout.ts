// Imported by test/run.ts into the test runner and every test file's process (with
// --expose-internals), so that a hung test fails with its own name and the run still ends:
// - each test and each hook that sets no timeout of its own gets PER_TEST_TIMEOUT_MS. Node 20's
//   --test-timeout cannot do that: it bounds each whole file and names no test (later versions
//   made it per test, nodejs/node#57672). A suite (describe) keeps no bound; its tests have one each.
// - a test file's process exits once its tests are done and reported, even if a timed-out test
//   left a socket or timer behind. Node 20's --test-force-exit would, but it exits before the
//   report is written out (tests go missing from it, and the runner can spin on a cut message),
//   and at times ends a file between two of its tests.
import { createRequire } from 'node:module'

/**
 * Nine times the slowest test seen (the OpenAPI fuzzer, 34 s on the embedded database of a 2-core
 * machine running four test suites at once), and short enough that a hang costs a CI run minutes.
 * TEST_TIMEOUT_MS overrides it, for a slower machine or for the test of this file.
 */
const DEFAULT_TIMEOUT_MS = 5 * 60_000
const PER_TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS)
if (!Number.isInteger(PER_TEST_TIMEOUT_MS) || PER_TEST_TIMEOUT_MS <= 0) {
  throw new Error(`TEST_TIMEOUT_MS is "${process.env.TEST_TIMEOUT_MS}": give the milliseconds each test may take, such as 600000.`)
}

interface InternalTest {
  timeout: number | null
  parent: InternalTest | null
  hookType?: string
  subtests: InternalTest[]
  finished: boolean
  harness: { teardown(): Promise<void> }
  run(...args: unknown[]): Promise<void>
}
interface InternalClass<Instance> { prototype: Instance }

const { Test, Suite } = createRequire(import.meta.url)('internal/test_runner/test') as { Test?: InternalClass<InternalTest>, Suite?: InternalClass<object> }
if (typeof Test?.prototype.run !== 'function' || Suite === undefined) {
  throw new Error(`test/per-test-timeout.ts: Node ${process.version} has no internal Test and Suite classes to give tests a timeout; ` +
    'use a Node version package.json allows.')
}
// Node's runner starts each test file in a process of its own with this variable set. In the
// runner's own process nothing changes: a timeout there would bound each whole file.
const inTestFileProcess = process.env.NODE_TEST_CONTEXT !== undefined
// Far more than writing out the report of a file takes.
const REPORT_WRITING_MS = 2000
let exiting = false

const run = Test.prototype.run
if (inTestFileProcess) {
  Test.prototype.run = async function (this: InternalTest, ...args: unknown[]) {
    // The root test has neither a parent nor a hook type; hooks have no parent but a type.
    const isRoot = this.parent === null && this.hookType === undefined
    if (!isRoot && !Object.prototype.isPrototypeOf.call(Suite.prototype, this) && (this.timeout === null || this.timeout === Infinity)) {
      this.timeout = PER_TEST_TIMEOUT_MS
    }
    await run.apply(this, args)
    // The root runs whenever no test of the top level is running or waiting, which also happens
    // between two of them: only once all that the file declared have finished.
    if (isRoot && !exiting && this.subtests.every((test) => test.finished)) {
      exiting = true
      // A file that left nothing behind ends by itself now, its report complete; these timers do
      // not hold it. One that left a socket or timer (a timed-out test always does) would never
      // end: once its report has had time to be written, it is ended as --test-force-exit would,
      // whose own exit comes before the report is written out.
      setTimeout(() => {
        void this.harness.teardown().then(() => setTimeout(() => process.exit(), REPORT_WRITING_MS).unref())
      }, REPORT_WRITING_MS).unref()
    }
  }
}

// A reporter for Node's test runner, added by test/run.ts beside the one on the terminal: what the
// runner needs from a group of files, as one JSON object (RunSummary) at the end.
import type { TestEvent } from 'node:test/reporters'

export interface RunSummary {
  /** Tests that ran, passed or failed (not skipped, not suites). */
  testCount: number
  /** Tests skipped, with the reason each gave. */
  skips: Array<[name: string, reason: string]>
  /** Milliseconds each file's top-level tests took, by file: the runner starts the slowest first next time. */
  durations: Record<string, number>
}

export default async function * summary (source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const result: RunSummary = { testCount: 0, skips: [], durations: {} }
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const { data } = event
    if (data.nesting === 0 && data.file !== undefined) {
      result.durations[data.file] = (result.durations[data.file] ?? 0) + data.details.duration_ms
    }
    // Node reports a file that declared no tests as one test named by the file's path: not a test.
    const fileWithoutTests = data.nesting === 0 && /\.test\.[jt]s$/.test(data.name)
    if (data.details.type === 'suite' || fileWithoutTests || (data.todo !== undefined && data.todo !== false)) continue
    if (typeof data.skip === 'string') result.skips.push([data.name, data.skip])
    else if (data.skip === true) result.skips.push([data.name, ''])
    else result.testCount++
  }
  yield JSON.stringify(result)
}

// A reporter for Node's test runner, added by test/run.ts: how long each file's tests took, in
// milliseconds, as one JSON object at the end ({ "<file>": ms }). The runner keeps the figures in
// .build/ and starts the slowest files first on the next run, so that no long file starts last.
import type { TestEvent } from 'node:test/reporters'

export default async function * fileDurations (source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const durations: Record<string, number> = {}
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file !== undefined) {
      durations[event.data.file] = (durations[event.data.file] ?? 0) + event.data.details.duration_ms
    }
  }
  yield JSON.stringify(durations)
}

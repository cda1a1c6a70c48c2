// The node:test reporter whose report test/run.ts reads: Node's TAP, then one comment line per test
// file, `# file-seconds {"file":..., "seconds":...}`, with the seconds from the start of the file's
// process to the end of its last test. The runner lists the slowest: where to look first when the
// suite gets slow. One reporter for both, since a third makes Node 20 warn of a listener leak;
// plain JavaScript, since Node 20 loads reporters before tsx's hooks are in place.
import { tap } from 'node:test/reporters'

/** @param {AsyncIterable<{ type: string, data: { file?: string, name?: string, nesting?: number } }>} source */
export default async function * tapWithFileTimings (source) {
  const startedAt = new Map()
  const endedAt = new Map()
  async function * timed () {
    for await (const event of source) {
      const { type, data } = event
      // A file's own entry (named by its path) is taken off the queue when its process starts.
      if (type === 'test:dequeue' && data.nesting === 0 && data.name === data.file) startedAt.set(data.file, Date.now())
      // Reports come file after file, in order; completions come when they happen.
      if (type === 'test:complete' && data.file !== undefined) endedAt.set(data.file, Date.now())
      yield event
    }
  }
  yield * tap(timed())
  for (const [file, start] of startedAt) {
    yield `# file-seconds ${JSON.stringify({ file, seconds: ((endedAt.get(file) ?? start) - start) / 1000 })}\n`
  }
}

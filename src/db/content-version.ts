import type { Db } from './client.js'

/**
 * What a read's answer depends on besides its request, in a form that is cheap to read: if two
 * reads of the same request find the same state, they build the same body. One statement of
 * two index probes, without touching the rows a read shows: the content version (migration
 * content_version: every committed write to the tables reads show raises it) and the latest
 * embargo that has ended by now, since an embargo ends without a write and its engagement then
 * appears to readers without read:embargoed. Embargoes are compared with the application's
 * clock, as the reads compare them (src/db/visibility.ts), not with the database's.
 */
export async function readContentState (db: Db, now: Date): Promise<string> {
  const [row] = await db.$queryRaw<[{ version: string, embargo_ended: Date | null }]>`
    SELECT
      (SELECT version::text FROM content_version) AS version,
      (SELECT max(embargo_until) FROM engagements WHERE embargo_until <= ${now}::timestamptz) AS embargo_ended`
  return `${row.version}/${row.embargo_ended?.getTime() ?? '-'}`
}

/**
 * readContentState shared by the requests that arrive together: a caller joins the next read
 * to start, never one already running, so the state it gets was read after it asked, and
 * reflects every write committed before. One read runs at a time, and the requests that arrive
 * meanwhile wait for the next: a storm of polls costs one statement per round trip rather than
 * one per request, which matters most on the embedded database, where every statement runs on
 * the service's own thread (bench/RESULTS.md has the figures of both ways).
 */
export function sharedContentStateReader (db: Db): () => Promise<string> {
  let running: Promise<unknown> = Promise.resolve()
  let next: Promise<string> | undefined
  return () => {
    next ??= running.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => {
      next = undefined
      const read = readContentState(db, new Date())
      running = read.catch(() => undefined)
      return read
    })
    return next
  }
}

// Imported by test/run.ts into every test file's process, before the file itself: the file gets a
// database of its own, a copy of the pass's migrated one, and DATABASE_URL names it. Files running
// at the same time then never meet each other's rows, nor the change-feed retention test's pruning
// of a whole database.
// - On a PostgreSQL server: CREATE DATABASE ... TEMPLATE (a fifth of a second, where migrating
//   takes seconds); the runner drops the clones with the pass's database.
// - On the embedded database: a PGlite of its own, loaded from the pass's dump, in a worker thread
//   (test/file-database-worker.ts), so that the file's database and its tests each have a thread.
//   The worker is unref'd: the process ends when the file's tests do, and the database with it.
import { once } from 'node:events'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import pg from 'pg'
import { compiledPath } from './node-test-command.js'

// The runner's own `node --test` process imports this too: it runs no test and needs no database.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const { TEST_TEMPLATE_DATABASE: template, TEST_SERVER_URL: serverUrl, TEST_TEMPLATE_DUMP: dump } = process.env
  if (template !== undefined) {
    if (serverUrl === undefined) throw new Error('test/file-database.ts: TEST_TEMPLATE_DATABASE is set without TEST_SERVER_URL.')
    process.env.DATABASE_URL = await cloneOnServer(serverUrl, template)
  } else if (dump !== undefined) {
    process.env.DATABASE_URL = await startEmbeddedCopy(dump)
  }
}

async function cloneOnServer (serverUrl: string, template: string): Promise<string> {
  // Never connected to the template itself: a session there makes every clone fail.
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  const name = fileDatabaseName(template, process.pid)
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function startEmbeddedCopy (dumpPath: string): Promise<string> {
  // No execArgv: a worker would otherwise inherit --import of this module, and start a worker of its own.
  const worker = new Worker(pathToFileURL(compiledPath('test/file-database-worker.ts')), { workerData: { dumpPath }, execArgv: [] })
  worker.unref()
  const [message] = await Promise.race([
    once(worker, 'message') as Promise<[string]>,
    once(worker, 'exit').then(([code]) => { throw new Error(`test/file-database-worker.ts exited with code ${String(code)} before serving`) })
  ])
  return message
}

/** The database of the test file running in process `pid`; all of a pass's clones share its prefix. */
export function fileDatabaseName (template: string, pid: number | string): string {
  return `${template}_f${pid}`
}

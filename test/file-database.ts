// Imported by test/run.ts into every test file's process when the suite runs on a PostgreSQL
// server, before the file itself: the file gets a database of its own, cloned from the pass's
// migrated database (CREATE DATABASE ... TEMPLATE: a fifth of a second, where migrating takes
// seconds), and DATABASE_URL names it. Files running at the same time then never meet each
// other's rows, nor the change-feed retention test's pruning of a whole database. The runner
// drops the clones with the pass's database.
import pg from 'pg'

const template = process.env.TEST_TEMPLATE_DATABASE
// The runner's own `node --test` process imports this too: it runs no test and needs no database.
if (process.env.NODE_TEST_CONTEXT !== undefined && template !== undefined) {
  const serverUrl = process.env.TEST_SERVER_URL
  if (serverUrl === undefined) throw new Error('test/file-database.ts: TEST_TEMPLATE_DATABASE is set without TEST_SERVER_URL.')
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
  process.env.DATABASE_URL = url.toString()
}

/** The database of the test file running in process `pid`; all of a pass's clones share its prefix. */
export function fileDatabaseName (template: string, pid: number | string): string {
  return `${template}_f${pid}`
}

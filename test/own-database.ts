import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { startEmbeddedPostgres } from '../src/db/embedded.js'
import { applyMigrations } from '../src/db/schema-engine.js'
import { loadDemoVisit } from '../src/demo/load-demo-visit.js'
import { buildTestApp, cleanupList, databaseUrl } from './helper.js'

export interface OwnDatabase {
  url: string
  /** Drops the database (or stops the embedded one); call it once the test is done with it. */
  drop(): Promise<void>
}

/**
 * A database nothing has touched, not even migrations, on the same kind of server as the test
 * database: for a test that needs rows no other test may see or take (fixed ids, a fresh start).
 */
export async function newEmptyDatabase (): Promise<OwnDatabase> {
  if (process.env.TEST_DATABASE === 'embedded') {
    // PGlite serves one database per instance; a second instance is the new database, loaded from
    // the runner's dump of an empty one when there is one (seconds faster than creating its files).
    const emptyDump = process.env.TEST_EMPTY_DUMP
    const initialData = emptyDump === undefined ? undefined : new Blob([await readFile(emptyDump)])
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory://', initialData })
    return { url: embedded.connectionString, drop: () => embedded.stop() }
  }
  const admin = new pg.Client({ connectionString: databaseUrl() })
  // A dropped admin connection shows up as a failing DROP DATABASE; say why here too.
  admin.on('error', (error) => console.error(`admin connection of newEmptyDatabase: ${error.message}`))
  await admin.connect()
  const name = `itinerary_test_own_${Date.now()}_${randomBytes(3).toString('hex')}`
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  const url = new URL(databaseUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop () {
      try {
        await admin.query(`DROP DATABASE ${pg.escapeIdentifier(name)} WITH (FORCE)`)
      } finally {
        await admin.end()
      }
    }
  }
}

/**
 * The app on a database of its own that holds the demo visit alone, under its own slug and ids,
 * as after a fresh `npm start`. `restart()` empties the database and loads the demo again.
 */
export async function buildFreshDemoApp () {
  const database = await newEmptyDatabase()
  await applyMigrations(database.url)
  const cleanups = cleanupList()
  const { app, http } = await buildTestApp(cleanups, { databaseUrl: database.url })
  const restart = async () => {
    const tables = await app.prisma.$queryRaw<Array<{ name: string }>>`
      SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`
    await app.prisma.$executeRawUnsafe(`TRUNCATE ${tables.map(({ name }) => name).join(', ')} CASCADE`)
    await loadDemoVisit(app.prisma)
  }
  await loadDemoVisit(app.prisma)
  return {
    app,
    http,
    restart,
    async close () {
      await cleanups.run()
      await database.drop()
    }
  }
}

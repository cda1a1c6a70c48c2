import pg from 'pg'
import type { ServiceSettings } from '../config.js'
import { DataDirLockedError } from '../db/data-dir-lock.js'
import { startEmbeddedPostgres } from '../db/embedded.js'
import { APPLICATION_NAME } from '../db/pool.js'
import { applyMigrations } from '../db/schema-engine.js'
import { StartupError } from './errors.js'

/** The database the service runs on: DATABASE_URL's, or the embedded one in EMBEDDED_DB_DIR. */
export interface ServiceDatabase {
  connectionString: string
  /** EMBEDDED_DB_DIR when the database is the embedded one; null on DATABASE_URL. */
  embeddedDir: string | null
  /** Tells a second start (and `npm run token`) where this server listens. */
  recordApiUrl(url: string): Promise<void>
  /**
   * Lets the next process starting on this database prepare it: call once the migrations, the
   * search documents and the demo visit are in (see openServiceDatabase).
   */
  prepared(): Promise<void>
  stop(): Promise<void>
}

/**
 * Opens the database and brings it up to date with prisma/migrations. DATABASE_URL is tried
 * first with a plain connection, so that a server that is not there, a database that does not
 * exist or a refused login stops the start with one line saying so. That connection then holds a
 * lock until `prepared()`: processes started together on one database (replicas) prepare it one
 * after the other, so that the second finds the first's migrations and demo visit instead of
 * adding them again beside it, which would fail its start.
 */
export async function openServiceDatabase (settings: ServiceSettings): Promise<ServiceDatabase> {
  const { url, embeddedDir } = settings.database
  const database = url === undefined
    ? await openEmbedded(embeddedDir)
    : await openServer(url, settings.app.timeouts.databaseConnectMs)
  try {
    await applyMigrations(database.connectionString)
  } catch (error) {
    await database.stop()
    throw new StartupError(`Applying prisma/migrations to ${databaseName(database)} failed: ${oneLine(error)}. ` +
      'Nothing else was changed; fix the cause (or the migration) and start again.', { cause: error })
  }
  return database
}

/**
 * The database for a command-line script (`npm run token`): DATABASE_URL's; else the embedded
 * folder, through the server that holds it if one runs (its owner file gives the address), or
 * opened and migrated here if none does.
 */
export async function openScriptDatabase (settings: ServiceSettings): Promise<{ connectionString: string, close(): Promise<void> }> {
  if (settings.database.url !== undefined) return { connectionString: settings.database.url, close: async () => {} }
  try {
    const database = await openServiceDatabase(settings)
    return { connectionString: database.connectionString, close: () => database.stop() }
  } catch (error) {
    const databaseUrl = error instanceof DataDirLockedError ? error.owner?.databaseUrl : undefined
    if (databaseUrl === undefined) throw error
    return { connectionString: databaseUrl, close: async () => {} }
  }
}

async function openEmbedded (dataDir: string): Promise<ServiceDatabase> {
  const embedded = await startEmbeddedPostgres({
    dataDir,
    // Another process holds the folder now: every further write here could be lost or clash with
    // its own, so this process stops at once rather than closing gracefully.
    onLockLost: (error) => {
      process.stderr.write(`The lock on the embedded database in "${dataDir}" was taken by another process ` +
        `(${error.message}); stopping now so that only one process writes to it. Start again once the other one has stopped.\n`)
      process.exit(1)
    }
  })
  // One process per folder (the folder lock): there is nobody to take turns with.
  return { connectionString: embedded.connectionString, embeddedDir: dataDir, recordApiUrl: embedded.recordApiUrl, prepared: async () => {}, stop: embedded.stop }
}

// Any constant no other advisory lock uses: "strt" in ASCII.
const START_LOCK_KEY = 0x73747274

async function openServer (connectionString: string, connectTimeoutMs: number): Promise<ServiceDatabase> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs, application_name: APPLICATION_NAME })
  // A failure shows as the rejected connect() or query() below; a connection lost later only
  // releases the lock early.
  client.on('error', () => {})
  let released: Promise<void> | undefined
  const release = () => (released ??= client.end().catch(() => {}))
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (error) {
    await release()
    throw new StartupError(connectionFailure(connectionString, error, connectTimeoutMs), { cause: error })
  }
  // Waits for as long as another process takes to prepare the database (its migrations may be long).
  await client.query('SELECT pg_advisory_lock($1)', [START_LOCK_KEY]).catch(async (error: unknown) => {
    await release()
    throw error
  })
  return { connectionString, embeddedDir: null, recordApiUrl: async () => {}, prepared: release, stop: release }
}

/** One line for why DATABASE_URL could not be used; never its password. */
function connectionFailure (connectionString: string, error: unknown, connectTimeoutMs: number): string {
  const url = new URL(connectionString)
  const address = `${url.hostname || 'localhost'}:${url.port || '5432'}`
  const server = `PostgreSQL at ${address}`
  const user = decodeURIComponent(url.username) || 'the default user'
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'the default database'
  const { code, message } = error as { code?: string, message?: string }
  switch (code) {
    case '3D000':
      return `The database "${database}" in DATABASE_URL does not exist on ${server}: create it (createdb "${database}") or correct DATABASE_URL.`
    case '28P01':
    case '28000':
      return `${server} refused the user "${user}" (${message}): correct the user name or password in DATABASE_URL.`
    case '57P03':
      return `${server} is starting up or shutting down and accepts no connections yet: start again in a moment.`
    case 'ECONNREFUSED':
      return `Nothing is listening at ${address} (DATABASE_URL): start PostgreSQL there, or correct DATABASE_URL.`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host "${url.hostname}" in DATABASE_URL cannot be found: correct the host name in DATABASE_URL.`
  }
  if (/timeout/i.test(message ?? '')) {
    return `${server} did not answer within ${connectTimeoutMs} ms (DB_CONNECT_TIMEOUT_MS): check that it runs and can be reached from here, or correct DATABASE_URL.`
  }
  return `${server} could not be used (${message ?? String(error)}${code === undefined ? '' : `, code ${code}`}): check DATABASE_URL.`
}

function databaseName (database: ServiceDatabase): string {
  return database.embeddedDir === null ? 'the database in DATABASE_URL' : `the embedded database in "${database.embeddedDir}"`
}

/** The first line of an error's message; the schema engine's errors run over several. */
function oneLine (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n').map((line) => line.trim()).find(Boolean)?.replace(/\.$/, '') ?? 'unknown error'
}

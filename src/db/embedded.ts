import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { lockDataDir, type DataDirLock, type LockDataDirOptions } from './data-dir-lock.js'
import { keepQueryBatchesTogether } from './pglite-query-batches.js'

export interface EmbeddedPostgresOptions {
  /** Folder holding the database files, created if missing; `memory://` keeps them in memory only. */
  dataDir: string
  /** Port on 127.0.0.1; 0 (the default) lets the system pick a free one. */
  port?: number
  /**
   * Client connections accepted at once. Every pool pointed at the server must stay below it:
   * a connection over the limit is closed before its first message.
   */
  maxConnections?: number
  /** What to do when another process took the folder's lock from this one (see lockDataDir). */
  onLockLost?: LockDataDirOptions['onCompromised']
  /** A database to start as a copy of, from `dumpData()`; into an empty `dataDir` only. */
  initialData?: Blob
}

export interface EmbeddedPostgres {
  /** URL for `pg`, Prisma and psql. PGlite ignores user and database names; it has one of each. */
  connectionString: string
  /** Writes the API's address into the folder's owner file, for the message a second start prints. */
  recordApiUrl(url: string): Promise<void>
  /** The database's files as one tarball, to start copies of it from (`initialData`). */
  dumpData(): Promise<Blob>
  /** Closes the server, then the database once queries already received have finished, then unlocks the folder. */
  stop(): Promise<void>
}

const IN_MEMORY = 'memory://'

/** The data folder exists but PGlite cannot use it; the message says what to do. */
export class UnusableDataDirError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UnusableDataDirError'
  }
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served over TCP so that code written for a real
 * server (pg, @prisma/adapter-pg, the schema engine) uses it unchanged. All connections share
 * one PGlite session: queries queue one at a time, and an open transaction holds the queue for
 * its own connection. Session state (SET, advisory locks, temp tables) is therefore shared too.
 */
export async function startEmbeddedPostgres (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, port = 0, maxConnections = 20 } = options
  let lock: DataDirLock | undefined
  if (dataDir !== IN_MEMORY) {
    await mkdir(dataDir, { recursive: true })
    // Before PGlite reads anything: a second PGlite on the folder would lose writes (see data-dir-lock.ts).
    lock = await lockDataDir(dataDir, { onCompromised: options.onLockLost })
  }
  let db: PGlite | undefined
  let server: PGLiteSocketServer | undefined
  try {
    db = await openPGlite(dataDir, options.initialData)
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections })
    keepQueryBatchesTogether(server)
    await server.start()
    // getServerConn() reports the port the system picked when asked for port 0.
    // PGlite has no TLS: sslmode=disable stops clients (or a PGSSLMODE in the environment) asking for it.
    const connectionString = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`
    await lock?.record({ databaseUrl: connectionString })
    const [opened, listening] = [db, server]
    return {
      connectionString,
      async recordApiUrl (url) {
        await lock?.record({ apiUrl: url })
      },
      dumpData: () => opened.dumpDataDir('none'),
      async stop () {
        await listening.stop()
        await opened.close()
        await lock?.release()
      }
    }
  } catch (error) {
    await server?.stop().catch(() => {})
    await db?.close().catch(() => {})
    await lock?.release()
    throw error
  }
}

async function openPGlite (dataDir: string, initialData: Blob | undefined): Promise<PGlite> {
  try {
    return await PGlite.create({ dataDir, ...(initialData === undefined ? {} : { loadDataDir: initialData }) })
  } catch (error) {
    // PGlite builds a new cluster in memory and copies it to disk at the end, so a first start
    // killed during that copy leaves a folder PGlite then refuses with this bare message.
    if (error instanceof Error && error.message.includes('PGlite failed to initialize properly')) {
      throw new UnusableDataDirError(
        `The embedded database in "${dataDir}" cannot start: the folder looks half-initialised, ` +
        'probably by an earlier first start that was interrupted. ' +
        `Delete the folder "${dataDir}" (this erases what is stored there) and start again.`,
        { cause: error }
      )
    }
    throw error
  }
}

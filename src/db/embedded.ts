import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
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
}

export interface EmbeddedPostgres {
  /** URL for `pg`, Prisma and psql. PGlite ignores user and database names; it has one of each. */
  connectionString: string
  /** Closes the server, then the database once queries already received have finished. */
  stop(): Promise<void>
}

const IN_MEMORY = 'memory://'

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served over TCP so that code written for a real
 * server (pg, @prisma/adapter-pg, the schema engine) uses it unchanged. All connections share
 * one PGlite session: queries queue one at a time, and an open transaction holds the queue for
 * its own connection. Session state (SET, advisory locks, temp tables) is therefore shared too.
 */
export async function startEmbeddedPostgres (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, port = 0, maxConnections = 20 } = options
  if (dataDir !== IN_MEMORY) await mkdir(dataDir, { recursive: true })
  const db = await openPGlite(dataDir)
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections })
  keepQueryBatchesTogether(server)
  try {
    await server.start()
  } catch (error) {
    await db.close()
    throw error
  }
  // getServerConn() reports the port the system picked when asked for port 0.
  const address = server.getServerConn()
  return {
    // PGlite has no TLS: sslmode=disable stops clients (or a PGSSLMODE in the environment) asking for it.
    connectionString: `postgresql://postgres@${address}/postgres?sslmode=disable`,
    async stop () {
      await server.stop()
      await db.close()
    }
  }
}

async function openPGlite (dataDir: string): Promise<PGlite> {
  try {
    return await PGlite.create({ dataDir })
  } catch (error) {
    // PGlite builds a new cluster in memory and copies it to disk at the end, so a first start
    // killed during that copy leaves a folder PGlite then refuses with this bare message.
    if (error instanceof Error && error.message.includes('PGlite failed to initialize properly')) {
      throw new Error(
        `The embedded database in "${dataDir}" cannot start: the folder looks half-initialised, ` +
        'probably by an earlier first start that was interrupted. ' +
        `Delete the folder "${dataDir}" (this erases what is stored there) and start again.`,
        { cause: error }
      )
    }
    throw error
  }
}

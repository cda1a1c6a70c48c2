import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type { Timeouts } from '../config.js'
import { PrismaClient, type Prisma } from '../generated/prisma/client.js'
import { createPool, type ConnectionErrorListener } from './pool.js'

export type { PrismaClient }

/** What a query runs on: the client, or the transaction a service opened (inTransaction). */
export type Db = PrismaClient | Prisma.TransactionClient

export interface PrismaClientOptions {
  /** Upper bound on open connections; PGlite's socket server must accept at least this many. */
  maxConnections?: number
  /** Receives every SQL statement the client sends, so tests and the benchmark can count and explain them. */
  onQuery?: (event: Prisma.QueryEvent) => void
  /**
   * How long to wait for a connection, new or from the pool, before failing (503); Postgres
   * cancels a statement running longer than the statement timeout (PGlite ignores it).
   */
  timeouts: Pick<Timeouts, 'databaseConnectMs' | 'databaseStatementMs'>
  /** Prisma rolls back a transaction open longer (default: the statement timeout). */
  transactionTimeoutMs?: number
  /** Told when a connection breaks (the server ended it, the network dropped it); default: ignored. */
  onConnectionError?: ConnectionErrorListener
}

export function createPrismaClient (connectionString: string, options: PrismaClientOptions): PrismaClient {
  const { databaseConnectMs: connectTimeoutMs, databaseStatementMs: statementTimeoutMs } = options.timeouts
  const poolConfig = {
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Notices a connection that died without a word (a restarted host, a dropped NAT entry).
    keepAlive: true
  }
  // Given a pool, PrismaPg uses it as it is (its options, our listeners) and, with
  // disposeExternalPool, ends it on $disconnect. One pool per connect(), should Prisma connect
  // again after a $disconnect: PrismaPg would then make a pool of its own, without listeners.
  const adapter: SqlDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => new PrismaPg(createPool(poolConfig, options.onConnectionError), { disposeExternalPool: true }).connect()
  }
  // A transaction may wait for its connection as long as any query.
  const transactionOptions = { maxWait: connectTimeoutMs, timeout: options.transactionTimeoutMs ?? statementTimeoutMs }
  if (options.onQuery === undefined) return new PrismaClient({ adapter, transactionOptions })
  const client = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] })
  client.$on('query', options.onQuery)
  return client
}

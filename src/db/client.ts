import { PrismaPg } from '@prisma/adapter-pg'
import { defaultConfig } from '../config.js'
import { PrismaClient, type Prisma } from '../generated/prisma/client.js'

export type { PrismaClient }

export interface PrismaClientOptions {
  /** Upper bound on open connections; PGlite's socket server must accept at least this many. */
  maxConnections?: number
  /** Receives every SQL statement the client sends, so tests and the benchmark can count and explain them. */
  onQuery?: (event: Prisma.QueryEvent) => void
  /** How long to wait for a connection, new or from the pool, before failing (503). */
  connectTimeoutMs?: number
  /** Postgres cancels a statement running longer (statement_timeout; PGlite ignores it). */
  statementTimeoutMs?: number
  /** Prisma rolls back a transaction open longer (default: statementTimeoutMs). */
  transactionTimeoutMs?: number
}

export function createPrismaClient (connectionString: string, options: PrismaClientOptions = {}): PrismaClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? defaultConfig.DB_CONNECT_TIMEOUT_MS
  const statementTimeoutMs = options.statementTimeoutMs ?? defaultConfig.DB_STATEMENT_TIMEOUT_MS
  const adapter = new PrismaPg({
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Notices a connection that died without a word (a restarted host, a dropped NAT entry).
    keepAlive: true
  })
  // A transaction may wait for its connection as long as any query.
  const transactionOptions = { maxWait: connectTimeoutMs, timeout: options.transactionTimeoutMs ?? statementTimeoutMs }
  if (options.onQuery === undefined) return new PrismaClient({ adapter, transactionOptions })
  const client = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] })
  client.$on('query', options.onQuery)
  return client
}

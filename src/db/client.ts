import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

export type { PrismaClient }

export interface PrismaClientOptions {
  /** Upper bound on open connections; PGlite's socket server must accept at least this many. */
  maxConnections?: number
}

export function createPrismaClient (connectionString: string, options: PrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: options.maxConnections ?? 10 })
  return new PrismaClient({ adapter })
}

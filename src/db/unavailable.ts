import { Prisma } from '../generated/prisma/client.js'

// Prisma's codes for a database that cannot be reached or did not answer in time
// (P2028: a transaction could not start or finish within its time limits).
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037'])

// SQLSTATEs of a server that is going away, starting, overloaded or cancelled the statement
// (57014: statement_timeout); class 08 is every connection exception.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53000', '53100', '53200', '53300', '53400'])

// The driver's own errors when a connection dies or cannot be made. They reach us unwrapped
// when they happen inside a query, so they are known by code or by pg's message.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
const DRIVER_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/

// The driver adapter's kinds for the same, which raw queries ($queryRaw, $executeRaw) report
// inside a P2010, or bare when the connection dies inside a transaction.
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed'])

type AdapterCause = { kind?: string, code?: string } | undefined

/** The adapter's cause of a failed query, whether Prisma wrapped it (P2010, P2034...) or not. */
function adapterCauses (error: unknown): AdapterCause[] {
  const causes: AdapterCause[] = []
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    causes.push((error.meta?.driverAdapterError as { cause?: AdapterCause } | undefined)?.cause)
  }
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current.name === 'DriverAdapterError') causes.push(current.cause as AdapterCause)
  }
  return causes
}

/**
 * Whether Postgres undid the transaction because it crossed another one (a deadlock, 40P01, or
 * a serialization failure, 40001): nothing was written, and the same write may succeed if run
 * again. Prisma reports it as P2034 from its own queries, and inside a P2010 (or bare) from raw ones.
 */
export function isWriteConflict (error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2034') return true
  return adapterCauses(error).some((cause) => cause?.kind === 'TransactionWriteConflict' ||
    (cause?.kind === 'postgres' && (cause.code === '40P01' || cause.code === '40001')))
}

/**
 * Whether an error from a database call means the database could not serve it (down,
 * restarting, unreachable, overloaded, too slow), so the request may succeed if retried,
 * rather than that the request itself was wrong.
 */
export function isDatabaseUnavailable (error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true
  if (error instanceof Prisma.PrismaClientKnownRequestError && PRISMA_CODES.has(error.code)) return true
  if (adapterCauses(error).some(isUnavailableAdapterCause)) return true
  if (error instanceof Prisma.PrismaClientKnownRequestError) return false
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || isUnavailableSqlState(code))) return true
    if (DRIVER_MESSAGES.test(current.message)) return true
  }
  return false
}

function isUnavailableAdapterCause (cause: AdapterCause): boolean {
  if (cause?.kind === 'postgres') return isUnavailableSqlState(cause.code)
  return ADAPTER_KINDS.has(cause?.kind ?? '')
}

function isUnavailableSqlState (code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('08') || SQLSTATES.has(code))
}

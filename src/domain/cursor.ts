import { InputError } from './errors.js'

/**
 * Keyset-pagination cursors: the sort key of the last row of a page, opaque to clients.
 * Encoding the key rather than an offset keeps pages stable while rows are inserted.
 */
export function encodeCursor (key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** The key inside a cursor; each part must pass its check, so a forged cursor cannot reach a query. */
export function decodeCursor (cursor: string, partChecks: Array<(part: string) => boolean>): string[] {
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    key = null
  }
  const valid = Array.isArray(key) &&
    key.length === partChecks.length &&
    key.every((part, index) => typeof part === 'string' && partChecks[index]?.(part) === true)
  if (!valid) {
    throw new InputError('invalid', 'The cursor was not issued by this list; start again without one.', [
      { path: '/query/cursor', message: 'is not a cursor from this list' }
    ])
  }
  return key as string[]
}

// Postgres bigint, which holds change sequence numbers: a larger one in a cursor would fail in the query.
const BIGINT_MAX = 9_223_372_036_854_775_807n

/** Whether a cursor part is a sequence number Postgres can compare: digits only, at most bigint's maximum. */
export function isSequenceNumber (part: string): boolean {
  return /^\d{1,19}$/.test(part) && BigInt(part) <= BIGINT_MAX
}

/**
 * The page size asked for, or `fallback`. Ajv coerces a query value such as "1e400" to
 * Infinity and then skips its range checks (they only run on finite numbers), so the bound is
 * enforced here too: a non-finite size would otherwise reach the database as a 500.
 */
export function pageSize (limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback
  if (!Number.isSafeInteger(limit)) {
    throw new InputError('invalid', 'limit must be a whole number between 1 and 200.', [{ path: '/query/limit', message: 'must be a whole number between 1 and 200' }])
  }
  return limit
}

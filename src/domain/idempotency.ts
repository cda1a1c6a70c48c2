import { createHash } from 'node:crypto'

/** How long a key is remembered: a retry within this time replays, a later one starts afresh. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000

/**
 * A claim still without a response after this long belongs to a request that will never finish
 * (the process died, or lost the database while recording the outcome): requests time out far
 * sooner, so the key may be claimed again instead of answering 409 for a day.
 */
export const ABANDONED_CLAIM_MS = 2 * 60 * 1000

/** JSON with object keys sorted, so that the order in which a client wrote the fields does not matter. */
function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** What makes two requests "the same request" for an Idempotency-Key: method, path and body. */
export function requestFingerprint (method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex')
}

export interface KeyRecord {
  requestFingerprint: string
  responseStatus: number | null
  createdAt: Date
}

export type KeyState =
  /** older than the retention: as if it had never been used */
  | 'expired'
  /** claimed long ago and never answered: free to claim again */
  | 'abandoned'
  /** used for another request: the client reused a key by mistake */
  | 'different-request'
  /** the first request is still running */
  | 'in-flight'
  /** answered: replay that answer */
  | 'completed'

export function keyState (record: KeyRecord, fingerprint: string, now: Date): KeyState {
  const age = now.getTime() - record.createdAt.getTime()
  if (age >= IDEMPOTENCY_KEY_RETENTION_MS) return 'expired'
  if (record.requestFingerprint !== fingerprint) return 'different-request'
  if (record.responseStatus !== null) return 'completed'
  return age >= ABANDONED_CLAIM_MS ? 'abandoned' : 'in-flight'
}

import { createHash } from 'node:crypto'

/**
 * Entity tags (RFC 9110 §8.8.3) of this API.
 *
 * A resource (a body with an `id` and a `version`) is tagged `"v<version>-<digest>"`, anything
 * else (lists, the itinerary) `"<digest>"`, where the digest is 128 bits of the SHA-256 of the
 * body bytes. The digest makes the tag strong: two representations that differ in any byte (the
 * `viewer` times added by `?tz=`, a shared venue whose address changed) never share a tag. The
 * version lets If-Match ask "is the row still at the version I read?", which is the question a
 * write needs answered: If-Match looks at the `v<version>` part only, so `"v3"` is accepted too.
 */

export type IfMatchCondition =
  | { kind: 'versions', versions: number[] }
  | { kind: 'any' }
  | { kind: 'malformed' }

// RFC 9110 entity-tag: optional W/, then a quoted string of etagc characters.
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/
const VERSION_PART = /^v([1-9]\d{0,9})(?:-[A-Za-z0-9_-]+)?$/
// Versions are Postgres integers; a larger number cannot be a version of ours.
const MAX_VERSION = 2 ** 31 - 1

export function bodyDigest (body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 22)
}

export function entityTag (body: string | Buffer, version?: number): string {
  const digest = bodyDigest(body)
  return version === undefined ? `"${digest}"` : `"v${version}-${digest}"`
}

interface ParsedTag { weak: boolean, opaque: string }

/** The entity tags of an If-Match or If-None-Match value; null when it is neither `*` nor a list of tags. */
function parseTagList (header: string): ParsedTag[] | 'any' | null {
  if (header.trim() === '*') return 'any'
  const tags: ParsedTag[] = []
  for (const item of header.split(',')) {
    const text = item.trim()
    if (text === '') continue
    const match = ENTITY_TAG.exec(text)
    if (match === null) return null
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string })
  }
  return tags.length === 0 ? null : tags
}

/**
 * The versions an If-Match header accepts. Strong comparison: a weak tag never matches, nor
 * does a strong one that is not ours (then `versions` is empty and every write is refused).
 */
export function parseIfMatch (header: string): IfMatchCondition {
  const tags = parseTagList(header)
  if (tags === null) return { kind: 'malformed' }
  if (tags === 'any') return { kind: 'any' }
  const versions = tags
    .filter((tag) => !tag.weak)
    .map((tag) => VERSION_PART.exec(tag.opaque)?.[1])
    .filter((version) => version !== undefined)
    .map(Number)
    .filter((version) => version <= MAX_VERSION)
  return { kind: 'versions', versions: [...new Set(versions)] }
}

/** Whether If-None-Match matches the current tag (weak comparison, as RFC 9110 §13.1.2 asks). */
export function ifNoneMatchMatches (header: string, currentTag: string): boolean {
  const tags = parseTagList(header)
  if (tags === null) return false
  if (tags === 'any') return true
  const current = ENTITY_TAG.exec(currentTag)?.[2]
  return tags.some((tag) => tag.opaque === current)
}

import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { sharedContentStateReader } from '../db/content-version.js'
import { entityTag, ifNoneMatchMatches } from '../domain/entity-tags.js'
import { versionsFromIfMatch } from '../preconditions.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `no-store` for responses no cache may keep (health probes); the default policy otherwise. */
    cacheControl?: 'no-store'
    /**
     * A read whose body depends on its request and the stored data only ('content'), or also on
     * the instant it asks about, `?at=` or now by default ('content-at-instant'): its 200s are
     * kept in memory and its revalidations answered from the content state
     * (src/db/content-version.ts). Without `?at=` the latter says which instant it answered for,
     * a new one each time, so it is not kept.
     */
    responseCache?: 'content' | 'content-at-instant'
  }
  interface FastifyRequest {
    /** The versions the If-Match header names, for a conditional write; throws 428 without one. */
    ifMatchVersions: () => number[]
  }
}

export interface HttpCachingOptions {
  /** How long lists and itineraries may be reused without asking again. */
  maxAgeSeconds: number
  /** Bytes of rendered responses kept, least recently used dropped first; 0 keeps none. */
  responseCacheMaxBytes: number
}

/** A rendered 200, as sent. */
interface CachedResponse {
  body: Buffer
  etag: string
  /** The resource's version when the body is one resource (its Cache-Control differs). */
  resourceVersion: number | undefined
  headers: Record<string, string>
}

// The headers of a 200 that describe its body, and so are kept with it.
const REPRESENTATION_HEADERS = ['content-type', 'content-disposition'] as const
// What a kept response costs besides its body and key: the object, its tag and headers.
const ENTRY_OVERHEAD_BYTES = 512

/** A single resource: every resource of this API has an id and a version. */
function versionOf (payload: unknown): number | undefined {
  if (payload === null || typeof payload !== 'object') return undefined
  const { id, version } = payload as { id?: unknown, version?: unknown }
  return typeof id === 'string' && Number.isInteger(version) ? version as number : undefined
}

function addVary (reply: FastifyReply, field: string) {
  const current = reply.getHeader('vary')
  const fields = current === undefined ? [] : String(current).split(',').map((item) => item.trim()).filter(Boolean)
  if (fields.some((item) => item === '*' || item.toLowerCase() === field.toLowerCase())) return
  reply.header('vary', [...fields, field].join(', '))
}

/** The query as validated (defaults applied, `tz` spelled canonically), its names in one order. */
function canonicalQuery (query: unknown): string {
  if (query === null || typeof query !== 'object') return ''
  return JSON.stringify(Object.entries(query).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
}

/** Whether this request's 200 may be kept: see `responseCache`. */
function isCacheable (request: FastifyRequest): boolean {
  const dependsOn = request.routeOptions.config?.responseCache
  if (request.method !== 'GET' || dependsOn === undefined) return false
  return dependsOn === 'content' || (request.query as { at?: unknown }).at !== undefined
}

/**
 * Everything a cacheable read's body depends on: the content state, the request as validated,
 * the scopes of its token (read:embargoed shows more), and the address it was sent to (feeds
 * link to engagements by absolute URL). The method is not in it: only GET uses the cache.
 */
function cacheKey (request: FastifyRequest, contentState: string): string {
  return [
    contentState,
    `${request.protocol}://${request.host}`,
    request.routeOptions.url,
    JSON.stringify(request.params),
    canonicalQuery(request.query),
    [...request.tokenScopes].sort().join(' ')
  ].join('\n')
}

/**
 * Entity tags and caching, for every route at once (src/domain/entity-tags.ts has the format):
 * - a resource in a GET 200, POST 201 or PATCH 200 gets `ETag: "v<version>-<digest>"`; a
 *   GET 200 that is not a resource (a list, an itinerary) gets `ETag: "<digest>"`. The tag is
 *   the body's digest, so a write that readers cannot see (one under embargo) changes no tag
 *   they can see;
 * - a GET whose If-None-Match matches gets 304 with the ETag and no body;
 * - lists and itineraries may be reused for `maxAgeSeconds`; a resource must be revalidated
 *   (`no-cache`: editors need the current version); a response to a request with a token is
 *   `private`, since a token can see embargoed engagements that no shared cache may keep.
 *
 * Reads marked `responseCache` are also kept in memory, keyed by everything their body depends
 * on (cacheKey), the content state included. Each request reads that state (one statement,
 * shared by the requests that arrive together), then answers from memory when it can: the kept
 * body, or a 304 when the client holds its tag. A write raises the content version in its own
 * transaction, so the next read in any process finds another key: nothing is ever invalidated,
 * and several processes stay correct without talking to each other. A body is kept under the
 * state read before it was rendered: the rendering saw that state or a later one (a write that
 * committed meanwhile), so a kept body is never older than its key, and a request that finds it
 * was already under way when anything newer committed.
 */
export default fp<HttpCachingOptions>(async (app, options) => {
  const resourceVersions = new WeakMap<FastifyReply, number>()
  // The key of a cacheable read that rendered, to keep its body under once it is sent.
  const renderedUnder = new WeakMap<FastifyRequest, string>()
  const servedFromMemory = new WeakSet<FastifyReply>()
  const readContentState = sharedContentStateReader(app.prisma)
  const responses = options.responseCacheMaxBytes === 0
    ? undefined
    : new LRUCache<string, CachedResponse>({
      maxSize: options.responseCacheMaxBytes,
      sizeCalculation: (response, key) => response.body.length + key.length + ENTRY_OVERHEAD_BYTES
    })

  app.decorateRequest('ifMatchVersions', function () {
    return versionsFromIfMatch(this.headers['if-match'])
  })

  function setCachingHeaders (request: FastifyRequest, reply: FastifyReply, tag: string, version: number | undefined) {
    const audience = request.headers.authorization === undefined ? 'public' : 'private'
    reply.header('etag', tag)
    reply.header('cache-control', version === undefined ? `${audience}, max-age=${options.maxAgeSeconds}` : `${audience}, no-cache`)
    addVary(reply, 'Authorization')
  }

  function notModified (request: FastifyRequest, tag: string): boolean {
    const ifNoneMatch = request.headers['if-none-match']
    return ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, tag)
  }

  if (responses !== undefined) {
    app.addHook('preHandler', async (request, reply) => {
      if (!isCacheable(request)) return
      const key = cacheKey(request, await readContentState())
      const kept = responses.get(key)
      if (kept === undefined) {
        renderedUnder.set(request, key)
        return
      }
      servedFromMemory.add(reply)
      setCachingHeaders(request, reply, kept.etag, kept.resourceVersion)
      if (notModified(request, kept.etag)) return reply.code(304).send()
      return reply.headers(kept.headers).send(kept.body)
    })
  }

  app.addHook('preSerialization', async (_request, reply, payload) => {
    const version = versionOf(payload)
    if (version !== undefined) resourceVersions.set(reply, version)
    return payload
  })

  app.addHook('onSend', async (request, reply, payload) => {
    if (servedFromMemory.has(reply)) return payload
    if (reply.routeOptions.config?.cacheControl === 'no-store') {
      reply.header('cache-control', 'no-store')
      return payload
    }
    const isRead = request.method === 'GET' || request.method === 'HEAD'
    const version = resourceVersions.get(reply)
    const contentType = String(reply.getHeader('content-type') ?? '')
    // JSON, and the calendar feeds: text the server generates whole, so its digest is its identity.
    const tagged = contentType.startsWith('application/json') || contentType.startsWith('text/calendar')
    if (reply.statusCode >= 300 || typeof payload !== 'string' || !tagged ||
      reply.hasHeader('etag') || (!isRead && version === undefined)) return payload

    if (!isRead) {
      reply.header('etag', entityTag(payload, version))
      return payload
    }
    // Encoded once, for the digest, the socket and the cache alike (a read's body is the
    // largest thing the service writes; the idempotency plugin needs only a write's as text).
    const body = Buffer.from(payload)
    const tag = entityTag(body, version)
    setCachingHeaders(request, reply, tag, version)
    keepRendered(request, reply, body, tag, version)
    if (notModified(request, tag)) {
      reply.code(304).removeHeader('content-type').removeHeader('content-length')
      return null
    }
    return body
  })

  function keepRendered (request: FastifyRequest, reply: FastifyReply, body: Buffer, etag: string, resourceVersion: number | undefined) {
    const key = renderedUnder.get(request)
    if (responses === undefined || key === undefined || reply.statusCode !== 200) return
    const headers: Record<string, string> = {}
    for (const name of REPRESENTATION_HEADERS) {
      const value = reply.getHeader(name)
      if (value !== undefined) headers[name] = String(value)
    }
    responses.set(key, { body, etag, resourceVersion, headers })
  }
}, { name: 'http-caching', dependencies: ['db'] })

import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'
import { entityTag, ifNoneMatchMatches } from '../domain/entity-tags.js'
import { versionsFromIfMatch } from '../preconditions.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `no-store` for responses no cache may keep (health probes); the default policy otherwise. */
    cacheControl?: 'no-store'
  }
  interface FastifyRequest {
    /** The versions the If-Match header names, for a conditional write; throws 428 without one. */
    ifMatchVersions: () => number[]
  }
}

export interface HttpCachingOptions {
  /** How long lists and itineraries may be reused without asking again. */
  maxAgeSeconds: number
}

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

/**
 * Entity tags and caching, for every route at once (src/domain/entity-tags.ts has the format):
 * - a resource in a GET 200, POST 201 or PATCH 200 gets `ETag: "v<version>-<digest>"`; a
 *   GET 200 that is not a resource (a list, an itinerary) gets `ETag: "<digest>"`;
 * - a GET whose If-None-Match matches gets 304 with the ETag and no body;
 * - lists and itineraries may be reused for `maxAgeSeconds`; a resource must be revalidated
 *   (`no-cache`: editors need the current version); a response to a request with a token is
 *   `private`, since a token can see embargoed engagements that no shared cache may keep.
 */
export default fp<HttpCachingOptions>(async (app, options) => {
  const resourceVersions = new WeakMap<FastifyReply, number>()

  app.decorateRequest('ifMatchVersions', function () {
    return versionsFromIfMatch(this.headers['if-match'])
  })

  app.addHook('preSerialization', async (_request, reply, payload) => {
    const version = versionOf(payload)
    if (version !== undefined) resourceVersions.set(reply, version)
    return payload
  })

  app.addHook('onSend', async (request, reply, payload) => {
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

    const tag = entityTag(payload, version)
    reply.header('etag', tag)
    if (!isRead) return payload

    const audience = request.headers.authorization === undefined ? 'public' : 'private'
    reply.header('cache-control', version === undefined ? `${audience}, max-age=${options.maxAgeSeconds}` : `${audience}, no-cache`)
    addVary(reply, 'Authorization')
    const ifNoneMatch = request.headers['if-none-match']
    if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, tag)) {
      reply.code(304).removeHeader('content-type').removeHeader('content-length')
      return null
    }
    return payload
  })
}, { name: 'http-caching' })

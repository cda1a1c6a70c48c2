import fp from 'fastify-plugin'
import cors, { type FastifyCorsOptions } from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { RateLimits } from '../config.js'
import { HttpProblem, problem } from '../problems.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook that counts the request against its budget (reads or writes; per token, per
     * client IP without a valid one): 429 past it. Register it after `authenticate`, which says
     * whose request it is, and before anything refuses the request, so that refusals count too.
     */
    countRequest: onRequestAsyncHookHandler
    /** Counts a request whose token is not valid against the client IP's failed-authentication budget: 429 past it. */
    countFailedAuthentication: (request: FastifyRequest) => Promise<void>
    /**
     * 429 for any token from a client IP past its failed-authentication budget, before the token
     * is even looked up: a client guessing secrets cannot tell a right guess from a wrong one
     * until the window ends.
     */
    refuseClientsPastFailedAuthentications: (request: FastifyRequest) => Promise<void>
  }
}

export interface SecurityPluginOptions {
  rateLimits: RateLimits
  /** Browser origins that may write and send tokens; `*` is every origin. Any origin may read. */
  corsOrigins: readonly string[]
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const isWrite = (request: FastifyRequest) => WRITE_METHODS.has(request.method)
// An IPv6 client counts by its /64, which it could otherwise walk through address by address.
const clientAddress = (request: FastifyRequest) => normalizeIP(request.ip)

// Response headers a browser script may read: it needs them for conditional writes, retries
// and pacing itself.
const EXPOSED_HEADERS = [
  'ETag', 'Location', 'Retry-After', 'Idempotency-Key', 'Idempotent-Replayed',
  'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'
]
const READ_CORS = {
  origin: '*',
  methods: ['GET', 'HEAD'],
  allowedHeaders: ['If-None-Match'],
  exposedHeaders: EXPOSED_HEADERS,
  maxAge: 600,
  strictPreflight: false
} satisfies FastifyCorsOptions

/**
 * Runs a count of the rate limiter: its result, or undefined when Redis could not make it (down,
 * restarting, no answer within its command timeout). Then the request goes on uncounted: through
 * a blip of Redis the API keeps answering, without limits for that time, rather than failing
 * every request. Logged once when counting stops, and once when it resumes.
 */
function countingOrSkipping (app: FastifyInstance) {
  let failing = false
  return async <T>(count: () => Promise<T>): Promise<T | undefined> => {
    let result: T
    try {
      result = await count()
    } catch (error) {
      if (error instanceof HttpProblem) throw error
      if (!failing) app.log.warn({ err: error }, 'Redis cannot count requests: rate limits are not applied until it can again')
      failing = true
      return undefined
    }
    if (failing) app.log.info('Redis counts requests again: rate limits apply again')
    failing = false
    return result
  }
}

/**
 * Headers that harden every response (helmet), CORS, and per-client rate limits (applied where
 * the routes say: countRequest, countFailedAuthentication), counted in the Redis the processes
 * share when there is one (src/plugins/redis.ts), else in this process alone.
 */
export default fp<SecurityPluginOptions>(async (app, options) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        // Swagger UI at /docs loads only its own scripts and styles, sets inline styles and
        // uses data: images; nothing may frame the API.
        'style-src': ["'self'", "'unsafe-inline'"],
        'frame-ancestors': ["'none'"],
        // Plain HTTP on a developer's machine or behind a TLS-terminating proxy must keep
        // loading the Swagger UI assets from where they are.
        'upgrade-insecure-requests': null
      }
    },
    frameguard: { action: 'deny' }
  })

  const writeOrigins = options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins]
  const writeCors = {
    ...READ_CORS,
    origin: writeOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key']
  } satisfies FastifyCorsOptions
  await app.register(cors, {
    // Public data may be read from any page; writing (and reading with a token, which needs
    // the Authorization header) only from the configured origins. Without an Origin header
    // the request is not a browser's cross-origin one and gets no CORS headers.
    delegator: (request, callback) => {
      const origin = request.headers.origin
      if (origin === undefined) return callback(null, { origin: false })
      const trusted = writeOrigins === '*' || writeOrigins.includes(origin)
      return callback(null, trusted ? writeCors : READ_CORS)
    }
  })

  const retryAfter = (ttlMs: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(ttlMs / 1000))) })
  await app.register(rateLimit, {
    // Not on every route: /v1 counts requests itself (countRequest), once it knows whose they
    // are. Health probes are polled by load balancers and are never limited.
    global: false,
    ...(app.redis === null ? {} : { redis: app.redis, nameSpace: 'itinerary-api:rate-limit:' }),
    // A failure of the store is handled by countingOrSkipping, which logs it.
    skipOnError: false,
    timeWindow: 60_000,
    keyGenerator: (request) => `${isWrite(request) ? 'write' : 'read'}:${request.tokenName === null ? `ip:${clientAddress(request)}` : `token:${request.tokenName}`}`,
    max: (request) => isWrite(request) ? options.rateLimits.writesPerMinute : options.rateLimits.readsPerMinute,
    errorResponseBuilder: (request, context) => problem('rateLimited',
      `This client may make ${context.max} ${isWrite(request) ? 'writes' : 'reads'} a minute; retry in ${context.after}.`,
      { headers: retryAfter(context.ttl) })
  })
  const countOrSkip = countingOrSkipping(app)
  const countRequest = app.rateLimit()
  app.decorate('countRequest', async function (this: FastifyInstance, request, reply) {
    await countOrSkip(() => countRequest.call(this, request, reply))
  } satisfies onRequestAsyncHookHandler)

  // Stricter than the read budget: a client guessing secrets, or one misconfigured, is slowed
  // down long before it could try many (and each guess costs a database lookup).
  const failedAuthentications = app.createRateLimit({
    max: options.rateLimits.failedAuthenticationsPerMinute,
    keyGenerator: (request) => `failed-authentication:ip:${clientAddress(request)}`
  })
  const refuseIfExceeded = (increment: boolean) => async (request: FastifyRequest) => {
    const limit = await countOrSkip(() => failedAuthentications(request, { increment }))
    if (limit === undefined || limit.isAllowed || !limit.isExceeded) return
    throw problem('rateLimited',
      `This client sent more than ${limit.max} requests a minute with a token that is not valid, so no token from it is ` +
      `accepted for now; check the token, then retry in ${limit.ttlInSeconds} seconds.`, { headers: retryAfter(limit.ttl) })
  }
  app.decorate('countFailedAuthentication', refuseIfExceeded(true))
  app.decorate('refuseClientsPastFailedAuthentications', refuseIfExceeded(false))
}, { name: 'security', dependencies: ['redis'] })

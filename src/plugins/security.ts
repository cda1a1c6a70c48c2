import fp from 'fastify-plugin'
import cors, { type FastifyCorsOptions } from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import { HttpProblem } from '../problems.js'

export interface RateLimits {
  readsPerMinute: number
  writesPerMinute: number
}

export interface SecurityPluginOptions {
  rateLimits: RateLimits
  /** Browser origins that may write and send tokens; `*` is every origin. Any origin may read. */
  corsOrigins: readonly string[]
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const isWrite = (request: FastifyRequest) => WRITE_METHODS.has(request.method)

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
 * Headers that harden every response (helmet), CORS, and per-client rate limits. Register
 * before the routes: the rate limiter attaches itself to each route as it is added.
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

  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    // Runs after the route's own onRequest hooks, so an authenticated request is counted
    // against its token wherever it comes from, and reads and writes have separate budgets.
    keyGenerator: (request) => `${isWrite(request) ? 'write' : 'read'}:${request.tokenName === null ? `ip:${request.ip}` : `token:${request.tokenName}`}`,
    max: (request) => isWrite(request) ? options.rateLimits.writesPerMinute : options.rateLimits.readsPerMinute,
    errorResponseBuilder: (request, context) => new HttpProblem(429, '/problems/rate-limited', 'Too many requests',
      `This client may make ${context.max} ${isWrite(request) ? 'writes' : 'reads'} a minute; retry in ${context.after}.`,
      { headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) } })
  })
}, { name: 'security' })

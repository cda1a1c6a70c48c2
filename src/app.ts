import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { defaultConfig } from './config.js'
import type { BootstrapToken } from './domain/access.js'
import authPlugin from './plugins/auth.js'
import dbPlugin, { type DbPluginOptions } from './plugins/db.js'
import errorsPlugin, { clientErrorHandler, documentProblems, frameworkErrorHandler } from './plugins/errors.js'
import httpCachingPlugin from './plugins/http-caching.js'
import idempotencyPlugin from './plugins/idempotency.js'
import publicationPlugin from './plugins/publication.js'
import securityPlugin, { type RateLimits } from './plugins/security.js'
import shutdownPlugin from './plugins/shutdown.js'
import swaggerPlugin from './plugins/swagger.js'
import unicodeInputPlugin from './plugins/unicode-input.js'
import viewerZonePlugin from './plugins/viewer-zone.js'
import calendarRoutes from './routes/calendar/index.js'
import changeRoutes from './routes/changes/index.js'
import engagementRoutes from './routes/engagements/index.js'
import { publishDueEngagements } from './services/publication.js'
import healthRoutes from './routes/health/index.js'
import legRoutes from './routes/legs/index.js'
import participantRoutes from './routes/participants/index.js'
import visitRoutes from './routes/visits/index.js'
import { addTimeFormats, timeFormats } from './schemas/formats.js'
import { sharedSchemas } from './schemas/index.js'
import { buildValidatorByPart } from './schemas/validators.js'

export interface AppOptions {
  databaseUrl: string
  /** The bootstrap tokens from API_TOKENS, by name; tokens stored in the database work too. */
  apiTokens: ReadonlyMap<string, BootstrapToken>
  logger?: FastifyServerOptions['logger']
  bodyLimitBytes?: number
  /** Sees every SQL statement the app sends (tests counting queries, the benchmark's EXPLAIN). */
  onDatabaseQuery?: DbPluginOptions['onQuery']
  /** Seconds that lists and itineraries may be reused from a cache (Cache-Control max-age); default 5. */
  cacheMaxAgeSeconds?: number
  /** Each timeout defaults to its value in src/config.ts (REQUEST_TIMEOUT_MS...). */
  timeouts?: Partial<Timeouts>
  /** Requests per minute per token (or per IP without a valid one), and failed authentications per IP; defaults from src/config.ts. */
  rateLimits?: Partial<RateLimits>
  /** Browser origins allowed to write (CORS_ORIGINS); default none. Any origin may read. */
  corsOrigins?: readonly string[]
  /** How long change records are kept (CHANGE_RETENTION_DAYS); tests shorten it to see cursors expire. */
  changeRetentionMs?: number
  /** How often to publish engagements whose embargo has ended (default 1000 ms); 0: never (tests counting statements). */
  publicationIntervalMs?: number
}

export interface Timeouts {
  /** To receive a whole request (408 after). */
  requestMs: number
  /** To answer a request once received (503 after). */
  handlerMs: number
  /** An idle kept-alive connection stays open this long. */
  keepAliveMs: number
  /** To get a database connection (503 after). */
  databaseConnectMs: number
  /** For one SQL statement, enforced by Postgres. */
  databaseStatementMs: number
}

function resolveTimeouts (timeouts: Partial<Timeouts> = {}): Timeouts {
  return {
    requestMs: timeouts.requestMs ?? defaultConfig.REQUEST_TIMEOUT_MS,
    handlerMs: timeouts.handlerMs ?? defaultConfig.HANDLER_TIMEOUT_MS,
    keepAliveMs: timeouts.keepAliveMs ?? defaultConfig.KEEP_ALIVE_TIMEOUT_MS,
    databaseConnectMs: timeouts.databaseConnectMs ?? defaultConfig.DB_CONNECT_TIMEOUT_MS,
    databaseStatementMs: timeouts.databaseStatementMs ?? defaultConfig.DB_STATEMENT_TIMEOUT_MS
  }
}

export async function buildApp (options: AppOptions) {
  const timeouts = resolveTimeouts(options.timeouts)
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? defaultConfig.BODY_LIMIT_BYTES,
    requestTimeout: timeouts.requestMs,
    // Node looks for requests past requestTimeout every 30 s by default: the 408 would come
    // up to that much late.
    http: { connectionsCheckingInterval: Math.min(timeouts.requestMs, 5000) },
    handlerTimeout: timeouts.handlerMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // A socket with no traffic at all is closed after this; a running request never is.
    connectionTimeout: Math.max(timeouts.requestMs, timeouts.handlerMs, timeouts.keepAliveMs) + 5000,
    // The shutdown plugin answers requests that arrive while closing, as a problem.
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    ajv: {
      // Unknown fields are refused rather than silently dropped: a typo must not look accepted.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
      onCreate: addTimeFormats
    },
    schemaController: { compilersFactory: { buildValidator: buildValidatorByPart() } },
    // The serializer compiles anyOf branches with its own Ajv, which must know the formats too.
    serializerOpts: { ajv: { formats: timeFormats } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  for (const schema of sharedSchemas) app.addSchema(schema)
  // Fastify parses text/plain by default; this API takes JSON only, so anything else is a 415.
  app.removeContentTypeParser('text/plain')

  // Ecosystem plugins first (helmet, CORS, the rate limiter), before the plugins that use them.
  await app.register(securityPlugin, {
    rateLimits: {
      readsPerMinute: options.rateLimits?.readsPerMinute ?? defaultConfig.RATE_LIMIT_READS_PER_MINUTE,
      writesPerMinute: options.rateLimits?.writesPerMinute ?? defaultConfig.RATE_LIMIT_WRITES_PER_MINUTE,
      failedAuthenticationsPerMinute: options.rateLimits?.failedAuthenticationsPerMinute ?? defaultConfig.RATE_LIMIT_FAILED_AUTH_PER_MINUTE
    },
    corsOrigins: options.corsOrigins ?? []
  })
  await app.register(errorsPlugin)
  await app.register(unicodeInputPlugin)
  await app.register(viewerZonePlugin)
  await app.register(shutdownPlugin)
  await app.register(swaggerPlugin)
  await app.register(dbPlugin, {
    databaseUrl: options.databaseUrl,
    onQuery: options.onDatabaseQuery,
    connectTimeoutMs: timeouts.databaseConnectMs,
    statementTimeoutMs: timeouts.databaseStatementMs,
    // As long as the request's handler may run: a write to a venue or person shared by thousands
    // of engagements records a change for each (src/services/embedded-changes.ts).
    transactionTimeoutMs: Math.max(timeouts.handlerMs, timeouts.databaseStatementMs)
  })
  await app.register(authPlugin, { tokens: options.apiTokens })
  // In this order: the idempotency plugin records the ETag that http-caching sets.
  await app.register(httpCachingPlugin, { maxAgeSeconds: options.cacheMaxAgeSeconds ?? defaultConfig.CACHE_MAX_AGE_SECONDS })
  await app.register(idempotencyPlugin)
  await app.register(publicationPlugin, { intervalMs: options.publicationIntervalMs ?? 1000, publishDue: publishDueEngagements })

  await app.register(healthRoutes)
  await app.register(async (v1) => {
    // Every /v1 request may carry a token; one that is not valid is refused even on a read. The
    // token is identified first, then the request is counted (against the token, or the client's
    // IP without a valid one), and only then refused: failed authentications use up budgets too.
    // All of it before the body is read.
    v1.addHook('onRequest', v1.authenticate)
    v1.addHook('onRequest', v1.countRequest)
    v1.addHook('onRequest', v1.refuseFailedAuthentication)
    v1.addHook('onRoute', documentProblems(() => [401, 429]))
    await v1.register(visitRoutes)
    await v1.register(legRoutes)
    await v1.register(engagementRoutes)
    await v1.register(participantRoutes)
    await v1.register(changeRoutes, { retentionMs: options.changeRetentionMs ?? defaultConfig.CHANGE_RETENTION_DAYS * 86_400_000 })
    await v1.register(calendarRoutes)
  }, { prefix: '/v1' })

  return app
}

import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { defaultSettings, type AppSettings, type RateLimits, type Timeouts } from './config.js'
import authPlugin from './plugins/auth.js'
import dbPlugin, { type DbPluginOptions } from './plugins/db.js'
import errorsPlugin, { clientErrorHandler, documentProblems, frameworkErrorHandler } from './plugins/errors.js'
import httpCachingPlugin from './plugins/http-caching.js'
import idempotencyPlugin from './plugins/idempotency.js'
import publicationPlugin from './plugins/publication.js'
import redisPlugin from './plugins/redis.js'
import securityPlugin from './plugins/security.js'
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

/** The settings of src/config.ts, each at its default unless given here. */
export interface AppOptions extends Partial<Omit<AppSettings, 'timeouts' | 'rateLimits'>> {
  databaseUrl: string
  logger?: FastifyServerOptions['logger']
  /** Sees every SQL statement the app sends (tests counting queries, the benchmark's EXPLAIN). */
  onDatabaseQuery?: DbPluginOptions['onQuery']
  timeouts?: Partial<Timeouts>
  rateLimits?: Partial<RateLimits>
}

export async function buildApp ({ databaseUrl, logger = false, onDatabaseQuery, ...options }: AppOptions) {
  const settings: AppSettings = {
    ...defaultSettings.app,
    ...options,
    timeouts: { ...defaultSettings.app.timeouts, ...options.timeouts },
    rateLimits: { ...defaultSettings.app.rateLimits, ...options.rateLimits }
  }
  const { timeouts } = settings
  const app = Fastify({
    logger,
    bodyLimit: settings.bodyLimitBytes,
    // request.ip, .protocol and .host from X-Forwarded-* only when a listed proxy sent them.
    trustProxy: settings.trustedProxies.length === 0 ? false : [...settings.trustedProxies],
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

  // The Redis the rate limiter counts in, shared by every process (none: each counts alone).
  await app.register(redisPlugin, { url: settings.redisUrl })
  // Ecosystem plugins first (helmet, CORS, the rate limiter), before the plugins that use them.
  await app.register(securityPlugin, {
    rateLimits: settings.rateLimits,
    corsOrigins: settings.corsOrigins
  })
  await app.register(errorsPlugin)
  await app.register(unicodeInputPlugin)
  await app.register(viewerZonePlugin)
  await app.register(shutdownPlugin)
  await app.register(swaggerPlugin)
  await app.register(dbPlugin, {
    databaseUrl,
    onQuery: onDatabaseQuery,
    timeouts,
    // As long as the request's handler may run: a write to a venue or person shared by thousands
    // of engagements records a change for each (src/services/embedded-changes.ts).
    transactionTimeoutMs: Math.max(timeouts.handlerMs, timeouts.databaseStatementMs)
  })
  await app.register(authPlugin, { tokens: settings.apiTokens })
  // In this order: the idempotency plugin records the ETag that http-caching sets.
  await app.register(httpCachingPlugin, {
    maxAgeSeconds: settings.cacheMaxAgeSeconds,
    responseCacheMaxBytes: settings.responseCacheMaxBytes
  })
  await app.register(idempotencyPlugin)
  await app.register(publicationPlugin, { intervalMs: settings.publicationIntervalMs, publishDue: publishDueEngagements })

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
    await v1.register(changeRoutes, { retentionMs: settings.changeRetentionMs })
    await v1.register(calendarRoutes)
  }, { prefix: '/v1' })

  return app
}

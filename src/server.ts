import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig, parseApiTokens, parseCorsOrigins } from './config.js'
import { startEmbeddedPostgres } from './db/embedded.js'
import { applyMigrations } from './db/schema-engine.js'
import { writeMissingSearchDocuments } from './db/search.js'
import { loadDemoVisitIfEmpty } from './demo/load-demo-visit.js'

// Starts the service: on DATABASE_URL when set, otherwise on an embedded Postgres (PGlite)
// under EMBEDDED_DB_DIR; migrates, loads the demo visit into an empty database, listens.
const config = loadConfig()

const database = config.DATABASE_URL === undefined
  ? await startEmbeddedPostgres({ dataDir: config.EMBEDDED_DB_DIR })
  : { connectionString: config.DATABASE_URL, stop: async () => {} }

await applyMigrations(database.connectionString)

const app = await buildApp({
  databaseUrl: database.connectionString,
  apiTokens: parseApiTokens(config.API_TOKENS),
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  logger: { level: config.LOG_LEVEL },
  timeouts: {
    requestMs: config.REQUEST_TIMEOUT_MS,
    handlerMs: config.HANDLER_TIMEOUT_MS,
    keepAliveMs: config.KEEP_ALIVE_TIMEOUT_MS,
    databaseConnectMs: config.DB_CONNECT_TIMEOUT_MS,
    databaseStatementMs: config.DB_STATEMENT_TIMEOUT_MS
  },
  rateLimits: {
    readsPerMinute: config.RATE_LIMIT_READS_PER_MINUTE,
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
    failedAuthenticationsPerMinute: config.RATE_LIMIT_FAILED_AUTH_PER_MINUTE
  },
  corsOrigins: parseCorsOrigins(config.CORS_ORIGINS),
  cacheMaxAgeSeconds: config.CACHE_MAX_AGE_SECONDS,
  changeRetentionMs: config.CHANGE_RETENTION_DAYS * 86_400_000
})

// Requests in flight end within the handler timeout, so closing never needs longer than that;
// past it something is stuck and the process exits 1.
closeWithGrace({ delay: config.HANDLER_TIMEOUT_MS + 5000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
  await database.stop()
})

const indexed = await writeMissingSearchDocuments(app.prisma)
if (indexed > 0) app.log.info(`wrote the search documents of ${indexed} engagements stored before search existed`)
const demo = await loadDemoVisitIfEmpty(app.prisma)
if (demo === 'loaded') app.log.info('loaded the demo visit lee-jae-myung-china-2026')
if (config.API_TOKENS === '') app.log.info('API_TOKENS is empty: only tokens made with `npm run token -- create` can write')

const address = await app.listen({ host: config.HOST, port: config.PORT })
process.stdout.write([
  '',
  `  Diplomatic itinerary API  ${address}/v1/visits`,
  `  Swagger UI                ${address}/docs`,
  `  Demo itinerary            ${address}/v1/visits/lee-jae-myung-china-2026/itinerary?tz=America/New_York`,
  `  Database                  ${config.DATABASE_URL === undefined ? `embedded (PGlite) in ${config.EMBEDDED_DB_DIR}` : 'DATABASE_URL'}`,
  '',
  ''
].join('\n'))

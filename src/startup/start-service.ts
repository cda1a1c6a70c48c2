import type { FastifyInstance } from 'fastify'
import { buildApp } from '../app.js'
import { loadConfig, parseApiTokens, parseCorsOrigins, type Config } from '../config.js'
import { databaseTokenNamesAmong } from '../db/api-tokens.js'
import { writeMissingSearchDocuments } from '../db/search.js'
import { loadDemoVisitIfEmpty } from '../demo/load-demo-visit.js'
import { banner, type WriteAccess } from './banner.js'
import { openServiceDatabase, type ServiceDatabase } from './database.js'
import { allowsLocalDevToken, localDevTokenFile } from './dev-token.js'
import { StartupError } from './errors.js'
import { loggerOptions } from './logger.js'

export interface RunningService {
  app: FastifyInstance
  /** How long closing may take before the process gives up on it. */
  closeDelayMs: number
  /** Stops accepting requests, finishes those in flight, then closes the database. */
  close(): Promise<void>
}

/**
 * Starts the service from the environment: configuration, database (DATABASE_URL or the
 * embedded one), migrations, the app, the demo visit, listening, the banner. A failure that an
 * operator can fix throws with one line saying what to do (see errors.ts), after closing what
 * was already open.
 */
export async function startService (env: NodeJS.ProcessEnv): Promise<RunningService> {
  const config = loadConfig(env)
  const database = await openServiceDatabase(config)
  let app: FastifyInstance | undefined
  try {
    app = await buildServiceApp(config, database)
    const writes = await prepareWrites(app, config, database)
    const indexed = await writeMissingSearchDocuments(app.prisma)
    if (indexed > 0) app.log.info(`wrote the search documents of ${indexed} engagements stored before search existed`)
    const demo = await loadDemoVisitIfEmpty(app.prisma)
    if (demo === 'loaded') app.log.info('loaded the demo visit lee-jae-myung-china-2026')
    const address = await listen(app, config)
    await database.recordApiUrl(address)
    process.stdout.write(banner(address, database, writes))
  } catch (error) {
    await app?.close()
    await database.stop()
    throw error
  }
  const running = app
  return {
    app: running,
    // Requests in flight end within the handler timeout, so closing never needs longer than that.
    closeDelayMs: config.HANDLER_TIMEOUT_MS + 5000,
    async close () {
      await running.close()
      await database.stop()
    }
  }
}

async function buildServiceApp (config: Config, database: ServiceDatabase) {
  const app = await buildApp({
    databaseUrl: database.connectionString,
    apiTokens: parseApiTokens(config.API_TOKENS),
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    logger: loggerOptions(config.LOG_LEVEL),
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
  await app.ready()
  return app
}

/**
 * Refuses bootstrap tokens named like a database token (a name is one identity: its logs,
 * change records, rate limits and idempotency keys), then says how this server can be written to.
 */
async function prepareWrites (app: FastifyInstance, config: Config, database: ServiceDatabase): Promise<WriteAccess> {
  const bootstrapNames = [...parseApiTokens(config.API_TOKENS).keys()]
  const shared = await databaseTokenNamesAmong(app.prisma, bootstrapNames)
  if (shared.length > 0) {
    const names = shared.map((name) => `"${name}"`).join(', ')
    throw new StartupError(`API_TOKENS names ${names}, which ${shared.length === 1 ? 'is' : 'are'} also the name of a token in the database ` +
      '(made with npm run token; names stay taken after a revocation): rename that entry of API_TOKENS.')
  }
  if (bootstrapNames.length > 0) return { kind: 'bootstrap-tokens', names: bootstrapNames }
  if (database.embeddedDir !== null && allowsLocalDevToken(config)) {
    const secretFile = await localDevTokenFile(app.prisma, database.embeddedDir)
    if (secretFile !== null) return { kind: 'local-dev-token', secretFile }
  }
  return { kind: 'database-tokens' }
}

/** app.listen, with one line for the ways it fails on a bad HOST or PORT. */
async function listen (app: FastifyInstance, config: Config): Promise<string> {
  try {
    return await app.listen({ host: config.HOST, port: config.PORT })
  } catch (error) {
    const where = `port ${config.PORT} on ${config.HOST}`
    switch ((error as NodeJS.ErrnoException).code) {
      case 'EADDRINUSE':
        throw new StartupError(`Cannot listen on ${where}: another program already listens there. Stop it, or set PORT to a free port (PORT=0 picks one).`)
      case 'EACCES':
        throw new StartupError(`Cannot listen on ${where}: this user may not use that port (below 1024 needs privileges). Set PORT to 1024 or above.`)
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
        throw new StartupError(`Cannot listen on ${where}: HOST is not an address of this machine. Set HOST to one, such as 127.0.0.1 or 0.0.0.0.`)
    }
    throw error
  }
}

import type { FastifyInstance } from 'fastify'
import { buildApp } from '../app.js'
import { loadSettings, type ServiceSettings } from '../config.js'
import { databaseTokenNamesAmong } from '../db/api-tokens.js'
import { writeMissingSearchDocuments } from '../db/search.js'
import { loadDemoVisitIfEmpty } from '../demo/load-demo-visit.js'
import { banner, type WriteAccess } from './banner.js'
import { openServiceDatabase, type ServiceDatabase } from './database.js'
import { allowsLocalDevToken, localDevTokenFile } from './dev-token.js'
import { StartupError } from './errors.js'
import { loggerOptions } from './logger.js'
import { checkRedis } from './redis.js'

export interface RunningService {
  app: FastifyInstance
  /** How long closing may take before the process gives up on it. */
  closeDelayMs: number
  /** Stops accepting requests, finishes those in flight, then closes the database. */
  close(): Promise<void>
}

/**
 * Starts the service from the environment: configuration, Redis (REDIS_URL, when set), database
 * (DATABASE_URL or the embedded one), migrations, the app, the demo visit, listening, the banner. A failure that an
 * operator can fix throws with one line saying what to do (see errors.ts), after closing what
 * was already open.
 */
export async function startService (env: NodeJS.ProcessEnv): Promise<RunningService> {
  const settings = loadSettings(env)
  if (settings.app.redisUrl !== undefined) await checkRedis(settings.app.redisUrl)
  const database = await openServiceDatabase(settings)
  let app: FastifyInstance | undefined
  try {
    app = await buildServiceApp(settings, database)
    const writes = await prepareWrites(app, settings, database)
    const indexed = await writeMissingSearchDocuments(app.prisma)
    if (indexed > 0) app.log.info(`wrote the search documents of ${indexed} engagements stored before search existed`)
    const demo = await loadDemoVisitIfEmpty(app.prisma)
    if (demo === 'loaded') app.log.info('loaded the demo visit lee-jae-myung-china-2026')
    await database.prepared()
    const address = await listen(app, settings.listen)
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
    closeDelayMs: settings.app.timeouts.handlerMs + 5000,
    async close () {
      await running.close()
      await database.stop()
    }
  }
}

async function buildServiceApp (settings: ServiceSettings, database: ServiceDatabase) {
  const app = await buildApp({ ...settings.app, databaseUrl: database.connectionString, logger: loggerOptions(settings.logLevel) })
  await app.ready()
  return app
}

/**
 * Refuses bootstrap tokens named like a database token (a name is one identity: its logs,
 * change records, rate limits and idempotency keys), then says how this server can be written to.
 */
async function prepareWrites (app: FastifyInstance, settings: ServiceSettings, database: ServiceDatabase): Promise<WriteAccess> {
  const bootstrapNames = [...settings.app.apiTokens.keys()]
  const shared = await databaseTokenNamesAmong(app.prisma, bootstrapNames)
  if (shared.length > 0) {
    const names = shared.map((name) => `"${name}"`).join(', ')
    throw new StartupError(`API_TOKENS names ${names}, which ${shared.length === 1 ? 'is' : 'are'} also the name of a token in the database ` +
      '(made with npm run token; names stay taken after a revocation): rename that entry of API_TOKENS.')
  }
  if (bootstrapNames.length > 0) return { kind: 'bootstrap-tokens', names: bootstrapNames }
  if (database.embeddedDir !== null && allowsLocalDevToken(settings)) {
    const secretFile = await localDevTokenFile(app.prisma, database.embeddedDir)
    if (secretFile !== null) return { kind: 'local-dev-token', secretFile }
  }
  return { kind: 'database-tokens' }
}

/** app.listen, with one line for the ways it fails on a bad HOST or PORT. */
async function listen (app: FastifyInstance, { host, port }: ServiceSettings['listen']): Promise<string> {
  try {
    return await app.listen({ host, port })
  } catch (error) {
    const where = `port ${port} on ${host}`
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

// Child process of `npm run bench`: the servers under test side by side on their own ports, so
// the load generator in the parent never competes with them for the same event loop. Only one
// of them is under load at any time. BENCH_SERVERS says which set: the comparison on the bench
// database (the service with and without its response cache, the baseline, the limit with and
// without its body cache), or the embedded comparison (the service on PGlite and on a Postgres
// server, both holding the demo visit only).
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import { startEmbeddedPostgres } from '../src/db/embedded.js'
import { applyMigrations } from '../src/db/schema-engine.js'
import { loadDemoVisitIfEmpty } from '../src/demo/load-demo-visit.js'
import { buildBaseline } from './baseline.js'
import { buildLimit } from './limit.js'
import type { ServerSet, Target } from './targets.js'

export type ServerPorts = Partial<Record<Target, number>>

/** Connections per pool, the same for all, and the service's default. */
const POOL_SIZE = 10

interface Listener {
  listen: (options: { host: string, port: number }) => Promise<unknown>
  close: () => Promise<unknown>
  server: { address: () => unknown }
}

/**
 * The service as `npm start` builds it, logging at warn; `cached` false turns its response cache
 * off, for the scenarios that measure rendering.
 */
async function buildService (databaseUrl: string, cached: boolean) {
  return buildApp({
    databaseUrl,
    apiTokens: new Map(),
    logger: { level: 'warn' },
    // The benchmark is one client asking as fast as it can: rate limits would only measure themselves.
    rateLimits: { readsPerMinute: 1_000_000_000, writesPerMinute: 1_000_000_000 },
    // 0 turns the cache off; left out, the service keeps its default.
    ...(cached ? {} : { responseCacheMaxBytes: 0 })
  })
}

async function comparisonServers (databaseUrl: string): Promise<Partial<Record<Target, Listener>>> {
  return {
    service: await buildService(databaseUrl, true),
    'service-uncached': await buildService(databaseUrl, false),
    baseline: await buildBaseline(databaseUrl, POOL_SIZE),
    limit: await buildLimit(databaseUrl, POOL_SIZE, { cacheBodies: false }),
    'limit-cached': await buildLimit(databaseUrl, POOL_SIZE, { cacheBodies: true })
  }
}

/** The demo visit on this database, loaded through the service as a fresh `npm start` loads it. */
async function demoServices (databaseUrl: string, prefix: 'embedded' | 'server'): Promise<Partial<Record<Target, Listener>>> {
  const cached = await buildService(databaseUrl, true)
  await loadDemoVisitIfEmpty(cached.prisma)
  return { [prefix]: cached, [`${prefix}-uncached`]: await buildService(databaseUrl, false) }
}

/** A fresh database on the server, migrated: the demo visit is all it will hold. */
async function recreateDemoDatabase (databaseUrl: string) {
  const url = new URL(databaseUrl)
  const name = url.pathname.slice(1)
  url.pathname = '/postgres'
  const admin = new pg.Client({ connectionString: url.toString() })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  await applyMigrations(databaseUrl)
}

async function embeddedServers (demoDatabaseUrl: string) {
  // Two services' pools share the one PGlite: it must accept both at once.
  const embedded = await startEmbeddedPostgres({ dataDir: 'memory://', maxConnections: 4 * POOL_SIZE })
  await applyMigrations(embedded.connectionString)
  await recreateDemoDatabase(demoDatabaseUrl)
  const servers = { ...await demoServices(embedded.connectionString, 'embedded'), ...await demoServices(demoDatabaseUrl, 'server') }
  return { servers, stop: () => embedded.stop() }
}

const databaseUrl = process.env.BENCH_DATABASE_URL
const set = process.env.BENCH_SERVERS as ServerSet | undefined
if (databaseUrl === undefined || process.send === undefined || set === undefined) {
  throw new Error('bench/servers.ts is started by bench/run.ts, with BENCH_DATABASE_URL, BENCH_SERVERS and an IPC channel.')
}

const { servers, stop } = set === 'embedded'
  ? await embeddedServers(databaseUrl)
  : { servers: await comparisonServers(databaseUrl), stop: async () => {} }
const ports: ServerPorts = {}
for (const [target, server] of Object.entries(servers) as Array<[Target, Listener]>) {
  await server.listen({ host: '127.0.0.1', port: 0 })
  ports[target] = (server.server.address() as AddressInfo).port
}
// /healthz is a request to the service: the same server, another path (see requestOf).
if (ports.service !== undefined) ports.healthz = ports.service
process.send(ports)

process.once('SIGTERM', () => {
  void Promise.all(Object.values(servers).map((server) => server.close())).then(stop).then(() => process.exit(0))
})

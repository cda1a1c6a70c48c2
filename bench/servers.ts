// Child process of `npm run bench`: the service (as `npm start` builds it, logging at warn) and
// the baseline, side by side on two ports, so the load generator in the parent never competes
// with them for the same event loop. Only one of the two is under load at any time.
import type { AddressInfo } from 'node:net'
import { buildApp } from '../src/app.js'
import { buildBaseline } from './baseline.js'

export interface ServerPorts {
  service: number
  baseline: number
}

/** Connections per pool, the same for both, and the service's default. */
const POOL_SIZE = 10

const databaseUrl = process.env.BENCH_DATABASE_URL
if (databaseUrl === undefined || process.send === undefined) {
  throw new Error('bench/servers.ts is started by bench/run.ts, with BENCH_DATABASE_URL and an IPC channel.')
}

const service = await buildApp({
  databaseUrl,
  apiTokens: new Map(),
  logger: { level: 'warn' },
  // The benchmark is one client asking as fast as it can: rate limits would only measure themselves.
  rateLimits: { readsPerMinute: 1_000_000_000, writesPerMinute: 1_000_000_000 }
})
const baseline = await buildBaseline(databaseUrl, POOL_SIZE)
await service.listen({ host: '127.0.0.1', port: 0 })
await baseline.listen({ host: '127.0.0.1', port: 0 })

const portOf = (app: { server: { address: () => unknown } }) => (app.server.address() as AddressInfo).port
const ports: ServerPorts = { service: portOf(service), baseline: portOf(baseline) }
process.send(ports)

process.once('SIGTERM', () => {
  void Promise.all([service.close(), baseline.close()]).then(() => process.exit(0))
})

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createApiToken } from '../../src/db/api-tokens.js'
import { defaultSettings } from '../../src/config.js'
import { createPrismaClient } from '../../src/db/client.js'
import { databaseUrl, needsPostgresServer } from '../helper.js'
import { failedStart } from '../server-process.js'

/** A URL on the test's PostgreSQL server with another user or database. */
function serverUrl (change: { database?: string, user?: string }): string {
  const url = new URL(databaseUrl())
  if (change.database !== undefined) url.pathname = `/${change.database}`
  if (change.user !== undefined) url.username = change.user
  return url.toString()
}

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

describe('a start that cannot succeed prints one line saying what to do, and exits 1', () => {
  it('names only the invalid variable and its rule', async (t) => {
    const result = await failedStart(t, { PORT: 'abc' })
    assert.deepEqual(result, { code: 1, stdout: '', errors: ['Invalid configuration: PORT must be a whole number from 0 to 65535 (it is "abc").'] })
    const secret = await failedStart(t, { API_TOKENS: 'desk:short' })
    assert.equal(secret.code, 1)
    // The rule, never the value: it holds secrets.
    assert.deepEqual(secret.errors, ['Invalid configuration: API_TOKENS must be name:secret or name:secret:scope+scope entries separated by commas, ' +
      'secrets of 8 or more characters without ":", "," or spaces, scopes among read:embargoed, write, admin.'])
    const proxy = await failedStart(t, { TRUST_PROXY: '10.0.0.0/8,999.1.1.1' })
    assert.deepEqual(proxy, { code: 1, stdout: '', errors: ['Invalid configuration: TRUST_PROXY must be empty, or IP addresses and CIDR ranges separated by commas ("999.1.1.1" is not an IP address or CIDR range).'] })
  })

  it('says so when nothing listens at DATABASE_URL', async (t) => {
    const port = await freePort()
    const result = await failedStart(t, { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/itinerary` })
    assert.deepEqual(result.errors, [`Nothing is listening at 127.0.0.1:${port} (DATABASE_URL): start PostgreSQL there, or correct DATABASE_URL.`])
    assert.equal(result.code, 1)
  })

  it('says so when REDIS_URL is not a Redis URL, or nothing listens there, before opening the database', async (t) => {
    const invalid = await failedStart(t, { REDIS_URL: 'http://127.0.0.1:6379' })
    // The rule, never the value: it may hold a password.
    assert.deepEqual(invalid, { code: 1, stdout: '', errors: ['Invalid configuration: REDIS_URL must be a URL starting with redis:// or rediss://, or unset to count rate limits in each process alone.'] })
    const port = await freePort()
    const unreachable = await failedStart(t, { REDIS_URL: `redis://:a-password@127.0.0.1:${port}/0` })
    assert.deepEqual(unreachable, { code: 1, stdout: '', errors: [`Nothing is listening at 127.0.0.1:${port} (REDIS_URL): start Redis there, or correct REDIS_URL.`] })
  })

  it('says so when DATABASE_URL names a database that does not exist, or a user the server refuses', needsPostgresServer, async (t) => {
    const missing = await failedStart(t, { DATABASE_URL: serverUrl({ database: 'itinerary_no_such_database' }) })
    const { hostname, port } = new URL(databaseUrl())
    const server = `PostgreSQL at ${hostname}:${port || '5432'}`
    assert.deepEqual(missing.errors, [`The database "itinerary_no_such_database" in DATABASE_URL does not exist on ${server}: ` +
      'create it (createdb "itinerary_no_such_database") or correct DATABASE_URL.'])
    assert.equal(missing.code, 1)
    const refused = await failedStart(t, { DATABASE_URL: serverUrl({ user: 'itinerary_no_such_user' }) })
    assert.deepEqual(refused.errors, [`${server} refused the user "itinerary_no_such_user" (role "itinerary_no_such_user" does not exist): ` +
      'correct the user name or password in DATABASE_URL.'])
    assert.equal(refused.code, 1)
  })

  it('says so when the port is taken', async (t) => {
    const taken = createServer().listen(0, '127.0.0.1')
    await once(taken, 'listening')
    t.after(() => taken.close())
    const { port } = taken.address() as AddressInfo
    const result = await failedStart(t, { DATABASE_URL: databaseUrl(), PORT: String(port) })
    assert.deepEqual(result.errors, [`Cannot listen on port ${port} on 127.0.0.1: another program already listens there. ` +
      'Stop it, or set PORT to a free port (PORT=0 picks one).'])
    assert.equal(result.code, 1)
  })

  it('refuses API_TOKENS that name a token of the database', async (t) => {
    const prisma = createPrismaClient(databaseUrl(), { maxConnections: 1, timeouts: defaultSettings.app.timeouts })
    t.after(() => prisma.$disconnect())
    const name = `shared-${Date.now().toString(36)}`
    await createApiToken(prisma, { name, scopes: ['write'] })
    const result = await failedStart(t, { DATABASE_URL: databaseUrl(), PORT: '0', API_TOKENS: `other:other-secret,${name}:bootstrap-secret` })
    assert.deepEqual(result.errors, [`API_TOKENS names "${name}", which is also the name of a token in the database ` +
      '(made with npm run token; names stay taken after a revocation): rename that entry of API_TOKENS.'])
    assert.equal(result.code, 1)
  })

  it('says which folder to delete when the embedded database was left half-initialised', async (t) => {
    const parent = await mkdtemp(join(tmpdir(), 'itinerary-half-'))
    t.after(() => rm(parent, { recursive: true, force: true }))
    const dataDir = join(parent, 'pglite')
    await mkdir(dataDir)
    await writeFile(join(dataDir, 'PG_VERSION'), '18\n')
    const result = await failedStart(t, { DATABASE_URL: undefined, EMBEDDED_DB_DIR: dataDir })
    assert.deepEqual(result.errors, [`The embedded database in "${dataDir}" cannot start: the folder looks half-initialised, ` +
      'probably by an earlier first start that was interrupted. ' +
      `Delete the folder "${dataDir}" (this erases what is stored there) and start again.`])
    assert.equal(result.code, 1)
  })
})

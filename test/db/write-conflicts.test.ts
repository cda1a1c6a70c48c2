// A deadlock or serialization failure undoes a transaction without writing anything: the service
// runs it again a bounded number of times (src/db/transactions.ts), then answers 503
// /problems/write-conflict. Prisma reports one from its own queries as P2034, and one from a raw
// statement inside a P2010; both must be known as such, never as an outage and never as a 500.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import pg from 'pg'
import { defaultSettings } from '../../src/config.js'
import { createPrismaClient, type PrismaClient } from '../../src/db/client.js'
import { inTransaction } from '../../src/db/transactions.js'
import { isDatabaseUnavailable, isWriteConflict } from '../../src/db/unavailable.js'
import { Prisma } from '../../src/generated/prisma/client.js'
import errorsPlugin from '../../src/plugins/errors.js'
import { databaseUrl, needsPostgresServer, uniqueSlug } from '../helper.js'

/** A client whose transactions fail `failures` times with `error`, then succeed. */
function failingClient (error: unknown, failures: number) {
  let calls = 0
  const client = {
    get calls () { return calls },
    async $transaction (work: (tx: unknown) => Promise<unknown>) {
      calls++
      if (calls <= failures) throw error
      return work({})
    }
  }
  return client as unknown as PrismaClient & { calls: number }
}

async function problemFor (error: unknown) {
  const app = Fastify()
  await app.register(errorsPlugin)
  app.get('/', async () => { throw error })
  try {
    const response = await app.inject('/')
    return { status: response.statusCode, type: response.json().type as string, retryAfter: response.headers['retry-after'] }
  } finally {
    await app.close()
  }
}

/** Two sessions that each hold a row the other wants; `raw` decides how the API's client asks for the second. */
async function deadlock (prisma: PrismaClient, raw: boolean): Promise<unknown> {
  const [first, second] = [uniqueSlug('deadlock'), uniqueSlug('deadlock')]
  const ids: string[] = []
  for (const slug of [first, second]) {
    const [row] = await prisma.$queryRaw<Array<{ id: string }>>`
      INSERT INTO visits (id, slug, title, principal_name, principal_title, origin_country, kind, status, home_time_zone, start_date, end_date, updated_at)
      VALUES (gen_random_uuid(), ${slug}, 'Deadlock', 'P', 'T', 'KR', 'other', 'scheduled', 'Asia/Seoul', '2026-01-04', '2026-01-05', now())
      RETURNING id::text`
    ids.push((row as { id: string }).id)
  }
  const other = new pg.Client({ connectionString: databaseUrl() })
  await other.connect()
  try {
    await other.query('BEGIN')
    await other.query("SET LOCAL deadlock_timeout = '60s'")
    await other.query('UPDATE visits SET summary = $1 WHERE id = $2', ['other', ids[1]])
    const failure = prisma.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE visits SET summary = 'api' WHERE id = ${ids[0]}::uuid`
      setTimeout(() => { void other.query('UPDATE visits SET summary = $1 WHERE id = $2', ['other', ids[0]]) }, 300)
      if (raw) await tx.$executeRaw`UPDATE visits SET summary = 'api' WHERE id = ${ids[1]}::uuid`
      else await tx.visit.update({ where: { id: ids[1] }, data: { summary: 'api' } })
    }).then(() => assert.fail('no deadlock'), (error: unknown) => error)
    const error = await failure
    await other.query('ROLLBACK')
    return error
  } finally {
    await other.end()
  }
}

describe('write conflicts', () => {
  it('are known from a real deadlock, in a raw statement and in a Prisma query, and become 503 write-conflict', needsPostgresServer, async (t) => {
    const prisma = createPrismaClient(databaseUrl(), { maxConnections: 2, timeouts: defaultSettings.app.timeouts })
    t.after(() => prisma.$disconnect())
    for (const raw of [true, false]) {
      const error = await deadlock(prisma, raw)
      assert.equal(isWriteConflict(error), true, `${raw ? 'raw' : 'Prisma'}: ${String(error)}`)
      assert.equal(isDatabaseUnavailable(error), false)
      assert.deepEqual(await problemFor(error), { status: 503, type: '/problems/write-conflict', retryAfter: '1' })
      const client = failingClient(error, 2)
      assert.equal(await inTransaction(client, async () => 'written'), 'written')
      assert.equal(client.calls, 3)
    }
  })

  it('are run again a bounded number of times, then passed on; other errors at once', async () => {
    const conflict = new Prisma.PrismaClientKnownRequestError('Transaction failed due to a write conflict or a deadlock', { code: 'P2034', clientVersion: Prisma.prismaVersion.client })
    const always = failingClient(conflict, Infinity)
    await assert.rejects(inTransaction(always, async () => 'never'), conflict)
    assert.equal(always.calls, 5)
    const refused = new Prisma.PrismaClientKnownRequestError('Unique constraint failed', { code: 'P2002', clientVersion: Prisma.prismaVersion.client })
    const once = failingClient(refused, Infinity)
    await assert.rejects(inTransaction(once, async () => 'never'), refused)
    assert.equal(once.calls, 1)
  })
})

import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import pg from 'pg'
import { defaultSettings } from '../../src/config.js'
import { createPrismaClient } from '../../src/db/client.js'
import { startEmbeddedPostgres } from '../../src/db/embedded.js'
import { migrationNamesOnDisk, pendingMigrations } from '../../src/db/migration-status.js'
import { applyMigrations } from '../../src/db/schema-engine.js'

test('PGlite on a free port: migrated, used by Prisma, and keeps its data across restarts', async (t) => {
  const dataDir = join(await temporaryFolder(t), 'data')

  const first = await startEmbeddedPostgres({ dataDir, port: 0, maxConnections: 12 })
  let prisma = createPrismaClient(first.connectionString, { maxConnections: 10, timeouts: defaultSettings.app.timeouts })
  try {
    assert.match(first.connectionString, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/)
    assert.deepEqual(await applyMigrations(first.connectionString), await migrationNamesOnDisk())

    // More queries than connections, so the pool shares PGlite's single session.
    await Promise.all(Array.from({ length: 30 }, (_, i) =>
      prisma.venue.create({ data: { name: `Hall ${i}`, city: 'Seoul', country: 'KR' } })))
    const counts = await Promise.all(Array.from({ length: 30 }, () => prisma.venue.count()))
    assert.deepEqual(new Set(counts), new Set([30]))

    await prisma.$transaction(async (tx) => {
      const venue = await tx.venue.create({ data: { name: 'Blue House', city: 'Seoul', country: 'KR' } })
      await tx.venue.update({ where: { id: venue.id }, data: { address: '1 Cheongwadae-ro' } })
    })
    await assert.rejects(prisma.$transaction(async (tx) => {
      await tx.venue.create({ data: { name: 'Never built', city: 'Seoul', country: 'KR' } })
      throw new Error('roll back')
    }), /roll back/)
    assert.equal(await prisma.venue.count(), 31)
  } finally {
    await prisma.$disconnect()
    await first.stop()
  }
  await assert.rejects(queryOnce(first.connectionString), /ECONNREFUSED/, 'stop() closes the port')

  const second = await startEmbeddedPostgres({ dataDir })
  prisma = createPrismaClient(second.connectionString, { maxConnections: 2, timeouts: defaultSettings.app.timeouts })
  try {
    assert.equal(await prisma.venue.count(), 31)
    assert.equal((await prisma.venue.findFirstOrThrow({ where: { name: 'Blue House' } })).address, '1 Cheongwadae-ro')
    assert.deepEqual(await pendingMigrations(prisma), [])
  } finally {
    await prisma.$disconnect()
    await second.stop()
  }
})

test('a half-initialised data folder fails with a message naming the folder to delete', async (t) => {
  // What an interrupted first start can leave: a version file, no cluster.
  const dataDir = await temporaryFolder(t)
  await writeFile(join(dataDir, 'PG_VERSION'), '18\n')
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    assert.match(error.message, /half-initialised/)
    assert.ok(error.message.includes(`Delete the folder "${dataDir}"`), error.message)
    return true
  })
})

async function temporaryFolder (t: TestContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'itinerary-embedded-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  return folder
}

async function queryOnce (connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString })
  client.on('error', () => {})
  await client.connect()
  await client.end()
}

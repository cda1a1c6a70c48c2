import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { createPrismaClient } from '../../src/db/client.js'
import { migrationNamesOnDisk, pendingMigrations } from '../../src/db/migration-status.js'
import { applyMigrations, diffMigrationsAgainstSchema } from '../../src/db/schema-engine.js'
import { newEmptyDatabase } from '../own-database.js'

const schemaPath = new URL('../../prisma/schema.prisma', import.meta.url)

test('the committed migrations build exactly what prisma/schema.prisma describes', async () => {
  assert.equal(await diffMigrationsAgainstSchema(), '')
})

test('the drift check reports a schema the migrations do not build', async () => {
  const schema = await readFile(schemaPath, 'utf8')
  const withVenueNotes = schema.replace(/^model Venue \{$/m, 'model Venue {\n  notes String?')
  assert.notEqual(withVenueNotes, schema, 'the schema no longer has the line this test edits')
  assert.match(await diffMigrationsAgainstSchema(withVenueNotes), /ALTER TABLE "venues" ADD COLUMN\s+"notes" TEXT;/)
})

test('pendingMigrations: none on the migrated test database', async (t) => {
  const prisma = createPrismaClient(testDatabaseUrl(), { maxConnections: 2 })
  t.after(() => prisma.$disconnect())
  assert.deepEqual(await pendingMigrations(prisma), [])
})

test('pendingMigrations: all before migrating, none after, and a rolled-back one again', async (t) => {
  const onDisk = await migrationNamesOnDisk()
  assert.ok(onDisk.includes('20260101000000_init'))
  const { url, drop } = await newEmptyDatabase()
  t.after(drop)
  const prisma = createPrismaClient(url, { maxConnections: 2 })
  t.after(() => prisma.$disconnect())

  assert.deepEqual(await pendingMigrations(prisma), onDisk, 'no _prisma_migrations table yet')
  assert.deepEqual(await applyMigrations(url), onDisk)
  assert.deepEqual(await pendingMigrations(prisma), [])
  // What `prisma migrate resolve --rolled-back` records for a migration that failed.
  await prisma.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = ${onDisk[0]}`
  assert.deepEqual(await pendingMigrations(prisma), onDisk.slice(0, 1))
})

function testDatabaseUrl (): string {
  const url = process.env.DATABASE_URL
  if (url === undefined) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which prepares a database.')
  return url
}

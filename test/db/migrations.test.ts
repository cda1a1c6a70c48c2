import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import pg from 'pg'
import { defaultSettings } from '../../src/config.js'
import { createPrismaClient } from '../../src/db/client.js'
import { migrationNamesOnDisk, pendingMigrations } from '../../src/db/migration-status.js'
import { applyMigrations, diffMigrationsAgainstSchema } from '../../src/db/schema-engine.js'
import { newEmptyDatabase } from '../own-database.js'
import { projectPath } from '../../src/project-root.js'

const schemaPath = projectPath('prisma', 'schema.prisma')

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
  const prisma = createPrismaClient(testDatabaseUrl(), { maxConnections: 2, timeouts: defaultSettings.app.timeouts })
  t.after(() => prisma.$disconnect())
  assert.deepEqual(await pendingMigrations(prisma), [])
})

test('pendingMigrations: all before migrating, none after, and a rolled-back one again', async (t) => {
  const onDisk = await migrationNamesOnDisk()
  assert.ok(onDisk.includes('20260101000000_init'))
  const { url, drop } = await newEmptyDatabase()
  t.after(drop)
  const prisma = createPrismaClient(url, { maxConnections: 2, timeouts: defaultSettings.app.timeouts })
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

test('the embargo migration makes drafts of what only embargoed engagements name, and numbers the public changes', async (t) => {
  const { url, drop } = await newEmptyDatabase()
  t.after(drop)
  await applyMigrations(url, { upTo: '20261128164432_newsroom_features' })
  const db = new pg.Client({ connectionString: url })
  // The database is dropped with FORCE after the test, which ends this connection if still open.
  db.on('error', () => {})
  await db.connect()
  t.after(async () => { await db.end() })
  // As the previous version left it: a public engagement and two embargoed ones, a person and a
  // venue of their own that only the embargoed ones name, and their change records.
  await db.query(`
    INSERT INTO visits (id, slug, title, principal_name, principal_title, origin_country, kind, status, home_time_zone, start_date, end_date, updated_at)
      VALUES ('00000000-0000-7000-8000-000000000001', 'legacy', 'Legacy', 'P', 'T', 'KR', 'other', 'scheduled', 'Asia/Seoul', '2026-01-04', '2026-01-05', now());
    INSERT INTO venues (id, name, city, country, address, updated_at) VALUES
      ('00000000-0000-7000-8000-0000000000a1', 'Open hall', 'Beijing', 'CN', NULL, now()),
      ('00000000-0000-7000-8000-0000000000a2', 'Secret villa', 'Beijing', 'CN', 'Secret road', now());
    INSERT INTO participants (id, name, name_key, country, updated_at) VALUES
      ('00000000-0000-7000-8000-0000000000b1', 'Open Person', 'open person', NULL, now()),
      ('00000000-0000-7000-8000-0000000000b2', 'Secret Person', 'secret person', 'KP', now());
    INSERT INTO engagements (id, visit_id, title, kind, status, precision, starts_at, time_zone, local_date, venue_id, embargo_until, updated_at) VALUES
      ('00000000-0000-7000-8000-0000000000e1', '00000000-0000-7000-8000-000000000001', 'Open', 'talks', 'scheduled', 'date', '2026-01-04T15:00Z', 'Asia/Shanghai', '2026-01-04', '00000000-0000-7000-8000-0000000000a1', NULL, now()),
      ('00000000-0000-7000-8000-0000000000e2', '00000000-0000-7000-8000-000000000001', 'Secret 1', 'talks', 'scheduled', 'date', '2026-01-04T15:00Z', 'Asia/Shanghai', '2026-01-04', '00000000-0000-7000-8000-0000000000a2', '2100-01-01Z', now()),
      ('00000000-0000-7000-8000-0000000000e3', '00000000-0000-7000-8000-000000000001', 'Secret 2', 'talks', 'scheduled', 'date', '2026-01-04T15:00Z', 'Asia/Shanghai', '2026-01-04', '00000000-0000-7000-8000-0000000000a1', '2100-01-01Z', now());
    INSERT INTO engagement_participants (engagement_id, position, participant_id, role) VALUES
      ('00000000-0000-7000-8000-0000000000e1', 0, '00000000-0000-7000-8000-0000000000b1', 'host'),
      ('00000000-0000-7000-8000-0000000000e2', 0, '00000000-0000-7000-8000-0000000000b2', 'host'),
      ('00000000-0000-7000-8000-0000000000e2', 1, '00000000-0000-7000-8000-0000000000b1', 'guest'),
      ('00000000-0000-7000-8000-0000000000e3', 0, '00000000-0000-7000-8000-0000000000b2', 'host');
    INSERT INTO changes (entity, entity_id, visit_id, action, fields, snapshot, actor, reason, recorded_at, visible_at) VALUES
      ('engagement', '00000000-0000-7000-8000-0000000000e1', '00000000-0000-7000-8000-000000000001', 'create', '{}', '{}', 'desk', NULL, now() - interval '2 minutes', now() - interval '2 minutes'),
      ('engagement', '00000000-0000-7000-8000-0000000000e2', '00000000-0000-7000-8000-000000000001', 'create', '{}', '{}', 'desk', 'Secret reason', now() - interval '1 minute', '2100-01-01Z'),
      ('visit', '00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000001', 'update', '{}', '{}', 'desk', NULL, now(), now());`)

  await applyMigrations(url)
  const people = (await db.query<{ id: string, name: string, draftOf: string | null, country: string | null }>(
    'SELECT id::text, name, draft_of::text AS "draftOf", country FROM participants ORDER BY name, draft_of')).rows
  assert.deepEqual(people.map(({ name, draftOf, country }) => [name, draftOf, country]), [
    ['Open Person', null, null],
    ['Secret Person', '00000000-0000-7000-8000-0000000000e2', 'KP'],
    ['Secret Person', '00000000-0000-7000-8000-0000000000e3', 'KP']
  ])
  const links = (await db.query<{ engagement: string, person: string }>(
    'SELECT engagement_id::text AS engagement, participant_id::text AS person FROM engagement_participants ORDER BY engagement_id, position')).rows
  assert.deepEqual(links.map((link) => people.find((person) => person.id === link.person)?.draftOf ?? 'published'),
    ['published', '00000000-0000-7000-8000-0000000000e2', 'published', '00000000-0000-7000-8000-0000000000e3'])
  const venues = (await db.query('SELECT name, draft_of::text AS "draftOf", address FROM venues ORDER BY name')).rows
  assert.deepEqual(venues, [
    { name: 'Open hall', draftOf: null, address: null },
    { name: 'Secret villa', draftOf: '00000000-0000-7000-8000-0000000000e2', address: 'Secret road' }
  ])
  const pending = (await db.query('SELECT id::text, pending_author AS author FROM engagements ORDER BY id')).rows
  assert.deepEqual(pending.map((row) => row.author), [
    null,
    { actor: 'desk', reason: 'Secret reason', source: null },
    { actor: 'migration', reason: null, source: null }
  ])
  const numbers = (await db.query('SELECT entity::text, public_sequence::int AS number FROM changes ORDER BY sequence')).rows
  assert.deepEqual(numbers, [{ entity: 'engagement', number: 1 }, { entity: 'engagement', number: null }, { entity: 'visit', number: 2 }])
})

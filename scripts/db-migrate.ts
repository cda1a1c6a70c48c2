// npm run db:migrate: applies pending migrations to the database at DATABASE_URL, the offline
// equivalent of `prisma migrate deploy`.
import { applyMigrations } from '../src/db/schema-engine.js'

const connectionString = process.env.DATABASE_URL
if (!connectionString) {
  console.error('DATABASE_URL is not set. Point it at the database to migrate, for example:\n' +
    '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run db:migrate')
  process.exit(1)
}

try {
  const applied = await applyMigrations(connectionString)
  process.stdout.write(applied.length === 0
    ? 'No pending migrations: the database is up to date.\n'
    : `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}\n`).join('')}`)
} catch (error) {
  console.error(`Migrating failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}

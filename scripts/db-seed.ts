// npm run db:seed: loads the demo visit (lee-jae-myung-china-2026) into the migrated database at
// DATABASE_URL. Idempotent: a database that already has it is left as it is.
import { defaultSettings } from '../src/config.js'
import { createPrismaClient } from '../src/db/client.js'
import { loadDemoVisit } from '../src/demo/load-demo-visit.js'

const connectionString = process.env.DATABASE_URL
if (!connectionString) {
  console.error('DATABASE_URL is not set. Point it at a migrated database, for example:\n' +
    '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run db:seed')
  process.exit(1)
}

const prisma = createPrismaClient(connectionString, { timeouts: defaultSettings.app.timeouts })
try {
  const result = await loadDemoVisit(prisma)
  process.stdout.write(result === 'loaded'
    ? 'Loaded the demo visit lee-jae-myung-china-2026.\n'
    : 'The demo visit lee-jae-myung-china-2026 is already there; nothing to do.\n')
} catch (error) {
  console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await prisma.$disconnect()
}

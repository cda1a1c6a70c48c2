import { defineConfig } from 'prisma/config'

// The URL is only needed by online CLI commands (`prisma migrate status`); generation and
// the offline migrator (src/db/schema-engine.ts) do not read it.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/itinerary' }
})

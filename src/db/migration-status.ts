import { readdir } from 'node:fs/promises'
import { projectPath } from '../project-root.js'
import type { PrismaClient } from './client.js'

export const migrationsDir = projectPath('prisma', 'migrations')

/** Names of the migration folders on disk, in the order they apply (their timestamp prefix). */
export async function migrationNamesOnDisk (): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    // No folder yet: the project has no migrations (db:migration:create makes the first one).
    if (error.code === 'ENOENT') return []
    throw error
  })
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
}

/**
 * Migrations on disk that the database has not finished applying. A migration that failed and
 * was marked rolled back (`prisma migrate resolve --rolled-back`) counts as not applied; a
 * database without a `_prisma_migrations` table has applied none.
 */
export async function pendingMigrations (prisma: PrismaClient): Promise<string[]> {
  const onDisk = await migrationNamesOnDisk()
  // to_regclass looks the table up through search_path, as the migrator that created it did.
  const [table] = await prisma.$queryRaw<Array<{ exists: boolean }>>`
    SELECT to_regclass('_prisma_migrations') IS NOT NULL AS "exists"`
  if (table?.exists !== true) return onDisk
  const applied = await prisma.$queryRaw<Array<{ migration_name: string }>>`
    SELECT migration_name FROM _prisma_migrations
    WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`
  const appliedNames = new Set(applied.map((row) => row.migration_name))
  return onDisk.filter((name) => !appliedNames.has(name))
}

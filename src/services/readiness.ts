import type { PrismaClient } from '../db/client.js'
import { pendingMigrations } from '../db/migration-status.js'
import { problem } from '../problems.js'

/**
 * Resolves when the database answers and has every migration applied; else a 503 that says which
 * and when to look again. `onUnreachable` hears why the database could not be asked, for the log.
 */
export async function checkReadiness (prisma: PrismaClient, onUnreachable: (error: unknown) => void): Promise<void> {
  const pending = await pendingMigrations(prisma).catch((error: unknown) => {
    onUnreachable(error)
    throw problem('databaseUnavailable', 'The database cannot be reached.')
  })
  if (pending.length > 0) {
    throw problem('migrationsPending', `The database lacks ${pending.length} migration(s): ${pending.join(', ')}. Run npm run db:migrate.`)
  }
}

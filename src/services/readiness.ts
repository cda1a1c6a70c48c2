import type { PrismaClient } from '../db/client.js'
import { pendingMigrations } from '../db/migration-status.js'
import { HttpProblem } from '../problems.js'

/**
 * Resolves when the database answers and has every migration applied; else a 503 that says which
 * and when to look again. `onUnreachable` hears why the database could not be asked, for the log.
 */
export async function checkReadiness (prisma: PrismaClient, onUnreachable: (error: unknown) => void): Promise<void> {
  const pending = await pendingMigrations(prisma).catch((error: unknown) => {
    onUnreachable(error)
    throw new HttpProblem(503, '/problems/database-unavailable', 'Service not ready',
      'The database cannot be reached.', { headers: { 'retry-after': '5' } })
  })
  if (pending.length > 0) {
    throw new HttpProblem(503, '/problems/migrations-pending', 'Service not ready',
      `The database lacks ${pending.length} migration(s): ${pending.join(', ')}. Run npm run db:migrate.`,
      { headers: { 'retry-after': '30' } })
  }
}

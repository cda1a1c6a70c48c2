import type { Db } from './client.js'

/** The tables whose rows carry a version that conditional writes compare (If-Match). */
export type VersionedEntity = 'visit' | 'leg' | 'engagement' | 'participant'

/**
 * The row's version now, or null when it is gone: what staleOrGone needs to tell a changed row
 * from a deleted one after a conditional write touched nothing.
 */
export async function currentVersion (db: Db, entity: VersionedEntity, id: string): Promise<{ version: number } | null> {
  const query = { where: { id }, select: { version: true } } as const
  switch (entity) {
    case 'visit': return db.visit.findUnique(query)
    case 'leg': return db.leg.findUnique(query)
    case 'engagement': return db.engagement.findUnique(query)
    case 'participant': return db.participant.findUnique(query)
  }
}

import type { PrismaClient } from '../db/client.js'
import { TOKEN_SCOPES } from '../domain/access.js'
import { insertParticipants } from '../db/participants.js'
import { findVisitRow, hasVisits, visitIdWithSlug } from '../db/visits.js'
import type { ChangeAuthor } from '../domain/changes.js'
import { createEngagement } from '../services/engagement-writes.js'
import { createLeg } from '../services/legs.js'
import { createVisit, deleteVisit } from '../services/visits.js'
import { demoEngagements, demoLegs, demoParticipants, demoVisit } from './lee-state-visit-china-2026.js'

export type DemoLoadResult = 'loaded' | 'already-present'

// What the change records of the demo data say about who wrote it.
const DEMO_AUTHOR: ChangeAuthor = { actor: 'demo-loader', reason: 'Demo visit loaded', source: null }

/**
 * Loads the demo visit through the same services the API uses, so it obeys the same rules.
 * Idempotent: a database that has the slug is left alone. A failure half-way removes the
 * visit again (its legs and engagements go with it), so no half-loaded demo remains. Tests
 * load it under a slug of their own, so that no other test can take or change theirs.
 *
 * Under its own slug it gets the fixed ids the OpenAPI examples name (DEMO_IDS), its people too,
 * unless its visit id is taken (its slug was changed): ids exist once per database, so then, and
 * under any other slug, its rows get new ids.
 */
export async function loadDemoVisit (prisma: PrismaClient, slug = demoVisit.slug): Promise<DemoLoadResult> {
  if (await visitIdWithSlug(prisma, slug) !== null) {
    return 'already-present'
  }
  const fixedIds = slug === demoVisit.slug && await findVisitRow(prisma, demoVisit.id) === null
  const withId = (id: string) => (fixedIds ? { id } : {})
  if (fixedIds) await insertParticipants(prisma, demoParticipants)
  const { id, ...visitInput } = demoVisit
  const visit = await createVisit(prisma, { ...visitInput, slug }, DEMO_AUTHOR, withId(id))
  try {
    const legIds = new Map<number, string>()
    for (const { id, ...leg } of demoLegs) legIds.set(leg.sequence, (await createLeg({ prisma, visitIdOrSlug: visit.id, input: leg, author: DEMO_AUTHOR, ...withId(id) })).id)
    for (const { id, legSequence, ...engagement } of demoEngagements) {
      await createEngagement({
        prisma, visitIdOrSlug: visit.id, input: { ...engagement, legId: legIds.get(legSequence) }, author: DEMO_AUTHOR, scopes: TOKEN_SCOPES, ...withId(id)
      })
    }
  } catch (error) {
    await deleteVisit({ prisma, idOrSlug: visit.id, expectedVersions: [visit.version], author: DEMO_AUTHOR })
    throw error
  }
  return 'loaded'
}

/** For a fresh database: loads the demo only when there is no visit at all. */
export async function loadDemoVisitIfEmpty (prisma: PrismaClient): Promise<DemoLoadResult | 'not-empty'> {
  return await hasVisits(prisma) ? 'not-empty' : loadDemoVisit(prisma)
}

import type { ChangeAuthor } from '../domain/changes.js'
import { Prisma } from '../generated/prisma/client.js'

// What a write under embargo said about shared venues and people waits beside the engagement
// (src/services/shared-records.ts) until its publication (src/services/publication.ts). These
// statements are in SQL because Prisma would move the engagement's updatedAt, which must move
// only with a change the engagement shows.

/**
 * Whether a hidden write left details for publication: drafts of the engagement, or details
 * about published records waiting beside their links.
 */
export async function hasPendingDetails (tx: Prisma.TransactionClient, engagementId: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<[{ pending: boolean }]>`
    SELECT EXISTS (SELECT 1 FROM engagements WHERE id = ${engagementId}::uuid AND venue_pending IS NOT NULL)
      OR EXISTS (SELECT 1 FROM engagement_participants WHERE engagement_id = ${engagementId}::uuid AND pending IS NOT NULL)
      OR EXISTS (SELECT 1 FROM venues WHERE draft_of = ${engagementId}::uuid)
      OR EXISTS (SELECT 1 FROM participants WHERE draft_of = ${engagementId}::uuid) AS pending`
  return row.pending
}

/** Records who wrote the details waiting for publication; null when none wait. */
export async function setPendingAuthor (tx: Prisma.TransactionClient, engagementId: string, author: ChangeAuthor | null): Promise<void> {
  const pendingAuthor = author === null ? null : JSON.stringify(author)
  await tx.$executeRaw`UPDATE engagements SET pending_author = ${pendingAuthor}::jsonb WHERE id = ${engagementId}::uuid`
}

/** Points the engagement at the published venue that its draft joined. */
export async function relinkVenue (tx: Prisma.TransactionClient, engagementId: string, venueId: string): Promise<void> {
  await tx.$executeRaw`UPDATE engagements SET venue_id = ${venueId}::uuid WHERE id = ${engagementId}::uuid`
}

/** Once published, nothing waits any more beside the engagement or its links. */
export async function clearPendingDetails (tx: Prisma.TransactionClient, engagementId: string): Promise<void> {
  await tx.engagementParticipant.updateMany({ where: { engagementId, NOT: { pending: { equals: Prisma.DbNull } } }, data: { pending: Prisma.DbNull } })
  await tx.$executeRaw`UPDATE engagements SET venue_pending = NULL, pending_author = NULL WHERE id = ${engagementId}::uuid`
}

/**
 * Locks the engagement for its publication if it still has details waiting and its embargo has
 * ended; the author of those details, or null when another process (or a write that lifted the
 * embargo) published it first.
 */
export async function lockDuePublication (tx: Prisma.TransactionClient, engagementId: string): Promise<ChangeAuthor | null> {
  const [locked] = await tx.$queryRaw<Array<{ author: ChangeAuthor }>>`
    SELECT pending_author AS author FROM engagements
    WHERE id = ${engagementId}::uuid AND pending_author IS NOT NULL AND (embargo_until IS NULL OR embargo_until <= clock_timestamp())
    FOR UPDATE`
  return locked?.author ?? null
}

import type { ChangeAuthor } from '../domain/changes.js'
import { Prisma } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'

// What a write under embargo said about shared venues and people waits beside the engagement
// (src/services/shared-records.ts) until its publication (src/services/publication.ts). The
// statements that write the engagement's row are in SQL because Prisma would move its updatedAt,
// which must move only with a change the engagement shows.

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

const pendingFields = {
  venueId: true,
  venuePending: true,
  venue: { select: { id: true, draftOf: true, name: true, city: true, country: true, address: true, latitude: true, longitude: true, nameTranslations: true } },
  participants: {
    select: {
      position: true,
      participantId: true,
      pending: true,
      participant: { select: { id: true, draftOf: true, name: true, country: true, wikidataId: true, nameTranslations: true } }
    },
    orderBy: { position: 'asc' }
  }
} satisfies Prisma.EngagementSelect

/** The engagement's venue and people, drafts included, with what its hidden writes said about them. */
export async function pendingDetailsOf (tx: Prisma.TransactionClient, engagementId: string): Promise<Prisma.EngagementGetPayload<{ select: typeof pendingFields }>> {
  return tx.engagement.findUniqueOrThrow({ where: { id: engagementId }, select: pendingFields })
}

/** Up to `limit` engagements whose embargo has ended at `now` with details still waiting, longest waiting first. */
export async function duePublications (prisma: PrismaClient, now: Date, limit: number): Promise<string[]> {
  const due = await prisma.engagement.findMany({
    where: { NOT: { pendingAuthor: { equals: Prisma.DbNull } }, OR: [{ embargoUntil: null }, { embargoUntil: { lte: now } }] },
    select: { id: true },
    orderBy: { embargoUntil: 'asc' },
    take: limit
  })
  return due.map((row) => row.id)
}

/** The engagement names, at `position`, the person `participantId` instead of the draft it named. */
export async function relinkParticipant (tx: Prisma.TransactionClient, engagementId: string, position: number, participantId: string): Promise<void> {
  await tx.engagementParticipant.update({ where: { engagementId_position: { engagementId, position } }, data: { participantId } })
}

/** The engagement no longer names anyone at `position`. */
export async function deleteParticipantLink (tx: Prisma.TransactionClient, engagementId: string, position: number): Promise<void> {
  await tx.engagementParticipant.delete({ where: { engagementId_position: { engagementId, position } } })
}

/** Deletes the engagement's drafts that it no longer names (after its venue or people were replaced). */
export async function deleteUnusedDrafts (tx: Prisma.TransactionClient, engagementId: string): Promise<void> {
  await tx.venue.deleteMany({ where: { draftOf: engagementId, engagements: { none: { id: engagementId } } } })
  await tx.participant.deleteMany({ where: { draftOf: engagementId, engagements: { none: { engagementId } } } })
}

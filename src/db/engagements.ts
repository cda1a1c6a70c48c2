// The engagement's own row and its links to people and sources, as writes change them. What
// reads show of an engagement is in engagement-rows.ts; which engagements a list shows, in
// engagement-lists.ts.
import type { ChangeAuthor } from '../domain/changes.js'
import type { PersonDetailsInput, VenueDetailsInput } from '../domain/shared-records.js'
import { Prisma, type ParticipantRole } from '../generated/prisma/client.js'
import type { Db } from './client.js'

/** The ids of every engagement of the visit, under embargo or not. */
export async function engagementIdsOfVisit (db: Db, visitId: string): Promise<string[]> {
  return (await db.engagement.findMany({ where: { visitId }, select: { id: true } })).map((row) => row.id)
}

/** Whether any engagement, under embargo or not, belongs to the leg. */
export async function legHasEngagements (db: Db, legId: string): Promise<boolean> {
  return await db.engagement.findFirst({ where: { legId }, select: { id: true } }) !== null
}

/** The engagements held at this venue, as the where-input that writeSearchDocuments and EmbeddedChanges take. */
export function engagementsAtVenue (venueId: string): Prisma.EngagementWhereInput {
  return { venueId }
}

/** The engagements this person takes part in, as the where-input that writeSearchDocuments and EmbeddedChanges take. */
export function engagementsOfParticipant (participantId: string): Prisma.EngagementWhereInput {
  return { participants: { some: { participantId } } }
}

/** The ids of the engagements `where` selects, but for those in `except`. */
export async function engagementIdsWhere (db: Db, where: Prisma.EngagementWhereInput, except: readonly string[]): Promise<string[]> {
  const rows = await db.engagement.findMany({ where: { AND: [where, { id: { notIn: [...except] } }] }, select: { id: true } })
  return rows.map((row) => row.id)
}

/** Gives each of these engagements its next version, updated at `updatedAt`; the new version of each still there, by id. */
export async function bumpEngagementVersions (tx: Prisma.TransactionClient, ids: readonly string[], updatedAt: Date): Promise<Map<string, number>> {
  const bumped = await tx.engagement.updateManyAndReturn({
    where: { id: { in: [...ids] } },
    data: { version: { increment: 1 }, updatedAt },
    select: { id: true, version: true }
  })
  return new Map(bumped.map((row) => [row.id, row.version]))
}

/** How an engagement refers to its venue: the venue's id, and what a hidden write said about it. */
export interface VenueLink {
  venueId: string
  pending: VenueDetailsInput | null
}

/** How an engagement refers to one of its people; role, title and organisation are the engagement's own. */
export interface ParticipantLink {
  participantId: string
  pending: PersonDetailsInput | null
}

/** How an engagement refers to its venue and people, with what hidden writes said about them. */
export interface StoredLinks {
  venue: VenueLink | null
  participants: ParticipantLink[]
  /** Whether details a hidden write sent wait for the engagement's publication. */
  hasPendingDetails: boolean
}

/** The engagement's links as stored; null when it is gone. */
export async function storedLinks (tx: Prisma.TransactionClient, id: string): Promise<StoredLinks | null> {
  const row = await tx.engagement.findUnique({
    where: { id },
    select: { venueId: true, venuePending: true, pendingAuthor: true, participants: { select: { participantId: true, pending: true } } }
  })
  if (row === null) return null
  return {
    venue: row.venueId === null ? null : { venueId: row.venueId, pending: row.venuePending as VenueLink['pending'] },
    participants: row.participants.map((link): ParticipantLink => ({ participantId: link.participantId, pending: link.pending as ParticipantLink['pending'] })),
    hasPendingDetails: row.pendingAuthor !== null
  }
}

/** One of the engagement's people, at its place in the list. */
export interface ParticipantLinkRow extends ParticipantLink {
  engagementId: string
  position: number
  role: ParticipantRole
  title: string | null
  organisation: string | null
}

export async function insertParticipantLinks (tx: Prisma.TransactionClient, links: readonly ParticipantLinkRow[]): Promise<void> {
  await tx.engagementParticipant.createMany({ data: links.map((link) => ({ ...link, pending: jsonColumn(link.pending) })) })
}

export async function deleteParticipantLinks (tx: Prisma.TransactionClient, engagementId: string): Promise<void> {
  await tx.engagementParticipant.deleteMany({ where: { engagementId } })
}

/** A source of an engagement, at its place in the list. */
export type SourceRow = Prisma.SourceCreateManyEngagementInput

/**
 * What a write stores in an engagement's own columns. The JSON ones take null for SQL NULL;
 * `sources`, when given, replace the engagement's sources.
 */
export type EngagementColumns = Omit<Prisma.EngagementUncheckedUpdateInput, 'venuePending' | 'pendingAuthor' | 'sources' | 'participants' | 'version'> & {
  /** What a hidden write said about the published venue it names. */
  venuePending?: VenueDetailsInput | null
  /** Who wrote the details waiting for publication. */
  pendingAuthor?: ChangeAuthor | null
  sources?: SourceRow[]
}

/** Creates the engagement with its sources; its id and when it was created. */
export async function insertEngagement (tx: Prisma.TransactionClient, engagement: Omit<Prisma.EngagementUncheckedCreateInput, 'sources' | 'participants' | 'venuePending' | 'pendingAuthor'> & { sources: SourceRow[] }): Promise<{ id: string, createdAt: Date }> {
  const { sources, ...columns } = engagement
  return tx.engagement.create({ data: { ...columns, sources: { createMany: { data: sources } } }, select: { id: true, createdAt: true } })
}

export async function updateEngagementColumns (tx: Prisma.TransactionClient, id: string, columns: EngagementColumns): Promise<void> {
  const { venuePending, pendingAuthor, sources, ...plain } = columns
  if (sources !== undefined) await tx.source.deleteMany({ where: { engagementId: id } })
  await tx.engagement.update({
    where: { id },
    data: {
      ...plain,
      venuePending: jsonColumn(venuePending),
      pendingAuthor: jsonColumn(pendingAuthor),
      sources: sources === undefined ? undefined : { createMany: { data: sources } }
    },
    select: { id: true }
  })
}

/** JSON for a column, null as SQL NULL; undefined leaves the column as it is. */
function jsonColumn (value: object | null | undefined) {
  return value === undefined ? undefined : value === null ? Prisma.DbNull : value as Prisma.InputJsonObject
}

/**
 * Gives the engagement its next version if it is still at `version`, and keeps it locked against
 * other writers until the transaction ends; false when it is not (or gone).
 */
export async function bumpEngagementVersionAt (tx: Prisma.TransactionClient, id: string, version: number): Promise<boolean> {
  const { count } = await tx.engagement.updateMany({ where: { id, version }, data: { version: { increment: 1 } } })
  return count > 0
}

/** Gives the engagement its next version; that version and the engagement's updatedAt. */
export async function bumpEngagementVersion (tx: Prisma.TransactionClient, id: string): Promise<{ version: number, updatedAt: Date }> {
  return tx.engagement.update({ where: { id }, data: { version: { increment: 1 } }, select: { version: true, updatedAt: true } })
}

/** Deletes the engagement (its links, sources and drafts go with it) if it is still at `version`; false when not (or gone). */
export async function deleteEngagementAtVersion (tx: Prisma.TransactionClient, id: string, version: number): Promise<boolean> {
  const { count } = await tx.engagement.deleteMany({ where: { id, version } })
  return count > 0
}

import type { TokenScope } from '../domain/access.js'
import { participantNameKey } from '../domain/identifiers.js'
import type { PersonDetails } from '../domain/shared-records.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Db, PrismaClient } from './client.js'
import { visibleEngagements, visibleParticipants } from './visibility.js'

export interface NewParticipant {
  id: string
  name: string
  country?: string
  nameTranslations?: Record<string, string>
}

/**
 * Creates these people with the ids given, skipping any whose id or name (as participantNameKey
 * compares names) is already taken: an engagement naming them then finds the one recorded.
 */
export async function insertParticipants (prisma: PrismaClient, people: readonly NewParticipant[]): Promise<void> {
  await prisma.participant.createMany({
    data: people.map(({ id, name, country, nameTranslations }) => ({
      id, name, nameKey: participantNameKey(name), country: country ?? null, nameTranslations: nameTranslations ?? {}
    })),
    skipDuplicates: true
  })
}

/** What a participant record shows (presentParticipant), as a Prisma select. */
export const participantFields = {
  id: true,
  name: true,
  country: true,
  wikidataId: true,
  altNames: true,
  nameTranslations: true,
  createdAt: true,
  updatedAt: true,
  version: true
} satisfies Prisma.ParticipantSelect

export type ParticipantRow = Prisma.ParticipantGetPayload<{ select: typeof participantFields }>

// People are found by Wikidata id or by name (participantNameKey): either identifies a person. A
// published one (draftOf null) is everybody's; a draft belongs to the engagement under embargo
// that named them.

const personFields = { id: true, name: true, country: true, wikidataId: true, nameTranslations: true } satisfies Prisma.ParticipantSelect
/** What resolving a person needs of them: their identity and the details an engagement may send. */
export type PersonRecord = Prisma.ParticipantGetPayload<{ select: typeof personFields }>

export async function findPersonRecord (db: Db, id: string): Promise<PersonRecord | null> {
  return db.participant.findUnique({ where: { id }, select: personFields })
}

/** The published person with this Wikidata id, or with this name as participantNameKey folds it. */
export async function findPublishedPerson (db: Db, identity: { wikidataId: string } | { nameKey: string }): Promise<PersonRecord | null> {
  return db.participant.findFirst({ where: { ...identity, draftOf: null }, select: personFields })
}

/** The engagement's own draft of the person of this name key, if it has one. */
export async function findPersonDraft (tx: Prisma.TransactionClient, engagementId: string, nameKey: string): Promise<PersonRecord | null> {
  return tx.participant.findFirst({ where: { draftOf: engagementId, nameKey }, select: personFields })
}

/** Creates the person, published, or as the draft of the engagement `draftOf`; their id. */
export async function insertPerson (tx: Prisma.TransactionClient, person: PersonDetails & { name: string, draftOf?: string }): Promise<string> {
  return (await tx.participant.create({ data: { ...person, nameKey: participantNameKey(person.name) }, select: { id: true } })).id
}

/** Applies details to a published person, as a new version of their record. */
export async function updatePersonRecord (tx: Prisma.TransactionClient, id: string, details: Partial<PersonDetails>): Promise<void> {
  await tx.participant.update({ where: { id }, data: { ...details, version: { increment: 1 } }, select: { id: true } })
}

/** Applies details to a draft, which has no version anybody has seen. */
export async function updatePersonDraft (tx: Prisma.TransactionClient, id: string, details: Partial<PersonDetails>): Promise<void> {
  await tx.participant.update({ where: { id }, data: details, select: { id: true } })
}

/** The draft becomes the published person it describes. */
export async function publishPersonDraft (tx: Prisma.TransactionClient, id: string): Promise<void> {
  await tx.participant.update({ where: { id }, data: { draftOf: null }, select: { id: true } })
}

export async function deletePerson (tx: Prisma.TransactionClient, id: string): Promise<void> {
  await tx.participant.delete({ where: { id }, select: { id: true } })
}

/** Whether the person appears in an engagement that is not under embargo. */
export async function appearsInPublicEngagement (db: Db, participantId: string): Promise<boolean> {
  const link = await db.engagementParticipant.findFirst({
    where: { participantId, engagement: visibleEngagements([]) },
    select: { participantId: true }
  })
  return link !== null
}

/** The participant if these scopes may know of them (visibleParticipants), else null. */
export async function findVisibleParticipant (db: Db, id: string, scopes: readonly TokenScope[]): Promise<ParticipantRow | null> {
  return db.participant.findFirst({ where: { AND: [{ id }, visibleParticipants(scopes)] }, select: participantFields })
}

export async function participantRowsByIds (db: Db, ids: readonly string[]): Promise<ParticipantRow[]> {
  return db.participant.findMany({ where: { id: { in: [...ids] } }, select: participantFields })
}

/** Which of these participants these scopes may know of. */
export async function visibleParticipantIds (db: Db, ids: readonly string[], scopes: readonly TokenScope[]): Promise<Set<string>> {
  const rows = await db.participant.findMany({ where: { AND: [{ id: { in: [...ids] } }, visibleParticipants(scopes)] }, select: { id: true } })
  return new Set(rows.map((row) => row.id))
}

// Engagements are counted for the people shown only: Prisma's relation _count would group the
// whole link table first.

/** How many engagements, of those these scopes may see, each of these participants takes part in (none: absent). */
export async function visibleEngagementCounts (db: Db, participantIds: readonly string[], scopes: readonly TokenScope[]): Promise<Map<string, number>> {
  const counts = await db.engagementParticipant.groupBy({
    by: ['participantId'],
    where: { participantId: { in: [...participantIds] }, engagement: visibleEngagements(scopes) },
    _count: { _all: true }
  })
  return new Map(counts.map((count) => [count.participantId, count._count._all]))
}

/** How many engagements, of those these scopes may see, the participant takes part in. */
export async function visibleEngagementCount (db: Db, participantId: string, scopes: readonly TokenScope[]): Promise<number> {
  return db.engagementParticipant.count({ where: { participantId, engagement: visibleEngagements(scopes) } })
}

/** Applies `data` and bumps the version if the participant is still at `version`; false when not (or gone). */
export async function updateParticipantAtVersion (tx: Prisma.TransactionClient, id: string, version: number, data: Prisma.ParticipantUpdateManyMutationInput): Promise<boolean> {
  const { count } = await tx.participant.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } })
  return count > 0
}

import { participantNameKey } from '../domain/identifiers.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'

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

import type { Static } from 'typebox'
import type { ParticipantRow } from '../db/participants.js'
import { storedTranslations } from '../domain/languages.js'
import type { Participant } from '../schemas/participants.js'

export type ParticipantView = Static<typeof Participant>

/** The participant as the API shows them, with the number of their engagements the reader may see. */
export function presentParticipant (row: ParticipantRow, engagementCount: number): ParticipantView {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    wikidataId: row.wikidataId,
    altNames: row.altNames,
    nameTranslations: storedTranslations(row.nameTranslations),
    engagementCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}

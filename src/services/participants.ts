import type { Static } from 'typebox'
import { recordChanges } from '../db/changes.js'
import type { PrismaClient } from '../db/client.js'
import { engagementsOfParticipant } from '../db/engagements.js'
import {
  findPublishedPerson, findVisibleParticipant, participantRowsByIds, updateParticipantAtVersion, visibleEngagementCount,
  visibleEngagementCounts, visibleParticipantIds, type ParticipantRow
} from '../db/participants.js'
import { participantMatches, writeSearchDocuments, type ParticipantMatch } from '../db/search.js'
import { inTransaction } from '../db/transactions.js'
import { currentVersion } from '../db/versions.js'
import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { decodeCursor, encodeCursor, pageSize } from '../domain/cursor.js'
import { firstPassing, inOrderOf } from '../domain/filtered-pages.js'
import { isUuid, participantNameKey } from '../domain/identifiers.js'
import { canonicalTranslations } from '../domain/languages.js'
import { searchableWords } from '../domain/search.js'
import { checkVersion, staleOrGone } from '../preconditions.js'
import { conflict, notFound } from '../problems.js'
import { presentParticipant, type ParticipantView } from '../presenters/participants.js'
import type { ParticipantEngagementsQuery, ParticipantListQuery, ParticipantPatch } from '../schemas/participants.js'
import { EmbeddedChanges } from './embedded-changes.js'
import { listEngagements } from './engagement-reads.js'
import { personForMessage } from './shared-records.js'
import type { ConditionalWrite } from './writes.js'

/** The participant with the number of their engagements these scopes may see. */
async function withEngagementCount (prisma: PrismaClient, row: ParticipantRow, scopes: readonly TokenScope[]): Promise<ParticipantView> {
  return presentParticipant(row, await visibleEngagementCount(prisma, row.id, scopes))
}

async function withEngagementCounts (prisma: PrismaClient, rows: ParticipantRow[], scopes: readonly TokenScope[]): Promise<ParticipantView[]> {
  const countOf = await visibleEngagementCounts(prisma, rows.map((row) => row.id), scopes)
  return rows.map((row) => presentParticipant(row, countOf.get(row.id) ?? 0))
}

/** The participant if these scopes may know of them; the same 404 as for an id nobody has otherwise. */
async function findParticipant (prisma: PrismaClient, id: string, scopes: readonly TokenScope[]): Promise<ParticipantRow> {
  const row = await findVisibleParticipant(prisma, id, scopes)
  if (row === null) throw notFound(`No participant has the id "${id}".`)
  return row
}

export async function getParticipant (prisma: PrismaClient, id: string, scopes: readonly TokenScope[]): Promise<ParticipantView> {
  return withEngagementCount(prisma, await findParticipant(prisma, id, scopes), scopes)
}

// Participants asked about their visibility at once, at most; a page needs one batch almost always.
const VISIBILITY_BATCH = 1000
const isRelevance = (value: string) => /^[0-3]$/.test(value)

/** A page of participants matching `q` (all without it), best match first, then by name; see participantMatches. */
export async function listParticipants (prisma: PrismaClient, query: Static<typeof ParticipantListQuery>, scopes: readonly TokenScope[]) {
  const limit = pageSize(query.limit, 50)
  if (query.q !== undefined) searchableWords(query.q, '/query/q')
  let start: ParticipantMatch | undefined
  if (query.cursor !== undefined) {
    const [relevance, id] = decodeCursor(query.cursor, [isRelevance, isUuid]) as [string, string]
    start = { relevance: Number(relevance), id }
  }
  const matches = await firstPassing(limit + 1, start,
    (after, size) => participantMatches(prisma, query.q, { after, limit: size, withDrafts: canReadEmbargoed(scopes) }),
    async (ids) => visibleParticipantIds(prisma, ids, scopes),
    VISIBILITY_BATCH)
  const page = matches.slice(0, limit)
  const rows = await participantRowsByIds(prisma, page.map((match) => match.id))
  const last = page.at(-1)
  return {
    data: await withEngagementCounts(prisma, inOrderOf(page, rows), scopes),
    nextCursor: matches.length > limit && last !== undefined ? encodeCursor([String(last.relevance), last.id]) : null
  }
}

/**
 * 409 when another published person has the name or Wikidata id. The message names them only to
 * a writer who may know of them (personForMessage): to others a person seen only in engagements
 * under embargo is "another participant".
 */
async function checkNotTaken (prisma: PrismaClient, participantId: string, patch: Static<typeof ParticipantPatch>, nameKey: string | undefined, scopes: readonly TokenScope[]) {
  if (nameKey !== undefined) {
    const holder = await findPublishedPerson(prisma, { nameKey })
    if (holder !== null && holder.id !== participantId) {
      throw conflict(`"${patch.name}" is already the name of ${await personForMessage(prisma, holder, scopes)}; one person has one record.`)
    }
  }
  if (patch.wikidataId !== undefined && patch.wikidataId !== null) {
    const holder = await findPublishedPerson(prisma, { wikidataId: patch.wikidataId })
    if (holder !== null && holder.id !== participantId) {
      throw conflict(`Wikidata id ${patch.wikidataId} already belongs to ${await personForMessage(prisma, holder, scopes)}.`)
    }
  }
}

/**
 * Applies a patch if the participant is still at one of `expectedVersions` (the client's
 * If-Match). Their engagements show their name and country, and their search documents carry
 * their names: in the same transaction, those documents are rewritten and every engagement that
 * now shows something else gets a new version and a change record (EmbeddedChanges).
 */
export interface ParticipantUpdate extends ConditionalWrite {
  id: string
  patch: Static<typeof ParticipantPatch>
  /** The writer's scopes: whom they may see, and be told of in a 409. */
  scopes: readonly TokenScope[]
}

export async function updateParticipant ({ prisma, id, patch, expectedVersions, author, scopes }: ParticipantUpdate): Promise<ParticipantView> {
  const participant = await findParticipant(prisma, id, scopes)
  checkVersion('participant', participant.version, expectedVersions)
  const nameKey = patch.name === undefined ? undefined : participantNameKey(patch.name)
  await checkNotTaken(prisma, participant.id, patch, nameKey, scopes)
  const nameTranslations = patch.nameTranslations === undefined ? undefined : canonicalTranslations(patch.nameTranslations, '/body/nameTranslations')
  const theirEngagements = engagementsOfParticipant(participant.id)
  await inTransaction(prisma, async (tx) => {
    const embedded = new EmbeddedChanges()
    if (patch.name !== undefined || patch.country !== undefined || nameTranslations !== undefined) await embedded.noteBefore(tx, theirEngagements)
    const updated = await updateParticipantAtVersion(tx, participant.id, participant.version, {
      name: patch.name,
      nameKey,
      country: patch.country,
      wikidataId: patch.wikidataId,
      altNames: patch.altNames,
      nameTranslations
    })
    if (!updated) throw staleOrGone('participant', await currentVersion(tx, 'participant', participant.id))
    if (patch.name !== undefined || patch.altNames !== undefined || nameTranslations !== undefined) await writeSearchDocuments(tx, theirEngagements)
    await recordChanges(tx, author, await embedded.changedEngagements(tx))
  })
  return getParticipant(prisma, participant.id, scopes)
}

/** The engagements of a participant these scopes may know of, as GET /v1/engagements?participant=<id> pages them. */
export async function listParticipantEngagements (prisma: PrismaClient, id: string, query: Static<typeof ParticipantEngagementsQuery>, scopes: readonly TokenScope[]) {
  const participant = await findParticipant(prisma, id, scopes)
  return listEngagements(prisma, { ...query, participant: participant.id }, scopes)
}

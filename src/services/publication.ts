import { isDeepStrictEqual } from 'node:util'
import { recordChanges, type EntityChange } from '../db/changes.js'
import type { PrismaClient } from '../db/client.js'
import { engagementRowsByIds } from '../db/engagement-rows.js'
import { bumpEngagementVersion } from '../db/engagements.js'
import { lockPersonIdentities, lockVenueIdentity } from '../db/identity-locks.js'
import { deletePerson, publishPersonDraft } from '../db/participants.js'
import {
  clearPendingDetails, deleteParticipantLink, duePublications, lockDuePublication, pendingDetailsOf, relinkParticipant, relinkVenue
} from '../db/pending-details.js'
import { writeSearchDocument } from '../db/search.js'
import { inTransaction } from '../db/transactions.js'
import { deleteVenue, findPublishedVenue, publishVenueDraft } from '../db/venues.js'
import { TOKEN_SCOPES } from '../domain/access.js'
import { storedTranslations } from '../domain/languages.js'
import type { PersonDetailsInput, VenueDetailsInput } from '../domain/shared-records.js'
import type { Prisma } from '../generated/prisma/client.js'
import { presentEngagement } from '../presenters/engagements.js'
import { EmbeddedChanges } from './embedded-changes.js'
import { publishedPerson, updatePersonDetails, updateVenueDetails, type SharedRecordsWrite } from './shared-records.js'

// An engagement under embargo keeps what its writes said about shared venues and people aside
// (src/services/shared-records.ts). When it is published, by its embargo ending or by a
// write that lifts it, all of that is applied as a public write would apply it at that moment:
// drafts become the published records they describe (or join the one published meanwhile),
// pending details update the published records, and every engagement that then shows something
// new gets a new version and a change record. Until then, nothing of it is public.

/** Details of a draft, as if they had been sent by a public write. */
function asSent<T extends { nameTranslations: Prisma.JsonValue }> (draft: T, fields: ReadonlyArray<keyof T>) {
  const sent: Record<string, unknown> = { nameTranslations: storedTranslations(draft.nameTranslations) }
  for (const field of fields) if (draft[field] !== null) sent[field as string] = draft[field]
  return sent
}

/**
 * Applies what the engagement's hidden writes said about its venue and people to the shared
 * records, in `write`'s transaction. Conflicts with what was published in the meantime are settled
 * the way `write.lenient` says (see publishedPerson); the engagement's own change record is the
 * caller's, its other engagements' ones are collected by `write.embedded`.
 */
export async function publishPendingDetails (write: SharedRecordsWrite): Promise<void> {
  const { tx, engagementId } = write
  const engagement = await pendingDetailsOf(tx, engagementId)
  const { venue } = engagement
  if (venue !== null && venue.draftOf === engagementId) {
    await lockVenueIdentity(tx, venue)
    const known = await findPublishedVenue(tx, venue)
    if (known === null) {
      await publishVenueDraft(tx, venue.id)
    } else {
      await updateVenueDetails(write, known, asSent(venue, ['address', 'latitude', 'longitude']) as VenueDetailsInput)
      await relinkVenue(tx, engagementId, known.id)
      await deleteVenue(tx, venue.id)
    }
  } else if (venue !== null && engagement.venuePending !== null) {
    const known = await findPublishedVenue(tx, venue)
    if (known !== null) await updateVenueDetails(write, known, engagement.venuePending as VenueDetailsInput)
  }

  const linked = new Set(engagement.participants.map((link) => link.participantId))
  await lockPersonIdentities(tx, engagement.participants.map((link) => link.participant).filter((person) => person.draftOf === engagementId))
  for (const link of engagement.participants) {
    const person = link.participant
    if (person.draftOf === engagementId) {
      const known = await publishedPerson({ ...write, lenient: true }, { name: person.name, wikidataId: person.wikidataId ?? undefined }, '')
      if (known === null) {
        await publishPersonDraft(tx, person.id)
        continue
      }
      await updatePersonDetails(write, known, asSent(person, ['country', 'wikidataId']) as PersonDetailsInput)
      // The engagement named the published person already, under another spelling: once is enough.
      if (linked.has(known.id)) {
        await deleteParticipantLink(tx, engagementId, link.position)
      } else {
        await relinkParticipant(tx, engagementId, link.position, known.id)
        linked.add(known.id)
      }
      await deletePerson(tx, person.id)
    } else if (link.pending !== null) {
      await updatePersonDetails(write, person, link.pending as PersonDetailsInput)
    }
  }

  await clearPendingDetails(tx, engagementId)
  await writeSearchDocument(tx, engagementId)
}

// Engagements published per transaction of the publisher: each is its own write, a few at a time.
const DUE_BATCH = 20

/**
 * Publishes every engagement whose embargo has ended with details still waiting; run by the
 * publication plugin every second. Each is one transaction, recorded under the author of the
 * hidden write that sent the details. Returns how many were published.
 */
export async function publishDueEngagements (prisma: PrismaClient, now = new Date()): Promise<number> {
  let published = 0
  for (const id of await duePublications(prisma, now, DUE_BATCH)) {
    if (await publishDueEngagement(prisma, id)) published++
  }
  return published
}

async function publishDueEngagement (prisma: PrismaClient, id: string): Promise<boolean> {
  return inTransaction(prisma, async (tx) => {
    const author = await lockDuePublication(tx, id)
    if (author === null) return false
    const [before] = await engagementRowsByIds(tx, [id])
    if (before === undefined) return false
    const embedded = new EmbeddedChanges(id)
    await publishPendingDetails({ tx, engagementId: id, hidden: false, embedded, scopes: TOKEN_SCOPES, lenient: true })
    const changes: EntityChange[] = []
    const [after] = await engagementRowsByIds(tx, [id])
    if (after !== undefined && !isDeepStrictEqual({ ...presentEngagement(after), updatedAt: null }, { ...presentEngagement(before), updatedAt: null })) {
      const bumped = await bumpEngagementVersion(tx, id)
      changes.push({ entity: 'engagement', before: presentEngagement(before), after: presentEngagement({ ...after, ...bumped }) })
    }
    changes.push(...await embedded.changedEngagements(tx))
    await recordChanges(tx, author, changes)
    return true
  })
}

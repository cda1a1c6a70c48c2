import { isDeepStrictEqual } from 'node:util'
import type { Static } from 'typebox'
import { participantsWithAltName, writeSearchDocuments } from '../../db/search.js'
import { InputError } from '../../domain/errors.js'
import { participantNameKey } from '../../domain/identifiers.js'
import { canonicalTranslations, storedTranslations } from '../../domain/languages.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { conflict } from '../../problems.js'
import type { EngagementCreate } from '../../schemas/engagements.js'
import type { EmbeddedChanges } from './embedded-changes.js'

// Venues and people are shared by every engagement that names them: what one engagement's write
// sends about them (an address, a country, a translation) updates the shared record, and through
// it what the others show, which `embedded` collects for the write's change records.

type EngagementInput = Static<typeof EngagementCreate>
type VenueInput = NonNullable<EngagementInput['venue']>
export type ParticipantInput = NonNullable<EngagementInput['participants']>[number]

/**
 * Translations sent with a shared venue or person are added to those already known (a later
 * engagement sending only "ko" must not erase the "zh" another one gave); null when none were sent.
 */
function mergedTranslations (known: unknown, sent: Record<string, string> | undefined, path: string) {
  if (sent === undefined) return undefined
  return { ...storedTranslations(known), ...canonicalTranslations(sent, path) }
}

const knownVenueFields = { id: true, address: true, latitude: true, longitude: true, nameTranslations: true } satisfies Prisma.VenueSelect

/** The id of the venue with this name, city and country, created if new, updated with what the input adds. */
export async function upsertVenue (tx: Prisma.TransactionClient, venue: VenueInput, path: string, embedded: EmbeddedChanges): Promise<string> {
  const where = { name_city_country: { name: venue.name, city: venue.city, country: venue.country } }
  const known = await tx.venue.findUnique({ where, select: knownVenueFields })
  const nameTranslations = mergedTranslations(known?.nameTranslations, venue.nameTranslations, `${path}/nameTranslations`)
  if (known === null) {
    // ON CONFLICT DO NOTHING: a writer adding the same venue at the same moment waits for the
    // other's commit and then uses that venue, as it was first described.
    await tx.venue.createMany({
      data: [{ name: venue.name, city: venue.city, country: venue.country, address: venue.address, latitude: venue.latitude, longitude: venue.longitude, nameTranslations }],
      skipDuplicates: true
    })
    return (await tx.venue.findUniqueOrThrow({ where, select: { id: true } })).id
  }
  const changes = {
    address: venue.address === known.address ? undefined : venue.address,
    latitude: venue.latitude === known.latitude ? undefined : venue.latitude,
    longitude: venue.longitude === known.longitude ? undefined : venue.longitude,
    nameTranslations: isDeepStrictEqual(nameTranslations, storedTranslations(known.nameTranslations)) ? undefined : nameTranslations
  }
  if (Object.values(changes).every((value) => value === undefined)) return known.id
  await embedded.noteBefore(tx, { venueId: known.id })
  await tx.venue.update({ where: { id: known.id }, data: changes, select: { id: true } })
  // The venue's names are in the search documents of every engagement held there.
  if (changes.nameTranslations !== undefined) await writeSearchDocuments(tx, { venueId: known.id })
  return known.id
}

const knownPersonFields = { id: true, country: true, wikidataId: true, nameTranslations: true } satisfies Prisma.ParticipantSelect

/** The one person who has `name` among their alternative names, if exactly one has; several is a question only the writer can answer. */
async function personByAltName (tx: Prisma.TransactionClient, participant: ParticipantInput, path: string) {
  const matches = await participantsWithAltName(tx, participant.name, participant.wikidataId)
  if (matches.length > 1) {
    throw new InputError('unprocessable', `"${participant.name}" is an alternative name of several participants ` +
      `(${matches.map((match) => match.id).join(', ')}); send the person's wikidataId, or their name as recorded.`, [
      { path: `${path}/name`, message: 'names more than one known person' }
    ])
  }
  return matches[0] === undefined ? null : tx.participant.findUnique({ where: { id: matches[0].id }, select: knownPersonFields })
}

/**
 * The id of the person a participant input names, found by wikidataId, else by name (case,
 * accents and spacing ignored), else by one of their alternative names; a new person only when
 * none matches. What the input adds (country, translations, a wikidataId they lacked) is recorded,
 * as a new version of the person.
 */
async function personOf (tx: Prisma.TransactionClient, participant: ParticipantInput, path: string, embedded: EmbeddedChanges): Promise<string> {
  const nameKey = participantNameKey(participant.name)
  const { wikidataId } = participant
  const known = (wikidataId === undefined ? null : await tx.participant.findUnique({ where: { wikidataId }, select: knownPersonFields })) ??
    await tx.participant.findUnique({ where: { nameKey }, select: knownPersonFields }) ??
    await personByAltName(tx, participant, path)
  if (known !== null && wikidataId !== undefined && known.wikidataId !== null && known.wikidataId !== wikidataId) {
    throw conflict(`"${participant.name}" is participant ${known.id}, whose Wikidata id is ${known.wikidataId}, not ${wikidataId}. ` +
      'Two people cannot share a name here: correct the wikidataId, or tell them apart by name.')
  }
  const nameTranslations = mergedTranslations(known?.nameTranslations, participant.nameTranslations, `${path}/nameTranslations`)
  if (known === null) {
    // As for venues: one who adds the same person at the same moment waits, then finds them.
    await tx.participant.createMany({
      data: [{ name: participant.name, nameKey, country: participant.country ?? null, wikidataId: wikidataId ?? null, nameTranslations }],
      skipDuplicates: true
    })
    const created = await tx.participant.findUnique({ where: { nameKey }, select: { id: true } })
    // Not there: the one added at the same moment has this wikidataId under another name; the checks above decide.
    return created?.id ?? personOf(tx, participant, path, embedded)
  }
  const changes = {
    country: participant.country === known.country ? undefined : participant.country,
    wikidataId: known.wikidataId === null ? wikidataId : undefined,
    nameTranslations: isDeepStrictEqual(nameTranslations, storedTranslations(known.nameTranslations)) ? undefined : nameTranslations
  }
  if (Object.values(changes).every((value) => value === undefined)) return known.id
  const shownInEngagements = changes.country !== undefined || changes.nameTranslations !== undefined
  if (shownInEngagements) await embedded.noteBefore(tx, { participants: { some: { participantId: known.id } } })
  await tx.participant.update({ where: { id: known.id }, data: { ...changes, version: { increment: 1 } }, select: { id: true } })
  // Their names are in the search documents of their other engagements too.
  if (changes.nameTranslations !== undefined) await writeSearchDocuments(tx, { participants: { some: { participantId: known.id } } })
  return known.id
}

/** The participant rows of an engagement, in the order sent, each naming its person (see personOf). */
export async function participantRows (tx: Prisma.TransactionClient, participants: ParticipantInput[], embedded: EmbeddedChanges) {
  const rows: Prisma.EngagementParticipantCreateManyEngagementInput[] = []
  const positions = new Map<string, number>()
  for (const [position, participant] of participants.entries()) {
    const path = `/body/participants/${position}`
    const participantId = await personOf(tx, participant, path, embedded)
    const first = positions.get(participantId)
    if (first !== undefined) {
      throw new InputError('invalid', `"${participant.name}" is the same person as /body/participants/${first}.`, [
        { path, message: `is the same person as /body/participants/${first}` }
      ])
    }
    positions.set(participantId, position)
    rows.push({
      position,
      participantId,
      role: participant.role,
      title: participant.title ?? null,
      organisation: participant.organisation ?? null
    })
  }
  return rows
}

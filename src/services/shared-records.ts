import type { Static } from 'typebox'
import type { Db } from '../db/client.js'
import { engagementsAtVenue, engagementsOfParticipant, type ParticipantLink, type ParticipantLinkRow, type VenueLink } from '../db/engagements.js'
import { compareKeys, lockPersonIdentities, lockVenueIdentity } from '../db/identity-locks.js'
import {
  appearsInPublicEngagement, findPersonDraft, findPersonRecord, findPublishedPerson, insertPerson, updatePersonDraft, updatePersonRecord,
  type PersonRecord
} from '../db/participants.js'
import { participantsWithAltName, writeSearchDocuments } from '../db/search.js'
import { findPublishedVenue, findVenueDraft, insertVenue, updateVenue, type VenueRecord } from '../db/venues.js'
import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { InputError } from '../domain/errors.js'
import { participantNameKey } from '../domain/identifiers.js'
import { canonicalTranslations, storedTranslations } from '../domain/languages.js'
import {
  changedDetails, combinedInputs, personDetailsAfter, venueDetailsAfter,
  type PersonDetails, type PersonDetailsInput, type VenueDetails, type VenueDetailsInput
} from '../domain/shared-records.js'
import type { Prisma } from '../generated/prisma/client.js'
import { conflict } from '../problems.js'
import type { EngagementCreate } from '../schemas/engagements.js'
import type { EmbeddedChanges } from './embedded-changes.js'

// Venues and people are shared by every engagement that names them. What a public write sends
// about them (an address, a country, a translation) updates the shared record, and through it
// what the other engagements show, which `embedded` collects for the write's change records.
//
// A write that leaves its engagement under embargo changes no shared record: what it says stays
// with the engagement until the engagement is published (src/services/publication.ts).
// Details about a published venue or person wait beside the link (`pending`); a venue or person
// nobody has published yet becomes a draft of the engagement (`draftOf`), which no other write or
// read finds. So nothing a hidden write says can change, or be learned from, another engagement,
// a participant record, the search index, a 409 or a version before its embargo ends.

type EngagementInput = Static<typeof EngagementCreate>
export type VenueInput = NonNullable<EngagementInput['venue']>
export type ParticipantInput = NonNullable<EngagementInput['participants']>[number]

/** One engagement write, as far as the shared records it names are concerned. */
export interface SharedRecordsWrite {
  tx: Prisma.TransactionClient
  /** The engagement written; created before its venue and people are resolved. */
  engagementId: string
  /** Whether the engagement is under embargo once this write is done. */
  hidden: boolean
  embedded: EmbeddedChanges
  /** The writer's scopes: what a refusal may say about people the writer cannot see. */
  scopes: readonly TokenScope[]
  /**
   * At publication nobody is there to answer a 409: a conflict with what was published in the
   * meantime is settled by the identity the shared records give (see personToPublish).
   */
  lenient?: boolean
}

export function sentVenueDetails (venue: VenueInput, path: string): VenueDetailsInput {
  return {
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude,
    nameTranslations: venue.nameTranslations === undefined ? undefined : canonicalTranslations(venue.nameTranslations, `${path}/nameTranslations`)
  }
}

export function sentPersonDetails (participant: Pick<ParticipantInput, 'country' | 'wikidataId' | 'nameTranslations'>, path: string): PersonDetailsInput {
  return {
    country: participant.country,
    wikidataId: participant.wikidataId,
    nameTranslations: participant.nameTranslations === undefined ? undefined : canonicalTranslations(participant.nameTranslations, `${path}/nameTranslations`)
  }
}

function venueDetails (venue: VenueRecord): VenueDetails {
  return { address: venue.address, latitude: venue.latitude, longitude: venue.longitude, nameTranslations: storedTranslations(venue.nameTranslations) }
}

/**
 * Applies details sent about a published venue: every engagement held there that shows
 * something else then gets a new version and a change record (through `embedded`).
 */
export async function updateVenueDetails (write: SharedRecordsWrite, known: VenueRecord, sent: VenueDetailsInput): Promise<void> {
  const changes = changedDetails(venueDetails(known), venueDetailsAfter(venueDetails(known), sent))
  if (changes === null) return
  const heldThere = engagementsAtVenue(known.id)
  await write.embedded.noteBefore(write.tx, heldThere)
  await updateVenue(write.tx, known.id, changes)
  // The venue's names are in the search documents of every engagement held there.
  if (changes.nameTranslations !== undefined) await writeSearchDocuments(write.tx, heldThere)
}

/**
 * The venue an engagement's write names, found by name, city and country. `previous` is how the
 * engagement referred to its venue before this write, so that what an earlier hidden write of
 * the same engagement said about it is kept.
 */
export async function venueFor (write: SharedRecordsWrite, venue: VenueInput, path: string, previous?: VenueLink | null): Promise<VenueLink> {
  const { tx } = write
  const sent = sentVenueDetails(venue, path)
  // As for people: a hidden write only makes a draft of its own, which nobody else can be creating.
  if (!write.hidden) await lockVenueIdentity(tx, venue)
  const known = await findPublishedVenue(tx, venue)
  if (write.hidden) {
    if (known !== null) {
      const pending = combinedInputs(previous?.venueId === known.id ? previous.pending : null, sent)
      const changes = changedDetails(venueDetails(known), venueDetailsAfter(venueDetails(known), pending))
      return { venueId: known.id, pending: changes === null ? null : pending }
    }
    return { venueId: await draftVenue(tx, write.engagementId, venue, sent), pending: null }
  }
  if (known !== null) {
    await updateVenueDetails(write, known, sent)
    return { venueId: known.id, pending: null }
  }
  const venueId = await insertVenue(tx, { name: venue.name, city: venue.city, country: venue.country, ...venueDetailsAfter(emptyVenue, sent) })
  return { venueId, pending: null }
}

const emptyVenue: VenueDetails = { address: null, latitude: null, longitude: null, nameTranslations: {} }

/** The engagement's own draft of a venue nobody has published: created, or updated with what is sent again. */
async function draftVenue (tx: Prisma.TransactionClient, engagementId: string, venue: VenueInput, sent: VenueDetailsInput): Promise<string> {
  const draft = await findVenueDraft(tx, engagementId, venue)
  if (draft === null) {
    return insertVenue(tx, { draftOf: engagementId, name: venue.name, city: venue.city, country: venue.country, ...venueDetailsAfter(emptyVenue, sent) })
  }
  const changes = changedDetails(venueDetails(draft), venueDetailsAfter(venueDetails(draft), sent))
  if (changes !== null) await updateVenue(tx, draft.id, changes)
  return draft.id
}

function personDetails (person: PersonRecord): PersonDetails {
  return { country: person.country, wikidataId: person.wikidataId, nameTranslations: storedTranslations(person.nameTranslations) }
}

/**
 * Whether a writer with these scopes may be told of this person: someone in an engagement they
 * can see. Refusals name only such people; of the others they say nothing that identifies them.
 */
async function isKnownTo (db: Db, personId: string, scopes: readonly TokenScope[]): Promise<boolean> {
  return canReadEmbargoed(scopes) || await appearsInPublicEngagement(db, personId)
}

/** "participant <id> (<name>)" for someone the writer may know of, else words that identify nobody. */
export async function personForMessage (db: Db, person: { id: string, name: string }, scopes: readonly TokenScope[]): Promise<string> {
  return await isKnownTo(db, person.id, scopes) ? `participant ${person.id} (${person.name})` : 'another participant'
}

interface PersonLookup {
  name: string
  wikidataId?: string
}

/** The one published person who has `name` among their alternative names, if exactly one has. */
async function personByAltName (write: SharedRecordsWrite, person: PersonLookup, path: string): Promise<PersonRecord | null> {
  const matches = await participantsWithAltName(write.tx, person.name, person.wikidataId)
  if (matches.length > 1) {
    if (write.lenient === true) return null
    const known = await Promise.all(matches.map(async (match) => await isKnownTo(write.tx, match.id, write.scopes) ? match.id : null))
    const named = known.every((id) => id !== null) ? ` (${known.join(', ')})` : ''
    throw new InputError('unprocessable', `"${person.name}" is an alternative name of several participants${named}; ` +
      'send the person\'s wikidataId, or their name as recorded.', [
      { path: `${path}/name`, message: 'names more than one known person' }
    ])
  }
  return matches[0] === undefined ? null : findPersonRecord(write.tx, matches[0].id)
}

/**
 * The published person an input names: found by wikidataId, else by name (case, accents and
 * spacing ignored), else by one of their alternative names; null when nobody matches.
 */
export async function publishedPerson (write: SharedRecordsWrite, person: PersonLookup, path: string): Promise<PersonRecord | null> {
  const { tx } = write
  const { wikidataId } = person
  const byWikidataId = wikidataId === undefined ? null : await findPublishedPerson(tx, { wikidataId })
  if (byWikidataId !== null) return byWikidataId
  const byName = await findPublishedPerson(tx, { nameKey: participantNameKey(person.name) })
  if (byName !== null && wikidataId !== undefined && byName.wikidataId !== null && byName.wikidataId !== wikidataId) {
    // At publication the name decides: the record of that name is the one everybody sees.
    if (write.lenient === true) return byName
    const known = await isKnownTo(tx, byName.id, write.scopes)
    const who = known ? `participant ${byName.id} (${byName.name}), whose Wikidata id is ${byName.wikidataId}` : `another participant, whose Wikidata id is not ${wikidataId}`
    throw conflict(`"${person.name}" is ${who}. ` +
      'Two people cannot share a name here: correct the wikidataId, or tell them apart by name.')
  }
  return byName ?? await personByAltName(write, person, path)
}

/**
 * Applies details sent about a published person, as a new version of the person; every
 * engagement that then shows something else gets a new version and a change record.
 */
export async function updatePersonDetails (write: SharedRecordsWrite, known: PersonRecord, sent: PersonDetailsInput): Promise<void> {
  const changes = changedDetails(personDetails(known), personDetailsAfter(personDetails(known), sent))
  if (changes === null) return
  const shownInEngagements = changes.country !== undefined || changes.nameTranslations !== undefined
  const theirEngagements = engagementsOfParticipant(known.id)
  if (shownInEngagements) await write.embedded.noteBefore(write.tx, theirEngagements)
  await updatePersonRecord(write.tx, known.id, changes)
  // Their names are in the search documents of their other engagements too.
  if (changes.nameTranslations !== undefined) await writeSearchDocuments(write.tx, theirEngagements)
}

const emptyPerson: PersonDetails = { country: null, wikidataId: null, nameTranslations: {} }

/**
 * The person a participant input names (see publishedPerson). A public write records what the
 * input adds to a known person (country, translations, a wikidataId they lacked) and creates one
 * who is new; a hidden write keeps both aside (pending details, a draft). A public write holds
 * the person's identity lock (lockPersonIdentities), so nobody creates them meanwhile.
 */
async function personFor (write: SharedRecordsWrite, participant: ParticipantInput, path: string, previous: readonly ParticipantLink[] = []): Promise<ParticipantLink> {
  const sent = sentPersonDetails(participant, path)
  const known = await publishedPerson(write, participant, path)
  if (write.hidden) {
    if (known === null) return { participantId: await draftPerson(write.tx, write.engagementId, participant, sent), pending: null }
    const pending = combinedInputs(previous.find((link) => link.participantId === known.id)?.pending ?? null, sent)
    const changes = changedDetails(personDetails(known), personDetailsAfter(personDetails(known), pending))
    return { participantId: known.id, pending: changes === null ? null : pending }
  }
  if (known !== null) {
    await updatePersonDetails(write, known, sent)
    return { participantId: known.id, pending: null }
  }
  const participantId = await insertPerson(write.tx, { name: participant.name, ...personDetailsAfter(emptyPerson, sent) })
  return { participantId, pending: null }
}

/** The engagement's own draft of a person nobody has published: created, or updated with what is sent again. */
async function draftPerson (tx: Prisma.TransactionClient, engagementId: string, participant: ParticipantInput, sent: PersonDetailsInput): Promise<string> {
  const draft = await findPersonDraft(tx, engagementId, participantNameKey(participant.name))
  if (draft === null) return insertPerson(tx, { draftOf: engagementId, name: participant.name, ...personDetailsAfter(emptyPerson, sent) })
  // A draft takes a wikidataId sent later, like a person does.
  const changes = changedDetails(personDetails(draft), personDetailsAfter(personDetails(draft), sent))
  if (changes !== null) await updatePersonDraft(tx, draft.id, changes)
  return draft.id
}

/**
 * The participant rows of an engagement, in the order sent, each naming its person (see
 * personFor). `previous` are the engagement's links before this write, so that what an earlier
 * hidden write said about a person it still names is kept. People are resolved in the order of
 * their names, so that two writers naming the same people update their rows in the same order.
 */
export async function participantRows (write: SharedRecordsWrite, participants: ParticipantInput[], previous: readonly ParticipantLink[] = []): Promise<ParticipantLinkRow[]> {
  // A hidden write creates drafts of its own only, which nobody else can be creating.
  if (!write.hidden) await lockPersonIdentities(write.tx, participants)
  const order = participants.map((participant, position) => ({ participant, position }))
    .sort((a, b) => compareKeys(participantNameKey(a.participant.name), participantNameKey(b.participant.name)))
  const links = new Map<number, ParticipantLink>()
  for (const { participant, position } of order) {
    const path = `/body/participants/${position}`
    const link = await personFor(write, participant, path, previous)
    const first = [...links].find(([, other]) => other.participantId === link.participantId)
    if (first !== undefined) {
      const [firstPosition] = first
      const [earlier, later] = firstPosition < position ? [firstPosition, position] : [position, firstPosition]
      throw new InputError('invalid', `"${participants[later]?.name}" is the same person as /body/participants/${earlier}.`, [
        { path: `/body/participants/${later}`, message: `is the same person as /body/participants/${earlier}` }
      ])
    }
    links.set(position, link)
  }
  return participants.map((participant, position): ParticipantLinkRow => ({
    ...links.get(position) as ParticipantLink,
    engagementId: write.engagementId,
    position,
    role: participant.role,
    title: participant.title ?? null,
    organisation: participant.organisation ?? null
  }))
}

import { participantNameKey } from '../domain/identifiers.js'
import type { Prisma } from '../generated/prisma/client.js'

// Only one writer at a time may create (or publish) the record of one identity: the second then
// finds the first's instead of creating a duplicate or failing on the unique index.
const VENUE_LOCK_CLASS = 0x76656e75 // "venu"
const PERSON_LOCK_CLASS = 0x7065726e // "pern"

/** Until the transaction ends, no other writer creates or publishes the venue of this name, city and country. */
export async function lockVenueIdentity (tx: Prisma.TransactionClient, venue: { name: string, city: string, country: string }): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${VENUE_LOCK_CLASS}::int, hashtext(${JSON.stringify([venue.name, venue.city, venue.country])}))`
}

/**
 * Until the transaction ends, no other writer creates or publishes a person of these names or
 * Wikidata ids. One statement for all of them, taken in the order of their keys, so that two
 * writers naming the same people wait for each other instead of deadlocking.
 */
export async function lockPersonIdentities (tx: Prisma.TransactionClient, people: ReadonlyArray<{ name: string, wikidataId?: string | null }>): Promise<void> {
  const identities = [...new Set(people.flatMap((person) => [
    participantNameKey(person.name), ...(person.wikidataId === undefined || person.wikidataId === null ? [] : [person.wikidataId])
  ]))].sort(compareKeys)
  if (identities.length === 0) return
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(${PERSON_LOCK_CLASS}::int, hashtext(identity))
    FROM unnest(${identities}::text[]) WITH ORDINALITY AS sorted(identity, position)
    ORDER BY position`
}

/** The order in which identities are locked, and people resolved, by every writer. */
export function compareKeys (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

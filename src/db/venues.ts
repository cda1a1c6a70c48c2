import type { VenueDetails } from '../domain/shared-records.js'
import type { Prisma } from '../generated/prisma/client.js'

// Venues are found by name, city and country: the identity of a venue. A published one
// (draftOf null) is everybody's; a draft belongs to the engagement under embargo that named it.

/** Where a venue is: its identity. */
export interface VenueIdentity {
  name: string
  city: string
  country: string
}

const venueFields = { id: true, name: true, city: true, country: true, address: true, latitude: true, longitude: true, nameTranslations: true } satisfies Prisma.VenueSelect
export type VenueRecord = Prisma.VenueGetPayload<{ select: typeof venueFields }>

/** The published venue of this name, city and country, if there is one. */
export async function findPublishedVenue (tx: Prisma.TransactionClient, venue: VenueIdentity): Promise<VenueRecord | null> {
  return tx.venue.findFirst({ where: { name: venue.name, city: venue.city, country: venue.country, draftOf: null }, select: venueFields })
}

/** The engagement's own draft of this venue, if it has one. */
export async function findVenueDraft (tx: Prisma.TransactionClient, engagementId: string, venue: VenueIdentity): Promise<VenueRecord | null> {
  return tx.venue.findFirst({ where: { draftOf: engagementId, name: venue.name, city: venue.city, country: venue.country }, select: venueFields })
}

/** Creates the venue, published, or as the draft of the engagement `draftOf`; its id. */
export async function insertVenue (tx: Prisma.TransactionClient, venue: VenueIdentity & VenueDetails & { draftOf?: string }): Promise<string> {
  return (await tx.venue.create({ data: venue, select: { id: true } })).id
}

export async function updateVenue (tx: Prisma.TransactionClient, id: string, details: Partial<VenueDetails>): Promise<void> {
  await tx.venue.update({ where: { id }, data: details, select: { id: true } })
}

/** The draft becomes the published venue it describes. */
export async function publishVenueDraft (tx: Prisma.TransactionClient, id: string): Promise<void> {
  await tx.venue.update({ where: { id }, data: { draftOf: null }, select: { id: true } })
}

export async function deleteVenue (tx: Prisma.TransactionClient, id: string): Promise<void> {
  await tx.venue.delete({ where: { id }, select: { id: true } })
}

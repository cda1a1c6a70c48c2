import type { Leg as LegRow } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'

/** The legs of a visit in the order of their sequence, as its itinerary lists them. */
export async function legRowsOfVisit (prisma: PrismaClient, visitId: string): Promise<LegRow[]> {
  return prisma.leg.findMany({ where: { visitId }, orderBy: { sequence: 'asc' } })
}

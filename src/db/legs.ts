import type { Leg as LegRow, Prisma } from '../generated/prisma/client.js'
import type { Db } from './client.js'

export async function findLegRow (db: Db, id: string): Promise<LegRow | null> {
  return db.leg.findUnique({ where: { id } })
}

/** The legs of a visit in the order of their sequence, as its itinerary lists them. */
export async function legRowsOfVisit (db: Db, visitId: string): Promise<LegRow[]> {
  return db.leg.findMany({ where: { visitId }, orderBy: { sequence: 'asc' } })
}

/** The id of the visit's leg that has this sequence, or null when it is free. */
export async function legIdAtSequence (db: Db, visitId: string, sequence: number): Promise<string | null> {
  return (await db.leg.findUnique({ where: { visitId_sequence: { visitId, sequence } }, select: { id: true } }))?.id ?? null
}

/** The highest sequence among the visit's legs; null when it has none. */
export async function lastLegSequence (db: Db, visitId: string): Promise<number | null> {
  return (await db.leg.aggregate({ where: { visitId }, _max: { sequence: true } }))._max.sequence
}

export async function insertLeg (tx: Prisma.TransactionClient, data: Prisma.LegUncheckedCreateInput): Promise<LegRow> {
  return tx.leg.create({ data })
}

/** Applies `data` and bumps the version if the leg is still at `version`; null when it is not (or gone). */
export async function updateLegAtVersion (tx: Prisma.TransactionClient, id: string, version: number, data: Prisma.LegUpdateManyMutationInput): Promise<LegRow | null> {
  const [updated] = await tx.leg.updateManyAndReturn({ where: { id, version }, data: { ...data, version: { increment: 1 } } })
  return updated ?? null
}

/** Deletes the leg if it is still at `version`; false when it is not (or gone). */
export async function deleteLegAtVersion (tx: Prisma.TransactionClient, id: string, version: number): Promise<boolean> {
  const { count } = await tx.leg.deleteMany({ where: { id, version } })
  return count > 0
}

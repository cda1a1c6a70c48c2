import { toDbDate } from '../domain/date-columns.js'
import { isUuid } from '../domain/identifiers.js'
import { literalLikePattern } from '../domain/like-pattern.js'
import type { Prisma, Visit as VisitRow } from '../generated/prisma/client.js'
import type { Db } from './client.js'

/** `idOrSlug` is an id when it reads as a UUID, a slug otherwise (slugs can't be UUIDs). */
export async function findVisitRow (db: Db, idOrSlug: string): Promise<VisitRow | null> {
  return db.visit.findUnique({ where: isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug } })
}

/** The id of the visit that has this slug, or null when it is free. */
export async function visitIdWithSlug (db: Db, slug: string): Promise<string | null> {
  return (await db.visit.findUnique({ where: { slug }, select: { id: true } }))?.id ?? null
}

/** Whether the database holds any visit at all. */
export async function hasVisits (db: Db): Promise<boolean> {
  return await db.visit.findFirst({ select: { id: true } }) !== null
}

export async function insertVisit (tx: Prisma.TransactionClient, data: Prisma.VisitUncheckedCreateInput): Promise<VisitRow> {
  return tx.visit.create({ data })
}

/** Applies `data` and bumps the version if the visit is still at `version`; null when it is not (or gone). */
export async function updateVisitAtVersion (tx: Prisma.TransactionClient, id: string, version: number, data: Prisma.VisitUpdateManyMutationInput): Promise<VisitRow | null> {
  const [updated] = await tx.visit.updateManyAndReturn({ where: { id, version }, data: { ...data, version: { increment: 1 } } })
  return updated ?? null
}

/** Deletes the visit; the database cascades to its legs and engagements. */
export async function deleteVisitRow (tx: Prisma.TransactionClient, id: string): Promise<void> {
  await tx.visit.delete({ where: { id } })
}

/** What GET /v1/visits filters on; every field given narrows the list. */
export interface VisitFilter {
  /** Visits still going on at or after this local date. */
  from?: string
  /** Visits begun at or before this local date. */
  to?: string
  /** Visits with a leg in this country. */
  country?: string
  originCountry?: string
  /** Part of the principal's name, case ignored. */
  principal?: string
  status?: VisitRow['status']
  /** Only visits after this one in list order (start date, then id). */
  after?: { startDate: string, id: string }
}

/** Up to `limit` visits that pass the filter, by start date, then id. */
export async function visitRows (db: Db, filter: VisitFilter, limit: number): Promise<VisitRow[]> {
  const filters: Prisma.VisitWhereInput[] = []
  if (filter.from !== undefined) filters.push({ endDate: { gte: toDbDate(filter.from) } })
  if (filter.to !== undefined) filters.push({ startDate: { lte: toDbDate(filter.to) } })
  if (filter.country !== undefined) filters.push({ legs: { some: { country: filter.country } } })
  if (filter.originCountry !== undefined) filters.push({ originCountry: filter.originCountry })
  if (filter.principal !== undefined) filters.push({ principalName: { contains: literalLikePattern(filter.principal), mode: 'insensitive' } })
  if (filter.status !== undefined) filters.push({ status: filter.status })
  if (filter.after !== undefined) {
    const startDate = toDbDate(filter.after.startDate)
    filters.push({ OR: [{ startDate: { gt: startDate } }, { startDate, id: { gt: filter.after.id } }] })
  }
  return db.visit.findMany({ where: { AND: filters }, orderBy: [{ startDate: 'asc' }, { id: 'asc' }], take: limit })
}

import type { Static } from 'typebox'
import { lockVisitAtVersion, recordChange, recordChanges } from '../db/changes.js'
import type { PrismaClient } from '../db/client.js'
import { fromDbDate, toDbDate } from '../domain/date-columns.js'
import { inTransaction } from '../db/transactions.js'
import type { ChangeAuthor } from '../domain/changes.js'
import { decodeCursor, encodeCursor, pageSize } from '../domain/cursor.js'
import { literalLikePattern } from '../domain/like-pattern.js'
import { checkDateRangeOrder } from '../domain/date-range.js'
import { InputError } from '../domain/errors.js'
import { isUuid } from '../domain/identifiers.js'
import { canonicalTranslations } from '../domain/languages.js'
import { canonicalZone, isValidLocalDate } from '../domain/time-zones.js'
import type { Prisma, Visit as VisitRow } from '../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../preconditions.js'
import { conflict, notFound } from '../problems.js'
import type { VisitCreate, VisitListQuery, VisitPatch } from '../schemas/visits.js'
import { engagementRowsByIds } from '../db/engagement-rows.js'
import { presentEngagement } from '../presenters/engagements.js'
import { presentLeg } from '../presenters/legs.js'
import { presentVisit, type VisitView } from '../presenters/visits.js'

/** `{visit}` is an id when it reads as a UUID, a slug otherwise (slugs can't be UUIDs). */
export async function findVisitOrNull (prisma: PrismaClient, idOrSlug: string): Promise<VisitRow | null> {
  return prisma.visit.findUnique({ where: isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug } })
}

export async function findVisit (prisma: PrismaClient, idOrSlug: string): Promise<VisitRow> {
  const visit = await findVisitOrNull(prisma, idOrSlug)
  if (visit === null) throw notFound(`No visit has the id or slug "${idOrSlug}".`)
  return visit
}

export async function getVisit (prisma: PrismaClient, idOrSlug: string, language?: string): Promise<VisitView> {
  return presentVisit(await findVisit(prisma, idOrSlug), language)
}

function checkSlugIsNotUuid (slug: string) {
  if (isUuid(slug)) {
    throw new InputError('invalid', 'A slug cannot have the form of a UUID: it would be read as an id.', [
      { path: '/body/slug', message: 'must not be a UUID' }
    ])
  }
}

async function checkSlugIsFree (prisma: PrismaClient, slug: string, exceptId?: string) {
  const holder = await prisma.visit.findUnique({ where: { slug }, select: { id: true } })
  if (holder !== null && holder.id !== exceptId) {
    throw conflict(`The slug "${slug}" is already used by visit ${holder.id}; choose another.`)
  }
}

export async function createVisit (prisma: PrismaClient, input: Static<typeof VisitCreate>, author: ChangeAuthor, options: { id?: string } = {}): Promise<VisitView> {
  checkSlugIsNotUuid(input.slug)
  checkDateRangeOrder(input.startDate, input.endDate)
  await checkSlugIsFree(prisma, input.slug)
  return inTransaction(prisma, async (tx) => {
    const row = await tx.visit.create({
      data: {
        id: options.id,
        slug: input.slug,
        title: input.title,
        titleTranslations: canonicalTranslations(input.titleTranslations ?? {}, '/body/titleTranslations'),
        principalName: input.principal.name,
        principalTitle: input.principal.title,
        originCountry: input.originCountry,
        kind: input.kind,
        status: input.status ?? 'scheduled',
        homeTimeZone: canonicalZone(input.homeTimeZone),
        startDate: toDbDate(input.startDate),
        endDate: toDbDate(input.endDate),
        summary: input.summary ?? null
      }
    })
    const created = presentVisit(row)
    await recordChange(tx, author, 'visit', null, created)
    return created
  })
}

async function currentVersion (prisma: PrismaClient | Prisma.TransactionClient, id: string) {
  return prisma.visit.findUnique({ where: { id }, select: { version: true } })
}

/**
 * Applies a patch if the visit is still at one of `expectedVersions` (the client's If-Match):
 * the checks below read `visit`, so the update is conditional on exactly that version.
 */
export async function updateVisit (prisma: PrismaClient, idOrSlug: string, patch: Static<typeof VisitPatch>, expectedVersions: readonly number[], author: ChangeAuthor): Promise<VisitView> {
  const visit = await findVisit(prisma, idOrSlug)
  checkVersion('visit', visit.version, expectedVersions)
  if (patch.slug !== undefined) {
    checkSlugIsNotUuid(patch.slug)
    await checkSlugIsFree(prisma, patch.slug, visit.id)
  }
  checkDateRangeOrder(patch.startDate ?? fromDbDate(visit.startDate), patch.endDate ?? fromDbDate(visit.endDate))
  return inTransaction(prisma, async (tx) => {
    const [updated] = await tx.visit.updateManyAndReturn({
      where: { id: visit.id, version: visit.version },
      data: {
        slug: patch.slug,
        title: patch.title,
        titleTranslations: patch.titleTranslations === undefined ? undefined : canonicalTranslations(patch.titleTranslations, '/body/titleTranslations'),
        principalName: patch.principal?.name,
        principalTitle: patch.principal?.title,
        originCountry: patch.originCountry,
        kind: patch.kind,
        status: patch.status,
        homeTimeZone: patch.homeTimeZone === undefined ? undefined : canonicalZone(patch.homeTimeZone),
        startDate: patch.startDate === undefined ? undefined : toDbDate(patch.startDate),
        endDate: patch.endDate === undefined ? undefined : toDbDate(patch.endDate),
        summary: patch.summary,
        version: { increment: 1 }
      }
    })
    if (updated === undefined) throw staleOrGone('visit', await currentVersion(tx, visit.id))
    const after = presentVisit(updated)
    await recordChange(tx, author, 'visit', presentVisit(visit), after)
    return after
  })
}

/** Deletes the visit, with its legs and engagements, if it is still at one of `expectedVersions`. */
export async function deleteVisit (prisma: PrismaClient, idOrSlug: string, expectedVersions: readonly number[], author: ChangeAuthor): Promise<void> {
  const visit = await findVisit(prisma, idOrSlug)
  checkVersion('visit', visit.version, expectedVersions)
  await inTransaction(prisma, async (tx) => {
    if (!await lockVisitAtVersion(tx, visit.id, visit.version)) throw staleOrGone('visit', await currentVersion(tx, visit.id))
    // The database cascades to the legs and engagements without a trace: each gets its own
    // tombstone, children first, so that a mirror applying them in order never holds an orphan.
    const legs = await tx.leg.findMany({ where: { visitId: visit.id } })
    const engagements = await engagementRowsByIds(tx, (await tx.engagement.findMany({ where: { visitId: visit.id }, select: { id: true } })).map((row) => row.id))
    await tx.visit.delete({ where: { id: visit.id } })
    await recordChanges(tx, author, [
      ...engagements.map((row) => ({ entity: 'engagement' as const, before: presentEngagement(row), after: null })),
      ...legs.map((row) => ({ entity: 'leg' as const, before: presentLeg(row), after: null })),
      { entity: 'visit', before: presentVisit(visit), after: null }
    ])
  })
}

export async function listVisits (prisma: PrismaClient, query: Static<typeof VisitListQuery>) {
  const limit = pageSize(query.limit, 50)
  const filters: Prisma.VisitWhereInput[] = []
  if (query.from !== undefined) filters.push({ endDate: { gte: toDbDate(query.from) } })
  if (query.to !== undefined) filters.push({ startDate: { lte: toDbDate(query.to) } })
  if (query.country !== undefined) filters.push({ legs: { some: { country: query.country } } })
  if (query.originCountry !== undefined) filters.push({ originCountry: query.originCountry })
  if (query.principal !== undefined) filters.push({ principalName: { contains: literalLikePattern(query.principal), mode: 'insensitive' } })
  if (query.status !== undefined) filters.push({ status: query.status })
  if (query.cursor !== undefined) {
    const [startDate, id] = decodeCursor(query.cursor, [isValidLocalDate, isUuid]) as [string, string]
    filters.push({
      OR: [
        { startDate: { gt: toDbDate(startDate) } },
        { startDate: toDbDate(startDate), id: { gt: id } }
      ]
    })
  }
  const rows = await prisma.visit.findMany({
    where: { AND: filters },
    orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
    take: limit + 1
  })
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => presentVisit(row, query.lang)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([fromDbDate(last.startDate), last.id]) : null
  }
}

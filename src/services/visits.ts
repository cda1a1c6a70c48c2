import type { Static } from 'typebox'
import { lockVisitAtVersion, recordChanges } from '../db/changes.js'
import type { PrismaClient } from '../db/client.js'
import { engagementIdsOfVisit } from '../db/engagements.js'
import { legRowsOfVisit } from '../db/legs.js'
import { inTransaction } from '../db/transactions.js'
import { currentVersion } from '../db/versions.js'
import { deleteVisitRow, findVisitRow, insertVisit, updateVisitAtVersion, visitIdWithSlug, visitRows } from '../db/visits.js'
import { fromDbDate, toDbDate } from '../domain/date-columns.js'
import type { ChangeAuthor } from '../domain/changes.js'
import { decodeCursor, encodeCursor, pageSize } from '../domain/cursor.js'
import { checkDateRangeOrder } from '../domain/date-range.js'
import { InputError } from '../domain/errors.js'
import { isUuid } from '../domain/identifiers.js'
import { canonicalTranslations } from '../domain/languages.js'
import { canonicalZone, isValidLocalDate } from '../domain/time-zones.js'
import type { Visit as VisitRow } from '../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../preconditions.js'
import { conflict, notFound } from '../problems.js'
import type { VisitCreate, VisitListQuery, VisitPatch } from '../schemas/visits.js'
import { engagementRowsByIds } from '../db/engagement-rows.js'
import { presentEngagement } from '../presenters/engagements.js'
import { presentLeg } from '../presenters/legs.js'
import { presentVisit, type VisitView } from '../presenters/visits.js'
import type { ConditionalWrite } from './writes.js'

export async function findVisit (prisma: PrismaClient, idOrSlug: string): Promise<VisitRow> {
  const visit = await findVisitRow(prisma, idOrSlug)
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
  const holder = await visitIdWithSlug(prisma, slug)
  if (holder !== null && holder !== exceptId) {
    throw conflict(`The slug "${slug}" is already used by visit ${holder}; choose another.`)
  }
}

export async function createVisit (prisma: PrismaClient, input: Static<typeof VisitCreate>, author: ChangeAuthor, options: { id?: string } = {}): Promise<VisitView> {
  checkSlugIsNotUuid(input.slug)
  checkDateRangeOrder(input.startDate, input.endDate)
  await checkSlugIsFree(prisma, input.slug)
  return inTransaction(prisma, async (tx) => {
    const row = await insertVisit(tx, {
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
    })
    const created = presentVisit(row)
    await recordChanges(tx, author, [{ entity: 'visit', before: null, after: created }])
    return created
  })
}

export interface VisitUpdate extends ConditionalWrite {
  idOrSlug: string
  patch: Static<typeof VisitPatch>
}

/**
 * Applies a patch if the visit is still at one of `expectedVersions` (the client's If-Match):
 * the checks below read `visit`, so the update is conditional on exactly that version.
 */
export async function updateVisit ({ prisma, idOrSlug, patch, expectedVersions, author }: VisitUpdate): Promise<VisitView> {
  const visit = await findVisit(prisma, idOrSlug)
  checkVersion('visit', visit.version, expectedVersions)
  if (patch.slug !== undefined) {
    checkSlugIsNotUuid(patch.slug)
    await checkSlugIsFree(prisma, patch.slug, visit.id)
  }
  checkDateRangeOrder(patch.startDate ?? fromDbDate(visit.startDate), patch.endDate ?? fromDbDate(visit.endDate))
  return inTransaction(prisma, async (tx) => {
    const updated = await updateVisitAtVersion(tx, visit.id, visit.version, {
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
      summary: patch.summary
    })
    if (updated === null) throw staleOrGone('visit', await currentVersion(tx, 'visit', visit.id))
    const after = presentVisit(updated)
    await recordChanges(tx, author, [{ entity: 'visit', before: presentVisit(visit), after }])
    return after
  })
}

/** Deletes the visit, with its legs and engagements, if it is still at one of `expectedVersions`. */
export async function deleteVisit ({ prisma, idOrSlug, expectedVersions, author }: ConditionalWrite & { idOrSlug: string }): Promise<void> {
  const visit = await findVisit(prisma, idOrSlug)
  checkVersion('visit', visit.version, expectedVersions)
  await inTransaction(prisma, async (tx) => {
    if (!await lockVisitAtVersion(tx, visit.id, visit.version)) throw staleOrGone('visit', await currentVersion(tx, 'visit', visit.id))
    // The database cascades to the legs and engagements without a trace: each gets its own
    // tombstone, children first, so that a mirror applying them in order never holds an orphan.
    const legs = await legRowsOfVisit(tx, visit.id)
    const engagements = await engagementRowsByIds(tx, await engagementIdsOfVisit(tx, visit.id))
    await deleteVisitRow(tx, visit.id)
    await recordChanges(tx, author, [
      ...engagements.map((row) => ({ entity: 'engagement' as const, before: presentEngagement(row), after: null })),
      ...legs.map((row) => ({ entity: 'leg' as const, before: presentLeg(row), after: null })),
      { entity: 'visit', before: presentVisit(visit), after: null }
    ])
  })
}

export async function listVisits (prisma: PrismaClient, query: Static<typeof VisitListQuery>) {
  const limit = pageSize(query.limit, 50)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, [isValidLocalDate, isUuid]) as [string, string]
  const after = cursor === undefined ? undefined : { startDate: cursor[0], id: cursor[1] }
  const rows = await visitRows(prisma, { ...query, after }, limit + 1)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => presentVisit(row, query.lang)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([fromDbDate(last.startDate), last.id]) : null
  }
}

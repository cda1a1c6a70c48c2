import type { Static } from 'typebox'
import { recordChanges } from '../../db/changes.js'
import type { PrismaClient } from '../../db/client.js'
import { fromDbDate, toDbDate } from '../../db/dates.js'
import { engagementRowsByIds, engagementRowsOfVisit, visibleEngagementRow, type EngagementRow } from '../../db/engagement-rows.js'
import { lockLeg, lockVisit } from '../../db/parent-locks.js'
import { rankedMatches, writeSearchDocument, type RankedMatch } from '../../db/search.js'
import { inTransaction } from '../../db/transactions.js'
import { canReadEmbargoed, type TokenScope } from '../../domain/access.js'
import type { ChangeAuthor } from '../../domain/changes.js'
import { decodeCursor, encodeCursor, pageSize } from '../../domain/cursor.js'
import { literalLikePattern } from '../../domain/like-pattern.js'
import { InputError } from '../../domain/errors.js'
import { isUuid, participantNameKey } from '../../domain/identifiers.js'
import { canonicalTranslations } from '../../domain/languages.js'
import { firstPassing, inOrderOf } from '../../domain/filtered-pages.js'
import { localDayBounds } from '../../domain/local-day.js'
import { requireSupportedInstants } from '../../domain/time-range.js'
import { prefixSearchQuery } from '../../domain/search.js'
import { resolveTimeWindow, type ResolvedTimeWindow } from '../../domain/time-window.js'
import { isValidInstant } from '../../domain/time-zones.js'
import { Prisma, type Leg as LegRow, type Visit as VisitRow } from '../../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../../preconditions.js'
import { presentEngagement } from '../../presenters/engagements.js'
import { notFound } from '../../problems.js'
import { findVisitOrNull } from '../visits/service.js'
import { EmbeddedChanges } from './embedded-changes.js'
import { publishPendingDetails } from './publication.js'
import {
  deleteUnusedDrafts, participantRows, venueFor, type ParticipantInput, type ParticipantLink, type SharedRecordsWrite, type VenueLink
} from './shared-records.js'
import type {
  EngagementCreate, EngagementListQuery, EngagementPatch
} from '../../schemas/engagements.js'
import {
  Confirmations, EngagementKinds, Precisions, PressAccessLevels, ScheduleStatuses, SourceKinds
} from '../../schemas/engagements.js'

type EngagementInput = Static<typeof EngagementCreate>
type SourceInput = NonNullable<EngagementInput['sources']>[number]

/**
 * The engagements a request made with these token scopes may know of, as a where-fragment to
 * AND into every query that reads engagements (lookups, lists, itineraries, feeds, searches):
 * without read:embargoed, those still under embargo at `now` do not exist. The comparison is
 * made at query time, so an engagement appears by itself once its embargo ends.
 */
export function visibleEngagements (scopes: readonly TokenScope[], now = new Date()): Prisma.EngagementWhereInput {
  if (canReadEmbargoed(scopes)) return {}
  return { OR: [{ embargoUntil: null }, { embargoUntil: { lte: now } }] }
}

/**
 * The engagement if these scopes may see it. An embargoed one gets the same 404 as a missing
 * one, for reads and for writes alike, so neither reveals that it exists.
 */
export async function findEngagement (prisma: PrismaClient, id: string, scopes: readonly TokenScope[]): Promise<EngagementRow> {
  const engagement = await visibleEngagementRow(prisma, id, scopes)
  if (engagement === null) throw notFound(`No engagement has the id "${id}".`)
  return engagement
}

function notALegOfTheVisit (legId: string) {
  return new InputError('unprocessable', `Leg ${legId} is not a leg of this visit; list the visit's legs in its itinerary.`, [
    { path: '/body/legId', message: 'must be the id of a leg of the same visit' }
  ])
}

async function findLegOfVisit (prisma: PrismaClient, visitId: string, legId: string): Promise<LegRow> {
  const leg = await prisma.leg.findUnique({ where: { id: legId } })
  if (leg === null || leg.visitId !== visitId) throw notALegOfTheVisit(legId)
  return leg
}

/** Keeps the leg from being deleted until the write commits; 422 when it went in the meantime. */
async function lockLegOfVisit (tx: Prisma.TransactionClient, visitId: string, legId: string): Promise<void> {
  if (await lockLeg(tx, legId) !== visitId) throw notALegOfTheVisit(legId)
}

function checkParticipantsAreDistinct (participants: ParticipantInput[]) {
  const seen = new Map<string, number>()
  participants.forEach((participant, index) => {
    const key = participantNameKey(participant.name)
    const first = seen.get(key)
    if (first !== undefined) {
      throw new InputError('invalid', `"${participant.name}" is listed twice among the participants.`, [
        { path: `/body/participants/${index}/name`, message: `is the same person as /body/participants/${first}/name` }
      ])
    }
    seen.set(key, index)
  })
}

/** The local dates an undated (tbd) engagement falls within: its leg's stay, else its visit's dates. */
function datesOf (frame: { startDate: Date, endDate: Date }) {
  return { startDate: fromDbDate(frame.startDate), endDate: fromDbDate(frame.endDate) }
}

function timeColumns (time: ResolvedTimeWindow) {
  return {
    precision: time.precision,
    partOfDay: time.partOfDay,
    startsAt: time.startsAt,
    endsAt: time.endsAt,
    timeZone: time.timeZone,
    localDate: toDbDate(time.localDate),
    timeLabel: time.label
  }
}

function sourceRows (sources: SourceInput[]): Prisma.SourceCreateManyEngagementInput[] {
  return sources.map((source, position) => ({
    position,
    url: source.url ?? null,
    title: source.title,
    kind: source.kind ?? 'other',
    publisher: source.publisher ?? null,
    publishedAt: source.publishedAt === undefined ? null : new Date(source.publishedAt)
  }))
}

/** Whether an engagement with this embargo is hidden, at `now`, from readers without read:embargoed. */
function isUnderEmbargo (embargoUntil: Date | null, now: Date): boolean {
  return embargoUntil !== null && embargoUntil > now
}

function venueColumns (venue: VenueLink | null) {
  return { venueId: venue?.venueId ?? null, venuePending: jsonOrNull(venue?.pending ?? null) }
}

function jsonOrNull (value: object | null) {
  return value === null ? Prisma.DbNull : value as Prisma.InputJsonObject
}

/**
 * Whether a hidden write left details for publication: drafts of the engagement, or details
 * about published records waiting beside their links.
 */
async function hasPendingDetails (tx: Prisma.TransactionClient, engagementId: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<[{ pending: boolean }]>`
    SELECT EXISTS (SELECT 1 FROM engagements WHERE id = ${engagementId}::uuid AND venue_pending IS NOT NULL)
      OR EXISTS (SELECT 1 FROM engagement_participants WHERE engagement_id = ${engagementId}::uuid AND pending IS NOT NULL)
      OR EXISTS (SELECT 1 FROM venues WHERE draft_of = ${engagementId}::uuid)
      OR EXISTS (SELECT 1 FROM participants WHERE draft_of = ${engagementId}::uuid) AS pending`
  return row.pending
}

/** What an engagement write resolves its venue and people with; see SharedRecordsWrite. */
function sharedRecordsWrite (tx: Prisma.TransactionClient, engagementId: string, hidden: boolean, scopes: readonly TokenScope[]): SharedRecordsWrite {
  return { tx, engagementId, hidden, embedded: new EmbeddedChanges(engagementId), scopes }
}

export interface WriteOptions {
  /** The id of the new engagement; the demo data names its own. */
  id?: string
}

/**
 * Creates the engagement with its venue, participants and sources in one transaction, which
 * also reads it back whole for its change record and the response. Under embargo, what it says
 * about shared venues and people waits for its publication (shared-records.ts).
 */
export async function createEngagement (prisma: PrismaClient, visit: VisitRow, input: EngagementInput, author: ChangeAuthor, scopes: readonly TokenScope[], options: WriteOptions = {}): Promise<EngagementRow> {
  const leg = input.legId === undefined ? null : await findLegOfVisit(prisma, visit.id, input.legId)
  const time = resolveTimeWindow(input.time, { defaultTimeZone: leg?.timeZone, undatedWindow: datesOf(leg ?? visit), path: '/body/time' })
  const participants = input.participants ?? []
  checkParticipantsAreDistinct(participants)
  const embargoUntil = input.embargoUntil === undefined ? null : new Date(input.embargoUntil)

  return inTransaction(prisma, async (tx) => {
    if (!await lockVisit(tx, visit.id, 'shared')) throw notFound('The visit was deleted while the engagement was being added to it.')
    if (leg !== null) await lockLegOfVisit(tx, visit.id, leg.id)
    const created = await tx.engagement.create({
      data: {
        id: options.id,
        visitId: visit.id,
        legId: leg?.id ?? null,
        title: input.title,
        titleTranslations: canonicalTranslations(input.titleTranslations ?? {}, '/body/titleTranslations'),
        kind: input.kind,
        status: input.status ?? 'scheduled',
        confirmation: input.confirmation,
        announcedAt: input.announcedAt === undefined ? null : new Date(input.announcedAt),
        pressAccess: input.pressAccess,
        ...timeColumns(time),
        description: input.description ?? null,
        embargoUntil,
        sources: { createMany: { data: sourceRows(input.sources ?? []) } }
      },
      select: { id: true, createdAt: true }
    })
    const write = sharedRecordsWrite(tx, created.id, isUnderEmbargo(embargoUntil, new Date()), scopes)
    const venue = input.venue === undefined ? null : await venueFor(write, input.venue, '/body/venue')
    await tx.engagementParticipant.createMany({ data: await participantRows(write, participants) })
    const pendingAuthor = jsonOrNull(write.hidden && await hasPendingDetails(tx, created.id) ? author : null)
    // updatedAt as created: the engagement is still being created.
    await tx.engagement.update({ where: { id: created.id }, data: { ...venueColumns(venue), pendingAuthor, updatedAt: created.createdAt }, select: { id: true } })
    await writeSearchDocument(tx, created.id)
    const [row] = await engagementRowsByIds(tx, [created.id]) as [EngagementRow]
    await recordChanges(tx, author, [
      { entity: 'engagement', before: null, after: presentEngagement(row) },
      ...await write.embedded.changedEngagements(tx)
    ])
    return row
  })
}

async function currentVersion (prisma: PrismaClient | Prisma.TransactionClient, id: string) {
  return prisma.engagement.findUnique({ where: { id }, select: { version: true } })
}

/** How the engagement refers to its venue and people, with what hidden writes said about them. */
async function storedLinks (tx: Prisma.TransactionClient, id: string) {
  const row = await tx.engagement.findUnique({
    where: { id },
    select: { venueId: true, venuePending: true, pendingAuthor: true, participants: { select: { participantId: true, pending: true } } }
  })
  if (row === null) return null
  return {
    venue: row.venueId === null ? null : { venueId: row.venueId, pending: row.venuePending as VenueLink['pending'] },
    participants: row.participants.map((link): ParticipantLink => ({ participantId: link.participantId, pending: link.pending as ParticipantLink['pending'] })),
    hasPendingDetails: row.pendingAuthor !== null
  }
}

/**
 * Applies a patch if the engagement is still at one of `expectedVersions` (the client's If-Match);
 * lists (participants, sources) are replaced whole, in one transaction. The shared venue and
 * people come first: every writer locks shared rows before engagements, so two writers changing
 * one venue through different engagements queue instead of deadlocking. Then the version is bumped
 * conditionally, on the version the checks below read: a stale writer's transaction is undone,
 * and the row stays locked against other writers until the transaction ends.
 *
 * A patch that leaves the engagement public publishes first what its hidden writes said about
 * shared records (its embargo is lifted, or ended a moment ago); one that leaves it under embargo
 * keeps what it says aside, as a create does.
 */
export async function updateEngagement (prisma: PrismaClient, engagement: EngagementRow, patch: Static<typeof EngagementPatch>, expectedVersions: readonly number[], author: ChangeAuthor, scopes: readonly TokenScope[]): Promise<EngagementRow> {
  checkVersion('engagement', engagement.version, expectedVersions)
  const leg = patch.legId === undefined
    ? (engagement.legId === null ? null : await prisma.leg.findUnique({ where: { id: engagement.legId } }))
    : patch.legId === null ? null : await findLegOfVisit(prisma, engagement.visitId, patch.legId)
  const time = patch.time === undefined
    ? undefined
    : resolveTimeWindow(patch.time, {
      defaultTimeZone: leg?.timeZone,
      undatedWindow: datesOf(leg ?? await prisma.visit.findUniqueOrThrow({ where: { id: engagement.visitId } })),
      path: '/body/time'
    })
  if (patch.participants !== undefined) checkParticipantsAreDistinct(patch.participants)
  const embargoUntil = patch.embargoUntil === undefined ? engagement.embargoUntil : patch.embargoUntil === null ? null : new Date(patch.embargoUntil)

  return inTransaction(prisma, async (tx) => {
    const write = sharedRecordsWrite(tx, engagement.id, isUnderEmbargo(embargoUntil, new Date()), scopes)
    let links = await storedLinks(tx, engagement.id)
    if (links === null) throw staleOrGone('engagement', null)
    if (!write.hidden && links.hasPendingDetails) {
      await publishPendingDetails({ ...write, lenient: true })
      links = await storedLinks(tx, engagement.id) ?? links
    }
    const venue = patch.venue === undefined
      ? undefined
      : patch.venue === null ? null : await venueFor(write, patch.venue, '/body/venue', links.venue)
    const participants = patch.participants === undefined ? undefined : await participantRows(write, patch.participants, links.participants)
    const { count } = await tx.engagement.updateMany({
      where: { id: engagement.id, version: engagement.version },
      data: { version: { increment: 1 } }
    })
    if (count === 0) throw staleOrGone('engagement', await currentVersion(tx, engagement.id))
    if (patch.legId !== undefined && patch.legId !== null) await lockLegOfVisit(tx, engagement.visitId, patch.legId)
    if (participants !== undefined) {
      await tx.engagementParticipant.deleteMany({ where: { engagementId: engagement.id } })
      await tx.engagementParticipant.createMany({ data: participants })
    }
    if (patch.sources !== undefined) await tx.source.deleteMany({ where: { engagementId: engagement.id } })
    await tx.engagement.update({
      where: { id: engagement.id },
      data: {
        legId: patch.legId === undefined ? undefined : leg?.id ?? null,
        title: patch.title,
        titleTranslations: patch.titleTranslations === undefined ? undefined : canonicalTranslations(patch.titleTranslations, '/body/titleTranslations'),
        kind: patch.kind,
        status: patch.status,
        confirmation: patch.confirmation,
        announcedAt: patch.announcedAt === undefined || patch.announcedAt === null ? patch.announcedAt : new Date(patch.announcedAt),
        pressAccess: patch.pressAccess,
        ...(time === undefined ? {} : timeColumns(time)),
        ...(venue === undefined ? {} : venueColumns(venue)),
        description: patch.description,
        embargoUntil,
        sources: patch.sources === undefined ? undefined : { createMany: { data: sourceRows(patch.sources) } }
      },
      select: { id: true }
    })
    if (venue !== undefined || participants !== undefined) await deleteUnusedDrafts(tx, engagement.id)
    if (write.hidden) {
      const pendingAuthor = await hasPendingDetails(tx, engagement.id) ? JSON.stringify(author) : null
      // In SQL: Prisma would move updatedAt again.
      await tx.$executeRaw`UPDATE engagements SET pending_author = ${pendingAuthor}::jsonb WHERE id = ${engagement.id}::uuid`
    }
    await writeSearchDocument(tx, engagement.id)
    const [updated] = await engagementRowsByIds(tx, [engagement.id]) as [EngagementRow]
    await recordChanges(tx, author, [
      { entity: 'engagement', before: presentEngagement(engagement), after: presentEngagement(updated) },
      ...await write.embedded.changedEngagements(tx)
    ])
    return updated
  })
}

/**
 * Deletes the engagement (its participants, sources and drafts go with it) if it is still at one
 * of `expectedVersions`. What it kept aside for publication goes too when it is still under
 * embargo: it is never published. Once the embargo has ended, what it said was public from that
 * instant, and is published first if the publisher has not come to it yet.
 */
export async function deleteEngagement (prisma: PrismaClient, engagement: EngagementRow, expectedVersions: readonly number[], author: ChangeAuthor, scopes: readonly TokenScope[]): Promise<void> {
  checkVersion('engagement', engagement.version, expectedVersions)
  await inTransaction(prisma, async (tx) => {
    const write = sharedRecordsWrite(tx, engagement.id, isUnderEmbargo(engagement.embargoUntil, new Date()), scopes)
    if (!write.hidden && (await storedLinks(tx, engagement.id))?.hasPendingDetails === true) await publishPendingDetails({ ...write, lenient: true })
    const { count } = await tx.engagement.deleteMany({ where: { id: engagement.id, version: engagement.version } })
    if (count === 0) throw staleOrGone('engagement', await currentVersion(tx, engagement.id))
    await recordChanges(tx, author, [
      { entity: 'engagement', before: presentEngagement(engagement), after: null },
      ...await write.embedded.changedEngagements(tx)
    ])
  })
}

function parseList<T extends string> (value: string, allowed: readonly T[], name: string): T[] {
  const values = value.split(',')
  const unknown = values.find((item) => !allowed.includes(item as T))
  if (unknown !== undefined) {
    throw new InputError('invalid', `"${unknown}" is not a ${name}; use one of: ${allowed.join(', ')}.`, [
      { path: `/query/${name}`, message: `must be one or more of: ${allowed.join(', ')}, separated by commas` }
    ])
  }
  return values as T[]
}

/**
 * Engagements whose window overlaps [start, end) (either bound may be open); one without an
 * end is the instant it starts. Prisma drops conditions whose value is undefined.
 */
function overlapping (start: Date | undefined, end: Date | undefined): Prisma.EngagementWhereInput {
  return {
    OR: [
      { endsAt: null, startsAt: { gte: start, lt: end } },
      { endsAt: { not: null, gt: start }, startsAt: { lt: end } }
    ]
  }
}

/**
 * Engagements going on at `at`: startsAt <= at < endsAt, or starting at `at` exactly when their
 * end is not known (as in overlapping: nothing says how long they last). Instants are stored to
 * the millisecond.
 */
function happeningAt (at: Date): Prisma.EngagementWhereInput {
  return overlapping(at, new Date(at.getTime() + 1))
}

/**
 * The ids of the engagements whose window overlaps one day: a day's worth, looked up on their
 * own. Inside the page's ORDER BY starts_at LIMIT, Postgres walks the starts_at index from the
 * archive's first day to find the windows still open that day; asked alone, it reads the
 * (ends_at, starts_at) and starts_at indexes for that day only (bench/RESULTS.md has the plans).
 */
async function idsOverlapping (prisma: PrismaClient, start: Date, end: Date): Promise<string[]> {
  const rows = await prisma.engagement.findMany({ where: overlapping(start, end), select: { id: true } })
  return rows.map((row) => row.id)
}

/** Matches the venue's city or country, or the leg's when the engagement has no venue. */
function placeFilter (field: 'city' | 'country', value: string): Prisma.EngagementWhereInput {
  const match = field === 'city' ? { city: { equals: literalLikePattern(value), mode: 'insensitive' as const } } : { country: value }
  return { OR: [{ venue: match }, { venueId: null, leg: match }] }
}

/** A list query without its paging: the filters, which the calendar feed shares with the JSON list. */
export type EngagementFilterQuery = Omit<Static<typeof EngagementListQuery>, 'cursor' | 'limit'>

/**
 * The visit a list's `visit` filter names. An unknown one is a mistake in the filter, not an
 * empty schedule: a 400 that says so.
 */
export async function visitOfFilter (prisma: PrismaClient, visit: string): Promise<VisitRow> {
  const row = await findVisitOrNull(prisma, visit)
  if (row === null) {
    throw new InputError('invalid', `No visit has the id or slug "${visit}".`, [
      { path: '/query/visit', message: 'must be the id or slug of an existing visit' }
    ])
  }
  return row
}

/**
 * The where-fragments (to AND together) for the engagements a list query asks for that these
 * scopes may see, `visit` given as the id `visitId`: the JSON list pages through them, the
 * calendar feed takes them all. `q` is not among them: a search is ranked, in SQL, by
 * listEngagements (searchEngagements), under these filters.
 */
/**
 * What the query's filters ask for, to AND together. The embargo rule is not among them: every
 * read adds visibleEngagements (or, in SQL, visibleEngagementsSql) itself.
 */
export async function queryFilters (prisma: PrismaClient, query: EngagementFilterQuery, scopes: readonly TokenScope[], visitId?: string): Promise<Prisma.EngagementWhereInput[]> {
  const filters: Prisma.EngagementWhereInput[] = []
  if (visitId !== undefined) filters.push({ visitId })
  if (query.from !== undefined || query.to !== undefined) {
    const from = query.from === undefined ? undefined : new Date(query.from)
    const to = query.to === undefined ? undefined : new Date(query.to)
    if (from !== undefined && to !== undefined && to <= from) {
      throw new InputError('invalid', `to (${query.to}) must be after from (${query.from}).`, [
        { path: '/query/to', message: 'must be after from' }
      ])
    }
    filters.push(overlapping(from, to))
  }
  if (query.date !== undefined) {
    if (query.tz === undefined) {
      filters.push({ localDate: toDbDate(query.date) })
    } else {
      const day = localDayBounds(query.date, query.tz)
      requireSupportedInstants([day.start, day.end], 'invalid', '/query/date', `date ${query.date} in ${query.tz}`)
      filters.push({ id: { in: await idsOverlapping(prisma, day.start, day.end) } })
    }
  }
  if (query.at !== undefined) filters.push(happeningAt(new Date(query.at)))
  if (query.city !== undefined) filters.push(placeFilter('city', query.city))
  if (query.country !== undefined) filters.push(placeFilter('country', query.country))
  if (query.kind !== undefined) filters.push({ kind: { in: parseList(query.kind, EngagementKinds, 'kind') } })
  if (query.status !== undefined) filters.push({ status: { in: parseList(query.status, ScheduleStatuses, 'status') } })
  if (query.precision !== undefined) filters.push({ precision: { in: parseList(query.precision, Precisions, 'precision') } })
  if (query.confirmation !== undefined) filters.push({ confirmation: { in: parseList(query.confirmation, Confirmations, 'confirmation') } })
  if (query.pressAccess !== undefined) filters.push({ pressAccess: { in: parseList(query.pressAccess, PressAccessLevels, 'pressAccess') } })
  if (query.sourceKind !== undefined) filters.push({ sources: { some: { kind: { in: parseList(query.sourceKind, SourceKinds, 'sourceKind') } } } })
  if (query.announcedSince !== undefined) filters.push({ announcedAt: { gte: new Date(query.announcedSince) } })
  if (query.participant !== undefined) filters.push(await participantFilter(prisma, query.participant, scopes))
  return filters
}

/**
 * The engagements of a person named by id or by name. The name is resolved to an id first: with
 * the id as a value, Postgres knows from its statistics how many engagements the person has and
 * walks the page in order, instead of reading every engagement of a head of state to sort them
 * (bench/RESULTS.md). With read:embargoed, engagements under embargo that name a person nobody has
 * published yet (their drafts) are found by the same name.
 */
async function participantFilter (prisma: PrismaClient, participant: string, scopes: readonly TokenScope[]): Promise<Prisma.EngagementWhereInput> {
  if (isUuid(participant)) return { participants: { some: { participantId: participant } } }
  const nameKey = participantNameKey(participant)
  const published = await prisma.participant.findFirst({ where: { nameKey, draftOf: null }, select: { id: true } })
  const byId: Prisma.EngagementParticipantWhereInput[] = published === null ? [] : [{ participantId: published.id }]
  const drafts: Prisma.EngagementParticipantWhereInput[] = canReadEmbargoed(scopes) ? [{ participant: { nameKey, draftOf: { not: null } } }] : []
  const either = [...byId, ...drafts]
  if (either.length === 0) return { id: { in: [] } }
  return { participants: { some: either.length === 1 ? either[0] : { OR: either } } }
}

// Up to this many engagements passing a search's other filters, the search ranks just those.
const SEARCH_AMONG_FILTERED_MAX = 1000
const isRank = (value: string) => /^\d+(\.\d+)?(e-?\d+)?$/.test(value)

/**
 * Up to `count` engagements after `start` that pass `filters` and match the search, best match
 * first: the JSON list pages through them, the calendar feed takes them all.
 */
/**
 * The first `count` matches of a search after `start`, in search order, among the engagements
 * these scopes may see that pass the query's filters. Without filters, one statement ranks the
 * visible matches. With filters, up to SEARCH_AMONG_FILTERED_MAX engagements passing them are
 * ranked alone; more than that, matches are read in rank order and checked a batch at a time.
 */
export async function searchMatches (prisma: PrismaClient, tsquery: string, scopes: readonly TokenScope[], filters: Prisma.EngagementWhereInput[], count: number, start?: RankedMatch): Promise<RankedMatch[]> {
  if (filters.length === 0) return rankedMatches(prisma, tsquery, { visibleTo: scopes, after: start, limit: count })
  const filtered = await prisma.engagement.findMany({ where: { AND: [visibleEngagements(scopes), ...filters] }, select: { id: true }, take: SEARCH_AMONG_FILTERED_MAX + 1 })
  if (filtered.length <= SEARCH_AMONG_FILTERED_MAX) return rankedMatches(prisma, tsquery, { among: filtered.map((row) => row.id), after: start, limit: count })
  return firstPassing(count, start, (after, size) => rankedMatches(prisma, tsquery, { visibleTo: scopes, after, limit: size }), async (ids) => {
    const passing = await prisma.engagement.findMany({ where: { AND: [...filters, { id: { in: ids } }] }, select: { id: true } })
    return new Set(passing.map((row) => row.id))
  }, SEARCH_AMONG_FILTERED_MAX)
}

async function searchEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery> & { q: string }, scopes: readonly TokenScope[], filters: Prisma.EngagementWhereInput[], limit: number) {
  const tsquery = prefixSearchQuery(query.q, '/query/q')
  let start: RankedMatch | undefined
  if (query.cursor !== undefined) {
    const [rank, startsAt, id] = decodeCursor(query.cursor, [isRank, isValidInstant, isUuid]) as [string, string, string]
    start = { rank: Number(rank), startsAt: new Date(startsAt), id }
  }
  const matches = await searchMatches(prisma, tsquery, scopes, filters, limit + 1, start)
  const page = matches.slice(0, limit)
  const rows = await engagementRowsByIds(prisma, page.map((match) => match.id))
  const last = page.at(-1)
  return {
    data: inOrderOf(page, rows).map((row) => presentEngagement(row, query.tz, query.lang)),
    nextCursor: matches.length > limit && last !== undefined ? encodeCursor([String(last.rank), last.startsAt.toISOString(), last.id]) : null
  }
}

export async function listEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery>, scopes: readonly TokenScope[], visitId?: string) {
  const limit = pageSize(query.limit, 50)
  const filters = await queryFilters(prisma, query, scopes, visitId)
  if (query.q !== undefined) return searchEngagements(prisma, { ...query, q: query.q }, scopes, filters, limit)
  filters.push(visibleEngagements(scopes))
  if (query.cursor !== undefined) {
    const [startsAt, id] = decodeCursor(query.cursor, [isValidInstant, isUuid]) as [string, string]
    filters.push({
      // Implied by the OR, but Postgres only starts its index scan at the cursor when told so
      // plainly; without it a page deep in the list reads every row before it (bench/RESULTS.md).
      startsAt: { gte: new Date(startsAt) },
      OR: [
        { startsAt: { gt: new Date(startsAt) } },
        { startsAt: new Date(startsAt), id: { gt: id } }
      ]
    })
  }

  // The page's ids through Prisma, then the page with its relations in one statement (bench/RESULTS.md).
  const ids = await prisma.engagement.findMany({
    where: { AND: filters },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    select: { id: true }
  })
  const rows = await engagementRowsByIds(prisma, ids.map((row) => row.id))
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => presentEngagement(row, query.tz, query.lang)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.startsAt.toISOString(), last.id]) : null
  }
}

/**
 * What is going on in a visit at `at` (as the list's `at` filter) and the first engagement to
 * start after it. One whose time is not announced yet (tbd) is never the next: its start is not known.
 */
export async function engagementsAround (prisma: PrismaClient, visitId: string, at: Date, scopes: readonly TokenScope[]) {
  const ofVisit = [{ visitId }, visibleEngagements(scopes)]
  const order = [{ startsAt: 'asc' as const }, { id: 'asc' as const }]
  const [current, next] = await Promise.all([
    prisma.engagement.findMany({ where: { AND: [...ofVisit, happeningAt(at)] }, orderBy: order, select: { id: true } }),
    prisma.engagement.findFirst({ where: { AND: [...ofVisit, { startsAt: { gt: at }, precision: { not: 'tbd' } }] }, orderBy: order, select: { id: true } })
  ])
  const rows = await engagementRowsByIds(prisma, [...current.map((row) => row.id), ...(next === null ? [] : [next.id])])
  return { current: rows.filter((row) => row.id !== next?.id), next: rows.find((row) => row.id === next?.id) ?? null }
}

/** Every engagement of a visit these scopes may see, in chronological order, for its itinerary. */
export async function engagementsOfVisit (prisma: PrismaClient, visitId: string, scopes: readonly TokenScope[]): Promise<EngagementRow[]> {
  // One statement with the relations built in Postgres instead of one per relation (bench/RESULTS.md).
  return engagementRowsOfVisit(prisma, visitId, scopes)
}

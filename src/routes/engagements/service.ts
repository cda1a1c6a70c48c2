import type { Static } from 'typebox'
import { recordChange, recordChanges } from '../../db/changes.js'
import type { PrismaClient } from '../../db/client.js'
import { fromDbDate, toDbDate } from '../../db/dates.js'
import { engagementRowsByIds, engagementRowsOfVisit } from '../../db/itinerary-engagements.js'
import { rankedMatches, writeSearchDocument, type RankedMatch } from '../../db/search.js'
import { canReadEmbargoed, type TokenScope } from '../../domain/access.js'
import type { ChangeAuthor } from '../../domain/changes.js'
import { decodeCursor, encodeCursor, pageSize } from '../../domain/cursor.js'
import { literalLikePattern } from '../../domain/like-pattern.js'
import { InputError } from '../../domain/errors.js'
import { isUuid, participantNameKey } from '../../domain/identifiers.js'
import { canonicalTranslations, storedTranslations, translate } from '../../domain/languages.js'
import { firstPassing, inOrderOf } from '../../domain/filtered-pages.js'
import { localDayBounds } from '../../domain/local-day.js'
import { prefixSearchQuery } from '../../domain/search.js'
import { describeTimeWindow, resolveTimeWindow, type ResolvedTimeWindow } from '../../domain/time-window.js'
import { isValidInstant } from '../../domain/time-zones.js'
import type { Leg as LegRow, Prisma, Visit as VisitRow } from '../../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../../preconditions.js'
import { notFound } from '../../problems.js'
import { findVisitOrNull } from '../visits/service.js'
import { EmbeddedChanges } from './embedded-changes.js'
import { participantRows, upsertVenue, type ParticipantInput } from './shared-records.js'
import type {
  Engagement, EngagementCreate, EngagementListQuery, EngagementPatch
} from '../../schemas/engagements.js'
import {
  Confirmations, EngagementKinds, Precisions, PressAccessLevels, ScheduleStatuses, SourceKinds
} from '../../schemas/engagements.js'

export type EngagementView = Static<typeof Engagement>
type EngagementInput = Static<typeof EngagementCreate>
type SourceInput = NonNullable<EngagementInput['sources']>[number]

// Only the columns presentEngagement shows: every column Prisma reads it also maps, per row.
export const engagementInclude = {
  venue: { select: { id: true, name: true, nameTranslations: true, city: true, country: true, address: true, latitude: true, longitude: true } },
  participants: {
    select: {
      participantId: true,
      role: true,
      title: true,
      organisation: true,
      participant: { select: { name: true, nameTranslations: true, country: true } }
    },
    orderBy: { position: 'asc' }
  },
  sources: { select: { url: true, title: true, kind: true, publisher: true, publishedAt: true }, orderBy: { position: 'asc' } }
} satisfies Prisma.EngagementInclude

export type EngagementRow = Prisma.EngagementGetPayload<{ include: typeof engagementInclude }>

/** A translated text and, when a language was asked for, the original under `originalKey`. */
function localized<K extends string> (original: string, translations: unknown, language: string | undefined, originalKey: K) {
  const text = translate(original, storedTranslations(translations), language)
  return { text, original: (language === undefined ? {} : { [originalKey]: original }) as Partial<Record<K, string>> }
}

/** An engagement's venue as the API shows it (see presentEngagement). */
export function presentVenue (venue: EngagementRow['venue'], language?: string): EngagementView['venue'] {
  if (venue === null) return null
  const name = localized(venue.name, venue.nameTranslations, language, 'originalName')
  return {
    id: venue.id,
    name: name.text,
    ...name.original,
    nameTranslations: storedTranslations(venue.nameTranslations),
    city: venue.city,
    country: venue.country,
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude
  }
}

/** An engagement's participants as the API shows them (see presentEngagement). */
export function presentParticipants (participants: EngagementRow['participants'], language?: string): EngagementView['participants'] {
  return participants.map((item) => {
    const name = localized(item.participant.name, item.participant.nameTranslations, language, 'originalName')
    return {
      participantId: item.participantId,
      name: name.text,
      ...name.original,
      role: item.role,
      title: item.title,
      organisation: item.organisation,
      country: item.participant.country
    }
  })
}

/**
 * The engagement as the API shows it. With `viewerTimeZone`, also its times on the reader's clock;
 * with `language`, titles and names in that language where translated, each original beside it.
 */
export function presentEngagement (row: EngagementRow, viewerTimeZone?: string, language?: string): EngagementView {
  const { time, viewer } = describeTimeWindow({
    timeZone: row.timeZone,
    precision: row.precision,
    partOfDay: row.partOfDay,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    localDate: fromDbDate(row.localDate),
    label: row.timeLabel
  }, viewerTimeZone)
  const title = localized(row.title, row.titleTranslations, language, 'originalTitle')
  return {
    id: row.id,
    visitId: row.visitId,
    legId: row.legId,
    title: title.text,
    ...title.original,
    titleTranslations: storedTranslations(row.titleTranslations),
    kind: row.kind,
    status: row.status,
    confirmation: row.confirmation,
    announcedAt: row.announcedAt?.toISOString() ?? null,
    pressAccess: row.pressAccess,
    time,
    ...(viewer === undefined ? {} : { viewer }),
    venue: presentVenue(row.venue, language),
    participants: presentParticipants(row.participants, language),
    description: row.description,
    sources: row.sources.map((source) => ({
      url: source.url,
      title: source.title,
      kind: source.kind,
      publisher: source.publisher,
      publishedAt: source.publishedAt?.toISOString() ?? null
    })),
    embargoUntil: row.embargoUntil?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}

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
  const engagement = await prisma.engagement.findFirst({ where: { AND: [{ id }, visibleEngagements(scopes)] }, include: engagementInclude })
  if (engagement === null) throw notFound(`No engagement has the id "${id}".`)
  return engagement
}

async function findLegOfVisit (prisma: PrismaClient, visitId: string, legId: string): Promise<LegRow> {
  const leg = await prisma.leg.findUnique({ where: { id: legId } })
  if (leg === null || leg.visitId !== visitId) {
    throw new InputError('unprocessable', `Leg ${legId} is not a leg of this visit; list the visit's legs in its itinerary.`, [
      { path: '/body/legId', message: 'must be the id of a leg of the same visit' }
    ])
  }
  return leg
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

/**
 * Creates the engagement with its venue, participants and sources in one transaction, which
 * also reads it back whole for its change record and the response.
 */
export async function createEngagement (prisma: PrismaClient, visit: VisitRow, input: EngagementInput, author: ChangeAuthor, options: { id?: string } = {}): Promise<EngagementRow> {
  const leg = input.legId === undefined ? null : await findLegOfVisit(prisma, visit.id, input.legId)
  const time = resolveTimeWindow(input.time, { defaultTimeZone: leg?.timeZone, undatedWindow: datesOf(leg ?? visit), path: '/body/time' })
  const participants = input.participants ?? []
  checkParticipantsAreDistinct(participants)

  return prisma.$transaction(async (tx) => {
    const embedded = new EmbeddedChanges()
    const venueId = input.venue === undefined ? null : await upsertVenue(tx, input.venue, '/body/venue', embedded)
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
        venueId,
        description: input.description ?? null,
        embargoUntil: input.embargoUntil === undefined ? null : new Date(input.embargoUntil),
        participants: { createMany: { data: await participantRows(tx, participants, embedded) } },
        sources: { createMany: { data: sourceRows(input.sources ?? []) } }
      },
      include: engagementInclude
    })
    await writeSearchDocument(tx, created.id)
    await recordChanges(tx, author, [
      { entity: 'engagement', before: null, after: presentEngagement(created) },
      ...await embedded.changedEngagements(tx)
    ])
    return created
  })
}

async function currentVersion (prisma: PrismaClient | Prisma.TransactionClient, id: string) {
  return prisma.engagement.findUnique({ where: { id }, select: { version: true } })
}

/**
 * Applies a patch if the engagement is still at one of `expectedVersions` (the client's If-Match);
 * lists (participants, sources) are replaced whole, in one transaction. The shared venue and
 * people come first: every writer locks shared rows before engagements, so two writers changing
 * one venue through different engagements queue instead of deadlocking. Then the version is bumped
 * conditionally, on the version the checks below read: a stale writer's transaction is undone,
 * and the row stays locked against other writers until the transaction ends.
 */
export async function updateEngagement (prisma: PrismaClient, engagement: EngagementRow, patch: Static<typeof EngagementPatch>, expectedVersions: readonly number[], author: ChangeAuthor): Promise<EngagementRow> {
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

  return prisma.$transaction(async (tx) => {
    const embedded = new EmbeddedChanges(engagement.id)
    let venueId: string | null | undefined
    if (patch.venue !== undefined) venueId = patch.venue === null ? null : await upsertVenue(tx, patch.venue, '/body/venue', embedded)
    const participants = patch.participants === undefined ? undefined : await participantRows(tx, patch.participants, embedded)
    const { count } = await tx.engagement.updateMany({
      where: { id: engagement.id, version: engagement.version },
      data: { version: { increment: 1 } }
    })
    if (count === 0) throw staleOrGone('engagement', await currentVersion(tx, engagement.id))
    if (patch.participants !== undefined) await tx.engagementParticipant.deleteMany({ where: { engagementId: engagement.id } })
    if (patch.sources !== undefined) await tx.source.deleteMany({ where: { engagementId: engagement.id } })
    const updated = await tx.engagement.update({
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
        venueId,
        description: patch.description,
        embargoUntil: patch.embargoUntil === undefined || patch.embargoUntil === null ? patch.embargoUntil : new Date(patch.embargoUntil),
        participants: participants === undefined ? undefined : { createMany: { data: participants } },
        sources: patch.sources === undefined ? undefined : { createMany: { data: sourceRows(patch.sources) } }
      },
      include: engagementInclude
    })
    await writeSearchDocument(tx, engagement.id)
    await recordChanges(tx, author, [
      { entity: 'engagement', before: presentEngagement(engagement), after: presentEngagement(updated) },
      ...await embedded.changedEngagements(tx)
    ])
    return updated
  })
}

/** Deletes the engagement (its participants and sources go with it) if it is still at one of `expectedVersions`. */
export async function deleteEngagement (prisma: PrismaClient, engagement: EngagementRow, expectedVersions: readonly number[], author: ChangeAuthor): Promise<void> {
  checkVersion('engagement', engagement.version, expectedVersions)
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.engagement.deleteMany({ where: { id: engagement.id, version: engagement.version } })
    if (count === 0) throw staleOrGone('engagement', await currentVersion(tx, engagement.id))
    await recordChange(tx, author, 'engagement', presentEngagement(engagement), null)
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
export async function queryFilters (prisma: PrismaClient, query: EngagementFilterQuery, visitId?: string): Promise<Prisma.EngagementWhereInput[]> {
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
  if (query.participant !== undefined) {
    // The name is resolved to an id first: with the id as a value, Postgres knows from its
    // statistics how many engagements the person has and walks the page in order, instead of
    // reading every engagement of a head of state to sort them (bench/RESULTS.md).
    const participantId = isUuid(query.participant)
      ? query.participant
      : (await prisma.participant.findUnique({ where: { nameKey: participantNameKey(query.participant) }, select: { id: true } }))?.id
    filters.push(participantId === undefined ? { id: { in: [] } } : { participants: { some: { participantId } } })
  }
  return filters
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
  const filters = await queryFilters(prisma, query, visitId)
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
    prisma.engagement.findMany({ where: { AND: [...ofVisit, happeningAt(at)] }, orderBy: order, include: engagementInclude }),
    prisma.engagement.findFirst({ where: { AND: [...ofVisit, { startsAt: { gt: at }, precision: { not: 'tbd' } }] }, orderBy: order, include: engagementInclude })
  ])
  return { current, next }
}

/** Every engagement of a visit these scopes may see, in chronological order, for its itinerary. */
export async function engagementsOfVisit (prisma: PrismaClient, visitId: string, scopes: readonly TokenScope[]): Promise<EngagementRow[]> {
  // One statement with the relations built in Postgres instead of one per relation (bench/RESULTS.md).
  return engagementRowsOfVisit(prisma, visitId, scopes)
}

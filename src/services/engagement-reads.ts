import type { Static } from 'typebox'
import type { PrismaClient } from '../db/client.js'
import { engagementRowsByIds, visibleEngagementRow, type EngagementRow } from '../db/engagement-rows.js'
import { rankedMatches, type RankedMatch } from '../db/search.js'
import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { decodeCursor, encodeCursor, pageSize } from '../domain/cursor.js'
import { toDbDate } from '../domain/date-columns.js'
import { InputError } from '../domain/errors.js'
import { firstPassing, inOrderOf } from '../domain/filtered-pages.js'
import { isUuid, participantNameKey } from '../domain/identifiers.js'
import { literalLikePattern } from '../domain/like-pattern.js'
import { localDayBounds } from '../domain/local-day.js'
import { prefixSearchQuery } from '../domain/search.js'
import { requireSupportedInstants } from '../domain/time-range.js'
import { PRECISIONS } from '../domain/time-window.js'
import { isValidInstant } from '../domain/time-zones.js'
import type { Prisma, Visit as VisitRow } from '../generated/prisma/client.js'
import { presentEngagement, type EngagementView } from '../presenters/engagements.js'
import { notFound } from '../problems.js'
import {
  Confirmations, EngagementKinds, PressAccessLevels, ScheduleStatuses, SourceKinds, type EngagementListQuery
} from '../schemas/engagements.js'
import { findVisitOrNull } from './visits.js'

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

/** The engagement as these scopes may see it, with `viewer` times in `viewerTimeZone` when given. */
export async function getEngagement (prisma: PrismaClient, id: string, scopes: readonly TokenScope[], viewerTimeZone?: string, language?: string): Promise<EngagementView> {
  return presentEngagement(await findEngagement(prisma, id, scopes), viewerTimeZone, language)
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
 * What the query's filters ask for, to AND together, `visit` given as the id `visitId`: the JSON
 * list pages through them, the calendar feed takes them all. `q` is not among them: a search is
 * ranked, in SQL, under these filters (searchMatches). Nor is the embargo rule: every read adds
 * visibleEngagements (or, in SQL, visibleEngagementsSql) itself.
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
  if (query.precision !== undefined) filters.push({ precision: { in: parseList(query.precision, PRECISIONS, 'precision') } })
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

/** A page of the engagements these scopes may see that the query asks for; `visit` is an id or a slug. */
export async function listEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery>, scopes: readonly TokenScope[]) {
  const visitId = query.visit === undefined ? undefined : (await visitOfFilter(prisma, query.visit)).id
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

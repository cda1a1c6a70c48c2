import type { Static } from 'typebox'
import type { PrismaClient } from '../db/client.js'
import { engagementRowsByIds, visibleEngagementRow, type EngagementRow } from '../db/engagement-rows.js'
import {
  engagementConditions, engagementIdPage, searchMatches,
  type ChronologicalPosition, type EngagementConditions, type EngagementFilter
} from '../db/engagement-lists.js'
import type { RankedMatch } from '../db/search.js'
import { findVisitRow } from '../db/visits.js'
import type { TokenScope } from '../domain/access.js'
import { decodeCursor, encodeCursor, pageSize } from '../domain/cursor.js'
import { InputError } from '../domain/errors.js'
import { inOrderOf } from '../domain/filtered-pages.js'
import { isUuid } from '../domain/identifiers.js'
import { localDayBounds } from '../domain/local-day.js'
import { prefixSearchQuery } from '../domain/search.js'
import { requireSupportedInstants } from '../domain/time-range.js'
import { PRECISIONS } from '../domain/time-window.js'
import { isValidInstant } from '../domain/time-zones.js'
import type { Visit as VisitRow } from '../generated/prisma/client.js'
import { presentEngagement, type EngagementView } from '../presenters/engagements.js'
import { notFound } from '../problems.js'
import {
  Confirmations, EngagementKinds, PressAccessLevels, ScheduleStatuses, SourceKinds, type EngagementListQuery
} from '../schemas/engagements.js'

/**
 * The engagement if these scopes may see it. An embargoed one gets the same 404 as a missing
 * one, for reads and for writes alike, so neither reveals that it exists.
 */
export async function findEngagement (prisma: PrismaClient, id: string, scopes: readonly TokenScope[]): Promise<EngagementRow> {
  const engagement = await visibleEngagementRow(prisma, id, scopes)
  if (engagement === null) throw notFound(`No engagement has the id "${id}".`)
  return engagement
}

export interface EngagementRead {
  prisma: PrismaClient
  id: string
  scopes: readonly TokenScope[]
  /** The reader's zone, for the `viewer` times. */
  viewerTimeZone?: string
  /** The language to show texts in, when translated. */
  language?: string
}

/** The engagement as these scopes may see it, with `viewer` times in `viewerTimeZone` when given. */
export async function getEngagement ({ prisma, id, scopes, viewerTimeZone, language }: EngagementRead): Promise<EngagementView> {
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

/** A list query without its paging: the filters, which the calendar feed shares with the JSON list. */
export type EngagementFilterQuery = Omit<Static<typeof EngagementListQuery>, 'cursor' | 'limit'>

/**
 * The visit a list's `visit` filter names. An unknown one is a mistake in the filter, not an
 * empty schedule: a 400 that says so.
 */
export async function visitOfFilter (prisma: PrismaClient, visit: string): Promise<VisitRow> {
  const row = await findVisitRow(prisma, visit)
  if (row === null) {
    throw new InputError('invalid', `No visit has the id or slug "${visit}".`, [
      { path: '/query/visit', message: 'must be the id or slug of an existing visit' }
    ])
  }
  return row
}

/**
 * What the query's filters ask for, checked, `visit` given as the id `visitId`: the JSON list
 * pages through them, the calendar feed takes them all. `q` is not among them: a search is
 * ranked, in SQL, under these conditions (searchMatches).
 */
export async function queryConditions (prisma: PrismaClient, query: EngagementFilterQuery, scopes: readonly TokenScope[], visitId?: string): Promise<EngagementConditions> {
  const filter: EngagementFilter = { visitId }
  if (query.from !== undefined || query.to !== undefined) {
    filter.from = query.from === undefined ? undefined : new Date(query.from)
    filter.to = query.to === undefined ? undefined : new Date(query.to)
    if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) {
      throw new InputError('invalid', `to (${query.to}) must be after from (${query.from}).`, [
        { path: '/query/to', message: 'must be after from' }
      ])
    }
  }
  if (query.date !== undefined) {
    if (query.tz === undefined) {
      filter.localDate = query.date
    } else {
      filter.day = localDayBounds(query.date, query.tz)
      requireSupportedInstants([filter.day.start, filter.day.end], 'invalid', '/query/date', `date ${query.date} in ${query.tz}`)
    }
  }
  if (query.at !== undefined) filter.at = new Date(query.at)
  filter.city = query.city
  filter.country = query.country
  if (query.kind !== undefined) filter.kinds = parseList(query.kind, EngagementKinds, 'kind')
  if (query.status !== undefined) filter.statuses = parseList(query.status, ScheduleStatuses, 'status')
  if (query.precision !== undefined) filter.precisions = parseList(query.precision, PRECISIONS, 'precision')
  if (query.confirmation !== undefined) filter.confirmations = parseList(query.confirmation, Confirmations, 'confirmation')
  if (query.pressAccess !== undefined) filter.pressAccess = parseList(query.pressAccess, PressAccessLevels, 'pressAccess')
  if (query.sourceKind !== undefined) filter.sourceKinds = parseList(query.sourceKind, SourceKinds, 'sourceKind')
  if (query.announcedSince !== undefined) filter.announcedSince = new Date(query.announcedSince)
  filter.participant = query.participant
  return engagementConditions(prisma, filter, scopes)
}

const isRank = (value: string) => /^\d+(\.\d+)?(e-?\d+)?$/.test(value)

async function searchEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery> & { q: string }, scopes: readonly TokenScope[], conditions: EngagementConditions, limit: number) {
  const tsquery = prefixSearchQuery(query.q, '/query/q')
  let after: RankedMatch | undefined
  if (query.cursor !== undefined) {
    const [rank, startsAt, id] = decodeCursor(query.cursor, [isRank, isValidInstant, isUuid]) as [string, string, string]
    after = { rank: Number(rank), startsAt: new Date(startsAt), id }
  }
  const matches = await searchMatches(prisma, { tsquery, scopes, conditions, limit: limit + 1, after })
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
  const conditions = await queryConditions(prisma, query, scopes, visitId)
  if (query.q !== undefined) return searchEngagements(prisma, { ...query, q: query.q }, scopes, conditions, limit)
  let after: ChronologicalPosition | undefined
  if (query.cursor !== undefined) {
    const [startsAt, id] = decodeCursor(query.cursor, [isValidInstant, isUuid]) as [string, string]
    after = { startsAt: new Date(startsAt), id }
  }
  // The page's ids through Prisma, then the page with its relations in one statement (bench/RESULTS.md).
  const ids = await engagementIdPage(prisma, { conditions, scopes, after, limit: limit + 1 })
  const rows = await engagementRowsByIds(prisma, ids)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => presentEngagement(row, query.tz, query.lang)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.startsAt.toISOString(), last.id]) : null
  }
}

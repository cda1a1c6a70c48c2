// Which engagements a list, a search, a calendar feed or a live view shows: the request's filters
// as Prisma conditions, and the ids they select, in the order each shows them.
import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { toDbDate } from '../domain/date-columns.js'
import { firstPassing } from '../domain/filtered-pages.js'
import { isUuid, participantNameKey } from '../domain/identifiers.js'
import { literalLikePattern } from '../domain/like-pattern.js'
import type {
  Confirmation, EngagementKind, Prisma, PressAccess, ScheduleStatus, SourceKind, TimePrecision
} from '../generated/prisma/client.js'
import type { Db } from './client.js'
import { engagementRowsByIds, type EngagementRow } from './engagement-rows.js'
import { findPublishedPerson } from './participants.js'
import { rankedMatches, type RankedMatch } from './search.js'
import { visibleEngagements } from './visibility.js'

/**
 * What a list of engagements (or a calendar feed) is narrowed to; every field given narrows it,
 * instants as the request gave them, already checked.
 */
export interface EngagementFilter {
  visitId?: string
  /** Engagements whose window overlaps [from, to); either bound may be open. */
  from?: Date
  to?: Date
  /** Engagements on this local date in their own zone. */
  localDate?: string
  /** Engagements whose window overlaps this span: a local day in the reader's zone. */
  day?: { start: Date, end: Date }
  /** Engagements going on at this instant. */
  at?: Date
  /** The venue's city (case ignored), or the leg's when the engagement has no venue. */
  city?: string
  /** The venue's country, or the leg's when the engagement has no venue. */
  country?: string
  kinds?: EngagementKind[]
  statuses?: ScheduleStatus[]
  precisions?: TimePrecision[]
  confirmations?: Confirmation[]
  pressAccess?: PressAccess[]
  /** Engagements citing at least one source of these kinds. */
  sourceKinds?: SourceKind[]
  announcedSince?: Date
  /** A person's id, or a name as participantNameKey compares names. */
  participant?: string
}

/** A filter as the where-conditions to AND together; what engagementIdPage and searchMatches take. */
export type EngagementConditions = Prisma.EngagementWhereInput[]

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
async function idsOverlapping (db: Db, start: Date, end: Date): Promise<string[]> {
  const rows = await db.engagement.findMany({ where: overlapping(start, end), select: { id: true } })
  return rows.map((row) => row.id)
}

/** Matches the venue's city or country, or the leg's when the engagement has no venue. */
function placeFilter (field: 'city' | 'country', value: string): Prisma.EngagementWhereInput {
  const match = field === 'city' ? { city: { equals: literalLikePattern(value), mode: 'insensitive' as const } } : { country: value }
  return { OR: [{ venue: match }, { venueId: null, leg: match }] }
}

/**
 * The engagements of a person named by id or by name. The name is resolved to an id first: with
 * the id as a value, Postgres knows from its statistics how many engagements the person has and
 * walks the page in order, instead of reading every engagement of a head of state to sort them
 * (bench/RESULTS.md). With read:embargoed, engagements under embargo that name a person nobody has
 * published yet (their drafts) are found by the same name.
 */
async function participantFilter (db: Db, participant: string, scopes: readonly TokenScope[]): Promise<Prisma.EngagementWhereInput> {
  if (isUuid(participant)) return { participants: { some: { participantId: participant } } }
  const nameKey = participantNameKey(participant)
  const published = await findPublishedPerson(db, { nameKey })
  const byId: Prisma.EngagementParticipantWhereInput[] = published === null ? [] : [{ participantId: published.id }]
  const drafts: Prisma.EngagementParticipantWhereInput[] = canReadEmbargoed(scopes) ? [{ participant: { nameKey, draftOf: { not: null } } }] : []
  const either = [...byId, ...drafts]
  if (either.length === 0) return { id: { in: [] } }
  return { participants: { some: either.length === 1 ? either[0] : { OR: either } } }
}

/**
 * The filter as conditions. Not the embargo rule: every read adds visibleEngagements (or, in
 * SQL, visibleEngagementsSql) itself; `scopes` only say whether a name finds people's drafts.
 */
export async function engagementConditions (db: Db, filter: EngagementFilter, scopes: readonly TokenScope[]): Promise<EngagementConditions> {
  const conditions: EngagementConditions = []
  if (filter.visitId !== undefined) conditions.push({ visitId: filter.visitId })
  if (filter.from !== undefined || filter.to !== undefined) conditions.push(overlapping(filter.from, filter.to))
  if (filter.localDate !== undefined) conditions.push({ localDate: toDbDate(filter.localDate) })
  if (filter.day !== undefined) conditions.push({ id: { in: await idsOverlapping(db, filter.day.start, filter.day.end) } })
  if (filter.at !== undefined) conditions.push(happeningAt(filter.at))
  if (filter.city !== undefined) conditions.push(placeFilter('city', filter.city))
  if (filter.country !== undefined) conditions.push(placeFilter('country', filter.country))
  if (filter.kinds !== undefined) conditions.push({ kind: { in: filter.kinds } })
  if (filter.statuses !== undefined) conditions.push({ status: { in: filter.statuses } })
  if (filter.precisions !== undefined) conditions.push({ precision: { in: filter.precisions } })
  if (filter.confirmations !== undefined) conditions.push({ confirmation: { in: filter.confirmations } })
  if (filter.pressAccess !== undefined) conditions.push({ pressAccess: { in: filter.pressAccess } })
  if (filter.sourceKinds !== undefined) conditions.push({ sources: { some: { kind: { in: filter.sourceKinds } } } })
  if (filter.announcedSince !== undefined) conditions.push({ announcedAt: { gte: filter.announcedSince } })
  if (filter.participant !== undefined) conditions.push(await participantFilter(db, filter.participant, scopes))
  return conditions
}

/** Where a page of engagements in chronological order starts: after this one. */
export interface ChronologicalPosition {
  startsAt: Date
  id: string
}

/**
 * The ids of up to `limit` engagements these scopes may see that meet the conditions, after
 * `after` when given, in chronological order (start, then id).
 */
export async function engagementIdPage (db: Db, page: { conditions: EngagementConditions, scopes: readonly TokenScope[], after?: ChronologicalPosition, limit: number }): Promise<string[]> {
  const { after } = page
  const where: EngagementConditions = [...page.conditions, visibleEngagements(page.scopes)]
  if (after !== undefined) {
    where.push({
      // Implied by the OR, but Postgres only starts its index scan at the cursor when told so
      // plainly; without it a page deep in the list reads every row before it (bench/RESULTS.md).
      startsAt: { gte: after.startsAt },
      OR: [
        { startsAt: { gt: after.startsAt } },
        { startsAt: after.startsAt, id: { gt: after.id } }
      ]
    })
  }
  const rows = await db.engagement.findMany({
    where: { AND: where },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: page.limit,
    select: { id: true }
  })
  return rows.map((row) => row.id)
}

// Up to this many engagements meeting a search's other conditions, the search ranks just those.
const SEARCH_AMONG_FILTERED_MAX = 1000

/** A full-text search of the engagements: see searchMatches. */
export interface EngagementSearch {
  /** What prefixSearchQuery made of the request's q. */
  tsquery: string
  scopes: readonly TokenScope[]
  /** The request's other filters, which every match meets. */
  conditions: EngagementConditions
  limit: number
  /** Where the previous page ended, in search order. */
  after?: RankedMatch
}

/**
 * The first `limit` matches of a search after `after`, in search order, among the engagements
 * these scopes may see that meet the conditions. Without conditions, one statement ranks the
 * visible matches. With conditions, up to SEARCH_AMONG_FILTERED_MAX engagements meeting them are
 * ranked alone; more than that, matches are read in rank order and checked a batch at a time.
 */
export async function searchMatches (db: Db, search: EngagementSearch): Promise<RankedMatch[]> {
  const { tsquery, scopes, conditions, limit, after } = search
  if (conditions.length === 0) return rankedMatches(db, tsquery, { visibleTo: scopes, after, limit })
  const filtered = await db.engagement.findMany({ where: { AND: [visibleEngagements(scopes), ...conditions] }, select: { id: true }, take: SEARCH_AMONG_FILTERED_MAX + 1 })
  if (filtered.length <= SEARCH_AMONG_FILTERED_MAX) return rankedMatches(db, tsquery, { among: filtered.map((row) => row.id), after, limit })
  return firstPassing(limit, after, (from, size) => rankedMatches(db, tsquery, { visibleTo: scopes, after: from, limit: size }), async (ids) => {
    const meeting = await db.engagement.findMany({ where: { AND: [...conditions, { id: { in: ids } }] }, select: { id: true } })
    return new Set(meeting.map((row) => row.id))
  }, SEARCH_AMONG_FILTERED_MAX)
}

/**
 * What is going on in a visit at `at` (as the list's `at` filter) and the first engagement to
 * start after it, among those these scopes may see. One whose time is not announced yet (tbd)
 * is never the next: its start is not known.
 */
export async function engagementRowsAround (db: Db, visitId: string, at: Date, scopes: readonly TokenScope[]): Promise<{ current: EngagementRow[], next: EngagementRow | null }> {
  const ofVisit = [{ visitId }, visibleEngagements(scopes)]
  const order = [{ startsAt: 'asc' as const }, { id: 'asc' as const }]
  const [current, next] = await Promise.all([
    db.engagement.findMany({ where: { AND: [...ofVisit, happeningAt(at)] }, orderBy: order, select: { id: true } }),
    db.engagement.findFirst({ where: { AND: [...ofVisit, { startsAt: { gt: at }, precision: { not: 'tbd' } }] }, orderBy: order, select: { id: true } })
  ])
  const rows = await engagementRowsByIds(db, [...current.map((row) => row.id), ...(next === null ? [] : [next.id])])
  return { current: rows.filter((row) => row.id !== next?.id), next: rows.find((row) => row.id === next?.id) ?? null }
}

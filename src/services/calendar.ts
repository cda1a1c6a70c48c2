import type { PrismaClient } from '../db/client.js'
import { engagementRowsByIds } from '../db/engagement-rows.js'
import { engagementIdPage, searchMatches } from '../db/engagement-lists.js'
import type { TokenScope } from '../domain/access.js'
import { MAX_CALENDAR_EVENTS, buildCalendar } from '../domain/calendar.js'
import { InputError } from '../domain/errors.js'
import { prefixSearchQuery } from '../domain/search.js'
import { presentEngagement } from '../presenters/engagements.js'
import { queryConditions, visitOfFilter, type EngagementFilterQuery } from './engagement-reads.js'
import { findVisit } from './visits.js'

/** An iCalendar feed and the name of the file it is served as. */
export interface CalendarFeed {
  filename: string
  ics: string
}

/** Where an engagement's own page is, for the links in its event. */
export type EngagementUrl = (id: string) => string

/**
 * The ids of the matching engagements, all of them, as the JSON list filters them (a search `q`
 * included); more than the cap is a 422.
 */
async function idsFor (prisma: PrismaClient, query: EngagementFilterQuery, scopes: readonly TokenScope[], visitId?: string): Promise<string[]> {
  const conditions = await queryConditions(prisma, query, scopes, visitId)
  const limit = MAX_CALENDAR_EVENTS + 1
  const ids = query.q === undefined
    ? await engagementIdPage(prisma, { conditions, scopes, limit })
    : (await searchMatches(prisma, { tsquery: prefixSearchQuery(query.q, '/query/q'), scopes, conditions, limit })).map((match) => match.id)
  if (ids.length > MAX_CALENDAR_EVENTS) {
    throw new InputError('unprocessable', `More than ${MAX_CALENDAR_EVENTS} engagements match, the most a calendar feed holds; ` +
      'narrow the query with from and to, visit or other filters. A feed is never cut short silently.', [
      { path: '/query', message: `matches more than ${MAX_CALENDAR_EVENTS} engagements` }
    ])
  }
  return ids
}

/** The engagements, in chronological order, as the JSON list shows them. */
async function engagementsFor (prisma: PrismaClient, query: EngagementFilterQuery, scopes: readonly TokenScope[], visitId?: string) {
  const rows = await engagementRowsByIds(prisma, await idsFor(prisma, query, scopes, visitId))
  return rows.map((row) => presentEngagement(row, undefined, query.lang))
}

/** Every engagement of a visit these scopes may see, as a feed to subscribe to. */
export async function visitCalendar (prisma: PrismaClient, visitIdOrSlug: string, scopes: readonly TokenScope[], engagementUrl: EngagementUrl): Promise<CalendarFeed> {
  const visit = await findVisit(prisma, visitIdOrSlug)
  const engagements = await engagementsFor(prisma, {}, scopes, visit.id)
  return {
    filename: `${visit.slug}.ics`,
    ics: buildCalendar({
      name: visit.title,
      description: `${visit.title}: every engagement at the local time where it happens; approximate times are marked.`,
      engagementUrl
    }, engagements)
  }
}

/** The engagements GET /v1/engagements would list with these filters, all of them in one feed. */
export async function engagementCalendar (prisma: PrismaClient, query: EngagementFilterQuery, scopes: readonly TokenScope[], engagementUrl: EngagementUrl): Promise<CalendarFeed> {
  const visit = query.visit === undefined ? null : await visitOfFilter(prisma, query.visit)
  const engagements = await engagementsFor(prisma, query, scopes, visit?.id)
  const filters = Object.entries(query).filter(([name]) => name !== 'visit').map(([name, value]) => `${name}=${String(value)}`).sort()
  const scope = visit === null ? 'Engagements' : visit.title
  return {
    filename: 'engagements.ics',
    ics: buildCalendar({
      name: filters.length === 0 ? scope : `${scope} (${filters.join(', ')})`,
      description: `${scope}${filters.length === 0 ? '' : `, filtered by ${filters.join(', ')}`}: ` +
        'each engagement at the local time where it happens; approximate times are marked.',
      engagementUrl
    }, engagements)
  }
}

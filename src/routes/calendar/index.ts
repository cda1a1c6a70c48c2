import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { engagementRowsByIds } from '../../db/engagement-rows.js'
import {
  CALENDAR_REFRESH_SECONDS, MAX_CALENDAR_EVENTS, buildCalendar, type CalendarEngagement, type CalendarOptions
} from '../../domain/calendar.js'
import { InputError } from '../../domain/errors.js'
import { prefixSearchQuery } from '../../domain/search.js'
import { notModifiedResponse, problemResponses } from '../../schemas/common.js'
import { EngagementListQuery } from '../../schemas/engagements.js'
import { VisitParams } from '../../schemas/visits.js'
import { presentEngagement } from '../../presenters/engagements.js'
import {
  queryFilters, searchMatches, visibleEngagements, visitOfFilter, type EngagementFilterQuery
} from '../engagements/service.js'
import { findVisit } from '../visits/service.js'

/** The JSON list's filters, whatever they grow to; a feed has no pages. */
const CalendarQuery = Type.Omit(EngagementListQuery, ['cursor', 'limit'], { additionalProperties: false })

const FEED_NOTES = 'One VEVENT per engagement, its UID stable and its SEQUENCE its version - 1. Times are written in the ' +
  'zone where the engagement happens (DTSTART;TZID=, with a VTIMEZONE for every zone used); a time that the zone\'s ' +
  'clock shows twice, as clocks fall back, is written in UTC. Precision `exact` gives a timed event (DTSTART only when ' +
  'the end is not known); `part_of_day` its window, with "time approximate: afternoon" in the summary and description; ' +
  '`date` and `tbd` all-day events over their local dates (VALUE=DATE, end exclusive). Cancelled engagements stay, ' +
  `with STATUS:CANCELLED. At most ${MAX_CALENDAR_EVENTS} events: a query matching more is refused with a 422, never ` +
  'cut short; narrow it with from/to or other filters. Embargoed engagements are included only for tokens with ' +
  'read:embargoed. Answers carry an ETag (If-None-Match gives 304).'

// A bound, not a size to expect: the longest string the runtime can build (V8, 64-bit).
const LONGEST_STRING = 536_870_888

function calendarResponses (description: string, ...problems: number[]) {
  const Calendar = Type.String({ maxLength: LONGEST_STRING, description: 'An iCalendar document (RFC 5545), UTF-8, CRLF line endings.' })
  return {
    200: { description, content: { 'text/calendar': { schema: Calendar } } },
    ...notModifiedResponse,
    ...problemResponses(...problems)
  }
}

const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /**
   * The ids of the matching engagements, all of them, as the JSON list filters them (a search `q`
   * included); more than the cap is a 422.
   */
  async function idsFor (request: FastifyRequest, query: EngagementFilterQuery, visitId?: string): Promise<string[]> {
    const filters = await queryFilters(app.prisma, query, request.tokenScopes, visitId)
    const rows = query.q === undefined
      ? await app.prisma.engagement.findMany({
        where: { AND: [visibleEngagements(request.tokenScopes), ...filters] },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        take: MAX_CALENDAR_EVENTS + 1,
        select: { id: true }
      })
      : await searchMatches(app.prisma, prefixSearchQuery(query.q, '/query/q'), request.tokenScopes, filters, MAX_CALENDAR_EVENTS + 1)
    if (rows.length > MAX_CALENDAR_EVENTS) {
      throw new InputError('unprocessable', `More than ${MAX_CALENDAR_EVENTS} engagements match, the most a calendar feed holds; ` +
        'narrow the query with from and to, visit or other filters. A feed is never cut short silently.', [
        { path: '/query', message: `matches more than ${MAX_CALENDAR_EVENTS} engagements` }
      ])
    }
    return rows.map((row) => row.id)
  }

  /** The engagements, in chronological order, as the JSON list shows them. */
  async function engagementsFor (request: FastifyRequest, query: EngagementFilterQuery, visitId?: string) {
    const rows = await engagementRowsByIds(app.prisma, await idsFor(request, query, visitId))
    return rows.map((row) => presentEngagement(row, undefined, query.lang))
  }

  type Heading = Omit<CalendarOptions, 'engagementUrl'>
  function sendCalendar (request: FastifyRequest, reply: FastifyReply, filename: string, heading: Heading, engagements: CalendarEngagement[]) {
    // Links in the events point where the subscriber fetched the feed from.
    const base = `${request.protocol}://${request.host}${app.prefix}`
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${filename}"`)
      .send(buildCalendar({ ...heading, engagementUrl: (id) => `${base}/engagements/${id}` }, engagements))
  }

  app.get('/visits/:visit/calendar.ics', {
    schema: {
      tags: ['visits'],
      operationId: 'getVisitCalendar',
      summary: 'The visit as an iCalendar feed',
      description: `Every engagement of the visit, to subscribe to in a calendar app (refreshed every ${CALENDAR_REFRESH_SECONDS / 60} minutes). ${FEED_NOTES}`,
      params: VisitParams,
      response: calendarResponses('The visit\'s engagements as an iCalendar feed.', 400, 401, 404, 414, 422, 503)
    }
  }, async (request, reply) => {
    const visit = await findVisit(app.prisma, request.params.visit)
    const engagements = await engagementsFor(request, {}, visit.id)
    return sendCalendar(request, reply, `${visit.slug}.ics`, {
      name: visit.title,
      description: `${visit.title}: every engagement at the local time where it happens; approximate times are marked.`
    }, engagements)
  })

  app.get('/engagements.ics', {
    schema: {
      tags: ['engagements'],
      operationId: 'getEngagementCalendar',
      summary: 'Engagements as an iCalendar feed',
      description: `The engagements that GET /v1/engagements would list with the same filters, all of them in one feed. ${FEED_NOTES}`,
      querystring: CalendarQuery,
      response: calendarResponses('The matching engagements as an iCalendar feed.', 400, 401, 422, 503)
    }
  }, async (request, reply) => {
    const { query } = request
    const visit = query.visit === undefined ? null : await visitOfFilter(app.prisma, query.visit)
    const engagements = await engagementsFor(request, query, visit?.id)
    const filters = Object.entries(query).filter(([name]) => name !== 'visit').map(([name, value]) => `${name}=${String(value)}`).sort()
    const scope = visit === null ? 'Engagements' : visit.title
    return sendCalendar(request, reply, 'engagements.ics', {
      name: filters.length === 0 ? scope : `${scope} (${filters.join(', ')})`,
      description: `${scope}${filters.length === 0 ? '' : `, filtered by ${filters.join(', ')}`}: ` +
        'each engagement at the local time where it happens; approximate times are marked.'
    }, engagements)
  })
}

export default calendarRoutes

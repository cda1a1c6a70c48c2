import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { CALENDAR_REFRESH_SECONDS, MAX_CALENDAR_EVENTS } from '../../domain/calendar.js'
import { VisitParams, notModifiedResponse, problemResponses } from '../../schemas/common.js'
import { EngagementListQuery } from '../../schemas/engagements.js'
import { engagementCalendar, visitCalendar, type CalendarFeed, type EngagementUrl } from '../../services/calendar.js'

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
  /** Links in the events point where the subscriber fetched the feed from. */
  function engagementUrl (request: FastifyRequest): EngagementUrl {
    const base = `${request.protocol}://${request.host}${app.prefix}`
    return (id) => `${base}/engagements/${id}`
  }

  function sendCalendar (reply: FastifyReply, feed: CalendarFeed) {
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${feed.filename}"`)
      .send(feed.ics)
  }

  app.get('/visits/:visit/calendar.ics', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['visits'],
      operationId: 'getVisitCalendar',
      summary: 'The visit as an iCalendar feed',
      description: `Every engagement of the visit, to subscribe to in a calendar app (refreshed every ${CALENDAR_REFRESH_SECONDS / 60} minutes). ${FEED_NOTES}`,
      params: VisitParams,
      response: calendarResponses('The visit\'s engagements as an iCalendar feed.', 422)
    }
  }, async (request, reply) => sendCalendar(reply, await visitCalendar(app.prisma, request.params.visit, request.tokenScopes, engagementUrl(request))))

  app.get('/engagements.ics', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['engagements'],
      operationId: 'getEngagementCalendar',
      summary: 'Engagements as an iCalendar feed',
      description: `The engagements that GET /v1/engagements would list with the same filters, all of them in one feed. ${FEED_NOTES}`,
      querystring: CalendarQuery,
      response: calendarResponses('The matching engagements as an iCalendar feed.', 422)
    }
  }, async (request, reply) => sendCalendar(reply, await engagementCalendar(app.prisma, request.query, request.tokenScopes, engagementUrl(request))))
}

export default calendarRoutes

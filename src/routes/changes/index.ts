import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VisitParams, notModifiedResponse, problemResponses, refTo } from '../../schemas/common.js'
import { ChangeFeed, ChangeFeedQuery, ChangeHistory, ChangeHistoryQuery } from '../../schemas/changes.js'
import { readFeed, visitHistory } from '../../services/changes.js'

export interface ChangeRoutesOptions {
  /** How long change records are kept; a cursor older than this gets 410. */
  retentionMs: number
}

const changeRoutes: FastifyPluginAsyncTypebox<ChangeRoutesOptions> = async (app, options) => {
  app.get('/changes', {
    schema: {
      tags: ['changes'],
      operationId: 'listChanges',
      summary: 'Poll every change, deletions included',
      description: 'Every create, update and delete of a visit, leg or engagement, oldest first, so that applying them in ' +
        'order (the snapshot for a create or update, removal for a delete) mirrors the data exactly. Start with ' +
        '`since=now` (or without `since` for every retained change), list the visits and engagements, then poll with ' +
        '`since=<nextCursor>`; when `hasMore` is true, poll again at once.\n\n' +
        'Without the read:embargoed scope, a change of an embargoed engagement joins the feed when the embargo ends, ' +
        'after the cursors already handed out, so a poller never misses it, and the feed\'s numbers count only what it ' +
        'shows; an engagement deleted while under embargo, never public, leaves no trace in it. With the scope every change ' +
        'is there at once. ' +
        'The two feeds are ordered differently, so a cursor works only with the same kind of token (400 otherwise). ' +
        'Changes are kept for CHANGE_RETENTION_DAYS (90 by default); an older cursor gets 410: resync as its detail says.',
      querystring: ChangeFeedQuery,
      response: { 200: refTo(ChangeFeed), ...notModifiedResponse, ...problemResponses(410) }
    }
  }, async (request) => readFeed(app.prisma, request.query, request.tokenScopes, options.retentionMs))

  app.get('/visits/:visit/changes', {
    schema: {
      tags: ['changes'],
      operationId: 'listVisitChanges',
      summary: 'The history of a visit',
      description: 'The changes of the visit, its legs and its engagements, newest first, each with a one-line summary ' +
        '("Summit with President Xi Jinping: moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening"). ' +
        'A deleted visit\'s history stays readable by its id while its changes are kept. Changes of an embargoed ' +
        'engagement appear once the embargo ends, unless the token has read:embargoed.',
      params: VisitParams,
      querystring: ChangeHistoryQuery,
      response: { 200: refTo(ChangeHistory), ...notModifiedResponse }
    }
  }, async (request) => visitHistory(app.prisma, request.params.visit, request.query, request.tokenScopes))
}

export default changeRoutes

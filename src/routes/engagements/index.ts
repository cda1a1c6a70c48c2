import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEMO_IDS } from '../../demo/demo-ids.js'
import {
  ConditionalWriteHeaders, IdempotentPostHeaders, ViewerQuery, VisitParams, deletedResponse, idParams, notModifiedResponse, problemResponses, refTo
} from '../../schemas/common.js'
import {
  Engagement, EngagementCreate, EngagementListQuery, EngagementPage, EngagementPatch
} from '../../schemas/engagements.js'
import { changeAuthor } from '../../http/change-author.js'
import { getEngagement, listEngagements } from '../../services/engagement-reads.js'
import { createEngagement, deleteEngagement, updateEngagement } from '../../services/engagement-writes.js'

const engagementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/engagements', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['engagements'],
      operationId: 'listEngagements',
      summary: 'List engagements across visits',
      description: 'In chronological order, or with `q` best match first. `date` without `tz` is the local date where the engagement happens; ' +
        'with `tz` it is the reader\'s day, so `date=2026-01-05&tz=America/Los_Angeles` and the same date in ' +
        'Asia/Seoul are different sets.',
      querystring: EngagementListQuery,
      response: { 200: refTo(EngagementPage), ...notModifiedResponse }
    }
  }, async (request) => listEngagements(app.prisma, request.query, request.tokenScopes))

  app.post('/visits/:visit/engagements', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['engagements'],
      operationId: 'createEngagement',
      summary: 'Add an engagement to a visit',
      params: VisitParams,
      headers: IdempotentPostHeaders,
      body: refTo(EngagementCreate),
      response: { 201: refTo(Engagement), ...problemResponses(409, 422) }
    }
  }, async (request, reply) => {
    const engagement = await createEngagement({
      prisma: app.prisma, visitIdOrSlug: request.params.visit, input: request.body, author: changeAuthor(request), scopes: request.tokenScopes
    })
    reply.code(201).header('location', `${app.prefix}/engagements/${engagement.id}`)
    return engagement
  })

  app.get('/engagements/:id', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['engagements'],
      operationId: 'getEngagement',
      summary: 'Get an engagement',
      params: idParams(DEMO_IDS.engagements.summit),
      querystring: ViewerQuery,
      response: { 200: refTo(Engagement), ...notModifiedResponse }
    }
  }, async (request) => getEngagement({
    prisma: app.prisma, id: request.params.id, scopes: request.tokenScopes, viewerTimeZone: request.query.tz, language: request.query.lang
  }))

  app.patch('/engagements/:id', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['engagements'],
      operationId: 'updateEngagement',
      summary: 'Change an engagement',
      params: idParams(DEMO_IDS.engagements.summit),
      headers: ConditionalWriteHeaders,
      body: refTo(EngagementPatch),
      response: { 200: refTo(Engagement), ...problemResponses(409, 412, 422, 428) }
    }
  }, async (request) => {
    const expectedVersions = request.ifMatchVersions()
    return updateEngagement({
      prisma: app.prisma, id: request.params.id, patch: request.body, expectedVersions, author: changeAuthor(request), scopes: request.tokenScopes
    })
  })

  app.delete('/engagements/:id', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['engagements'],
      operationId: 'deleteEngagement',
      summary: 'Delete an engagement',
      // The only engagement of the demo leg that DELETE /v1/legs/{id} names.
      params: idParams(DEMO_IDS.engagements.returnToSeoul),
      headers: ConditionalWriteHeaders,
      response: { ...deletedResponse, ...problemResponses(412, 428) }
    }
  }, async (request, reply) => {
    const expectedVersions = request.ifMatchVersions()
    await deleteEngagement({
      prisma: app.prisma, id: request.params.id, expectedVersions, author: changeAuthor(request), scopes: request.tokenScopes
    })
    return reply.code(204).send(null)
  })
}

export default engagementRoutes

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ConditionalWriteHeaders, IdempotentPostHeaders, LanguageQuery, ViewerQuery, VisitParams, deletedResponse, notModifiedResponse, problemResponses, refTo
} from '../../schemas/common.js'
import {
  Itinerary, NowAndNext, NowAndNextQuery, Visit, VisitCreate, VisitListQuery, VisitPage, VisitPatch
} from '../../schemas/visits.js'
import { changeAuthor } from '../../http/change-author.js'
import { visitItinerary, visitNowAndNext } from '../../services/itinerary.js'
import { createVisit, deleteVisit, getVisit, listVisits, updateVisit } from '../../services/visits.js'

const visitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/visits', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['visits'],
      operationId: 'listVisits',
      summary: 'List visits',
      description: 'Visits in order of start date, filtered by dates, destination country, principal or status.',
      querystring: VisitListQuery,
      response: { 200: refTo(VisitPage), ...notModifiedResponse }
    }
  }, async (request) => listVisits(app.prisma, request.query))

  app.post('/visits', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['visits'],
      operationId: 'createVisit',
      summary: 'Create a visit',
      headers: IdempotentPostHeaders,
      body: refTo(VisitCreate),
      response: { 201: refTo(Visit), ...problemResponses(409, 422) }
    }
  }, async (request, reply) => {
    const visit = await createVisit(app.prisma, request.body, changeAuthor(request))
    reply.code(201).header('location', `${app.prefix}/visits/${visit.id}`)
    return visit
  })

  app.get('/visits/:visit', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['visits'],
      operationId: 'getVisit',
      summary: 'Get a visit by id or slug',
      params: VisitParams,
      querystring: LanguageQuery,
      response: { 200: refTo(Visit), ...notModifiedResponse }
    }
  }, async (request) => getVisit(app.prisma, request.params.visit, request.query.lang))

  app.patch('/visits/:visit', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['visits'],
      operationId: 'updateVisit',
      summary: 'Change a visit',
      params: VisitParams,
      headers: ConditionalWriteHeaders,
      body: refTo(VisitPatch),
      response: { 200: refTo(Visit), ...problemResponses(409, 412, 422, 428) }
    }
  }, async (request) => {
    const expectedVersions = request.ifMatchVersions()
    return updateVisit({ prisma: app.prisma, idOrSlug: request.params.visit, patch: request.body, expectedVersions, author: changeAuthor(request) })
  })

  app.delete('/visits/:visit', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['visits'],
      operationId: 'deleteVisit',
      summary: 'Delete a visit with its legs and engagements',
      params: VisitParams,
      headers: ConditionalWriteHeaders,
      response: { ...deletedResponse, ...problemResponses(412, 428) }
    }
  }, async (request, reply) => {
    const expectedVersions = request.ifMatchVersions()
    await deleteVisit({ prisma: app.prisma, idOrSlug: request.params.visit, expectedVersions, author: changeAuthor(request) })
    return reply.code(204).send(null)
  })

  app.get('/visits/:visit/itinerary', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['visits'],
      operationId: 'getItinerary',
      summary: 'The itinerary of a visit',
      description: 'The visit, its legs in order and, within each leg, its engagements grouped by the local day ' +
        'they happen on, in chronological order. With ?tz=, every engagement also carries `viewer` times in that zone.',
      params: VisitParams,
      querystring: ViewerQuery,
      response: { 200: refTo(Itinerary), ...notModifiedResponse }
    }
  }, async (request) => visitItinerary(app.prisma, request.params.visit, request.tokenScopes, { timeZone: request.query.tz, language: request.query.lang }))

  app.get('/visits/:visit/next', {
    config: { responseCache: 'content-at-instant' },
    schema: {
      tags: ['visits'],
      operationId: 'getVisitNowAndNext',
      summary: 'What is going on in a visit now, and what comes next',
      description: 'For a live blog: the engagements going on at `at` (default: now) and the next one to start. ' +
        'With ?tz=, every engagement also carries `viewer` times in that zone.',
      params: VisitParams,
      querystring: NowAndNextQuery,
      response: { 200: refTo(NowAndNext), ...notModifiedResponse }
    }
  }, async (request) => visitNowAndNext({
    prisma: app.prisma,
    visitIdOrSlug: request.params.visit,
    at: request.query.at,
    scopes: request.tokenScopes,
    viewer: { timeZone: request.query.tz, language: request.query.lang }
  }))
}

export default visitRoutes

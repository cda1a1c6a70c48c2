import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEMO_IDS } from '../../demo/demo-ids.js'
import {
  ConditionalWriteHeaders, IdempotentPostHeaders, VisitParams, deletedResponse, idParams, notModifiedResponse, problemResponses, refTo
} from '../../schemas/common.js'
import { Leg, LegCreate, LegPatch } from '../../schemas/legs.js'
import { changeAuthor } from '../../http/change-author.js'
import { createLeg, deleteLeg, getLeg, updateLeg } from '../../services/legs.js'

const legRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/visits/:visit/legs', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['legs'],
      operationId: 'createLeg',
      summary: 'Add a leg to a visit',
      params: VisitParams,
      headers: IdempotentPostHeaders,
      body: refTo(LegCreate),
      response: { 201: refTo(Leg), ...problemResponses(409, 422) }
    }
  }, async (request, reply) => {
    const leg = await createLeg({ prisma: app.prisma, visitIdOrSlug: request.params.visit, input: request.body, author: changeAuthor(request) })
    reply.code(201).header('location', `${app.prefix}/legs/${leg.id}`)
    return leg
  })

  app.get('/legs/:id', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['legs'],
      operationId: 'getLeg',
      summary: 'Get a leg',
      params: idParams(DEMO_IDS.legs.beijing),
      response: { 200: refTo(Leg), ...notModifiedResponse }
    }
  }, async (request) => getLeg(app.prisma, request.params.id))

  app.patch('/legs/:id', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['legs'],
      operationId: 'updateLeg',
      summary: 'Change a leg',
      params: idParams(DEMO_IDS.legs.beijing),
      headers: ConditionalWriteHeaders,
      body: refTo(LegPatch),
      response: { 200: refTo(Leg), ...problemResponses(409, 412, 422, 428) }
    }
  }, async (request) => {
    const expectedVersions = request.ifMatchVersions()
    return updateLeg({ prisma: app.prisma, id: request.params.id, patch: request.body, expectedVersions, author: changeAuthor(request) })
  })

  app.delete('/legs/:id', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['legs'],
      operationId: 'deleteLeg',
      summary: 'Delete a leg that has no engagements',
      // The demo leg whose only engagement is the example of DELETE /v1/engagements/{id}.
      params: idParams(DEMO_IDS.legs.seoul),
      headers: ConditionalWriteHeaders,
      response: { ...deletedResponse, ...problemResponses(409, 412, 428) }
    }
  }, async (request, reply) => {
    const expectedVersions = request.ifMatchVersions()
    await deleteLeg({ prisma: app.prisma, id: request.params.id, expectedVersions, author: changeAuthor(request) })
    return reply.code(204).send(null)
  })
}

export default legRoutes

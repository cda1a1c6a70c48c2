import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEMO_IDS } from '../../demo/demo-ids.js'
import { ConditionalWriteHeaders, idParams, notModifiedResponse, problemResponses, refTo } from '../../schemas/common.js'
import { EngagementPage } from '../../schemas/engagements.js'
import {
  Participant, ParticipantEngagementsQuery, ParticipantListQuery, ParticipantPage, ParticipantPatch
} from '../../schemas/participants.js'
import { changeAuthor } from '../../http/change-author.js'
import {
  getParticipant, listParticipantEngagements, listParticipants, updateParticipant
} from '../../services/participants.js'

const participantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/participants', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['participants'],
      operationId: 'listParticipants',
      summary: 'Find participants by name',
      description: 'One record per person across all visits, found by name, alternative name or translated name.',
      querystring: ParticipantListQuery,
      response: { 200: refTo(ParticipantPage), ...notModifiedResponse }
    }
  }, async (request) => listParticipants(app.prisma, request.query, request.tokenScopes))

  app.get('/participants/:id', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['participants'],
      operationId: 'getParticipant',
      summary: 'Get a participant',
      params: idParams(DEMO_IDS.participants.xi),
      response: { 200: refTo(Participant), ...notModifiedResponse }
    }
  }, async (request) => getParticipant(app.prisma, request.params.id, request.tokenScopes))

  app.patch('/participants/:id', {
    config: { requiredScope: 'write' },
    schema: {
      tags: ['participants'],
      operationId: 'updateParticipant',
      summary: 'Change a participant',
      description: 'Names, alternative names and translations changed here are searched at once in every engagement of the person. ' +
        'Each engagement that shows what changed (the name, translations, country) gets a new version and an update in the change feed, ' +
        'with the Change-Reason and Change-Source sent here.',
      params: idParams(DEMO_IDS.participants.xi),
      headers: ConditionalWriteHeaders,
      body: refTo(ParticipantPatch),
      response: { 200: refTo(Participant), ...problemResponses(409, 412, 428) }
    }
  }, async (request) => {
    const expectedVersions = request.ifMatchVersions()
    return updateParticipant({
      prisma: app.prisma, id: request.params.id, patch: request.body, expectedVersions, author: changeAuthor(request), scopes: request.tokenScopes
    })
  })

  app.get('/participants/:id/engagements', {
    config: { responseCache: 'content' },
    schema: {
      tags: ['participants'],
      operationId: 'listParticipantEngagements',
      summary: 'The engagements of a participant across all visits',
      description: 'In chronological order, as `GET /v1/engagements?participant=<id>`.',
      params: idParams(DEMO_IDS.participants.xi),
      querystring: ParticipantEngagementsQuery,
      response: { 200: refTo(EngagementPage), ...notModifiedResponse }
    }
  }, async (request) => listParticipantEngagements(app.prisma, request.params.id, request.query, request.tokenScopes))
}

export default participantRoutes

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { checkReadiness } from '../../services/readiness.js'

const Status = Type.Object({ status: Type.String({ examples: ['ok'] }) })

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // A probe must see the process as it is now, never a cached answer.
  app.get('/healthz', {
    config: { cacheControl: 'no-store' },
    schema: {
      tags: ['health'],
      operationId: 'getHealth',
      summary: 'Liveness: the process is up',
      response: { 200: Status }
    }
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    config: { cacheControl: 'no-store' },
    schema: {
      tags: ['health'],
      operationId: 'getReadiness',
      summary: 'Readiness: the database answers and every migration is applied',
      response: { 200: Status }
    }
  }, async (request) => {
    await checkReadiness(app.prisma, (error) => request.log.warn({ err: error }, 'readiness check: database not reachable'))
    return { status: 'ready' }
  })
}

export default healthRoutes

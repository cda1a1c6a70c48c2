import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pendingMigrations } from '../../db/migration-status.js'
import { HttpProblem } from '../../problems.js'
import { problemResponses } from '../../schemas/common.js'

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
      response: { 200: Status, ...problemResponses(503) }
    }
  }, async (request) => {
    const pending = await pendingMigrations(app.prisma).catch((error: unknown) => {
      request.log.warn({ err: error }, 'readiness check: database not reachable')
      throw new HttpProblem(503, '/problems/database-unavailable', 'Service not ready',
        'The database cannot be reached.', { headers: { 'retry-after': '5' } })
    })
    if (pending.length > 0) {
      throw new HttpProblem(503, '/problems/migrations-pending', 'Service not ready',
        `The database lacks ${pending.length} migration(s): ${pending.join(', ')}. Run npm run db:migrate.`,
        { headers: { 'retry-after': '30' } })
    }
    return { status: 'ready' }
  })
}

export default healthRoutes

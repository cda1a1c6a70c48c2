import fp from 'fastify-plugin'
import { canonicalZone } from '../domain/time-zones.js'

/**
 * `?tz=` is accepted in any case ("america/new_york"), and everything a response says about the
 * reader's zone must spell it one way: the tz database's ("America/New_York"), as the zones of
 * stored engagements are. So it is rewritten once, after validation and before any handler,
 * instead of in each service that echoes or computes with it.
 */
export default fp(async (app) => {
  app.addHook('preHandler', async (request) => {
    const query = request.query as { tz?: unknown } | undefined
    if (typeof query?.tz === 'string') query.tz = canonicalZone(query.tz)
  })
}, { name: 'viewer-zone' })

import fp from 'fastify-plugin'
import { problem } from '../problems.js'

/**
 * Once the app starts closing, the server stops accepting connections and requests already
 * running finish; a new request arriving on a kept-alive connection gets this 503 problem
 * (instead of Fastify's plain JSON) and the connection is closed, so the client retries
 * elsewhere. The app must be built with `return503OnClosing: false` for requests to get here.
 */
export default fp(async (app) => {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    throw problem('shuttingDown', 'This server is shutting down. Retry after the number of seconds in Retry-After.')
  })
}, { name: 'shutdown' })

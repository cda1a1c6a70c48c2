import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The Redis shared by every process of the deployment (REDIS_URL), for what they must count
     * together (the rate limits of src/plugins/security.ts); null without one: each process alone.
     */
    redis: Redis | null
  }
}

export interface RedisPluginOptions {
  /** REDIS_URL; undefined for none. */
  url: string | undefined
}

/** Longest a request waits for Redis: a Redis that stops answering must not stop the API. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000

/**
 * The one Redis client of the app, closed with it. It never makes a request wait for Redis to
 * come back: while the connection is down a command fails at once (no offline queue, no retry),
 * and one that gets no answer fails after REDIS_COMMAND_TIMEOUT_MS; what to do then is the
 * caller's choice. It reconnects by itself, for as long as the app runs.
 */
export default fp<RedisPluginOptions>(async (app, { url }) => {
  if (url === undefined) {
    app.decorate('redis', null)
    return
  }
  const redis = new Redis(url, {
    connectionName: 'itinerary-api',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5000
  })
  // Without a listener an 'error' event would end the process; ioredis emits one for every
  // failed reconnection attempt, so the loss is logged once, and the return.
  let connected = false
  redis.on('error', (error) => {
    if (!connected) return
    connected = false
    app.log.warn({ err: error }, 'lost the connection to Redis; reconnecting')
  })
  redis.on('ready', () => {
    if (connected) return
    connected = true
    app.log.info('connected to Redis')
  })
  try {
    await redis.connect()
  } catch (error) {
    // The service's start has already made sure that REDIS_URL reaches Redis
    // (src/startup/redis.ts); an app built directly goes on, and counts once Redis is there.
    app.log.warn({ err: error }, 'cannot reach Redis yet; reconnecting')
  }
  app.decorate('redis', redis)
  app.addHook('onClose', async () => {
    // At once, and without waiting for a Redis that may be gone: every request is over by now,
    // and a count is one command with nothing left to flush.
    redis.disconnect()
  })
}, { name: 'redis' })

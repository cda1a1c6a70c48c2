import { Redis } from 'ioredis'
import { StartupError } from './errors.js'

const CHECK_TIMEOUT_MS = 5000

/**
 * Makes sure REDIS_URL reaches a Redis that answers, so that a wrong URL, host or password stops
 * the start with one line saying so instead of leaving the rate limits uncounted. Once the
 * service runs, an outage of Redis is tolerated (src/plugins/security.ts).
 */
export async function checkRedis (url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    commandTimeout: CHECK_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null
  })
  // connect() rejects with "Connection is closed" alone; the event has the cause (ECONNREFUSED...).
  let cause: unknown
  redis.on('error', (error) => { cause ??= error })
  try {
    await redis.connect()
    await redis.ping()
    // A database number past the server's databases fails in an event only; the ping passes.
    if (cause !== undefined) throw cause
  } catch (error) {
    cause ??= error
    throw new StartupError(redisFailure(url, cause), { cause })
  } finally {
    redis.disconnect()
  }
}

/** One line for why REDIS_URL could not be used; never its password. */
function redisFailure (redisUrl: string, error: unknown): string {
  const url = new URL(redisUrl)
  const address = `${url.hostname || 'localhost'}:${url.port || '6379'}`
  const { code, message = String(error) } = error as { code?: string, message?: string }
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing is listening at ${address} (REDIS_URL): start Redis there, or correct REDIS_URL.`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host "${url.hostname}" in REDIS_URL cannot be found: correct the host name in REDIS_URL.`
  }
  if (/^(NOAUTH|WRONGPASS)\b/.test(message)) {
    return `Redis at ${address} refused the credentials (${message}): correct the user name or password in REDIS_URL.`
  }
  if (/timed? ?out/i.test(message)) {
    return `Redis at ${address} did not answer within ${CHECK_TIMEOUT_MS} ms: check that it runs and can be reached from here, or correct REDIS_URL.`
  }
  return `Redis at ${address} could not be used (${message}${code === undefined ? '' : `, code ${code}`}): check REDIS_URL.`
}

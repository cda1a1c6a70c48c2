import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

/**
 * The Redis that tests of shared rate limits use: TEST_REDIS_URL, else the one the project's
 * machines and CI run on 127.0.0.1:6379. Not REDIS_URL, which the rest of the suite must not
 * depend on (every server a test spawns would inherit it).
 */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

const INSTALL_HINT = 'apt-get install redis-server, then: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'

async function answers (url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return await redis.ping() === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

const reachable = await answers(testRedisUrl)

/** Why Redis tests are skipped: no Redis answers, and REQUIRE_REDIS=1 does not make that a failure. */
export function redisSkipReason (answering: boolean, env: NodeJS.ProcessEnv): string | false {
  return answering || env.REQUIRE_REDIS === '1' ? false : `no Redis answers at ${testRedisUrl} (TEST_REDIS_URL): ${INSTALL_HINT}`
}

/**
 * Options for a describe that needs Redis: skipped, saying how to get one, where none answers;
 * REQUIRE_REDIS=1 (set by .ci/run) makes a missing Redis a failure instead (see requireRedis).
 */
export const needsRedis = { skip: redisSkipReason(reachable, process.env) }

/** Fails, naming the cause, when no Redis answers: for the before hook of a describe that needs one. */
export function requireRedis () {
  assert.ok(reachable, `no Redis answers at ${testRedisUrl} (TEST_REDIS_URL), and REQUIRE_REDIS=1 requires one: ${INSTALL_HINT}`)
}

/** An IPv6 client address of its own (a /64 counts as one client): budgets no other test run shares in the same Redis. */
export function uniqueClientAddress (): string {
  const group = () => randomBytes(2).toString('hex')
  return `2001:db8:${group()}:${group()}::1`
}

/** A loopback address of its own (any 127.x.y.z reaches a server on 127.0.0.1): for real connections from a client no other test run is. */
export function uniqueLoopbackAddress (): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3)
  return `127.${a}.${b}.${Math.max(2, c)}`
}

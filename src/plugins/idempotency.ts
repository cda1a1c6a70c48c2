import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  claimIdempotencyKey, deleteIdempotencyKeyAsRead, findIdempotencyKey, purgeIdempotencyKeysCreatedBefore,
  recordIdempotentResponse, releaseIdempotencyKey
} from '../db/idempotency-keys.js'
import { IDEMPOTENCY_KEY_RETENTION_MS, keyState, requestFingerprint } from '../domain/idempotency.js'
import type { IdempotencyKey } from '../generated/prisma/client.js'
import { conflict, problem } from '../problems.js'

/** The headers that describe a stored body; a replay sends them again, byte for byte with the body. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'] as const
const PURGE_INTERVAL_MS = 60 * 60 * 1000
// Lost races (the key released or expired between our INSERT and our SELECT) are retried this often.
const CLAIM_ATTEMPTS = 3

function keyReusedForAnotherRequest () {
  return problem('idempotencyKeyReused',
    'This Idempotency-Key was used for a request with another method, path or body. ' +
    'Use a new key for every new request, and the same key only to retry the same request.')
}

function requestInFlight () {
  return problem('idempotencyKeyInFlight',
    'A request with this Idempotency-Key is still being processed. Retry after the Retry-After delay to get its response.')
}

function scopesChanged (missing: readonly string[]) {
  return problem('idempotencyKeyScopesChanged',
    `This Idempotency-Key was first used when this token also had the scope(s) ${missing.join(', ')}, which it no longer has, ` +
    'so the first response is not replayed: it may show what the token may no longer see. Send the request with a new key.')
}

function handlerTimedOut (request: FastifyRequest) {
  const reason: unknown = request.signal.reason
  return (reason as { code?: string } | undefined)?.code === 'FST_ERR_HANDLER_TIMEOUT'
}

function replay (reply: FastifyReply, record: IdempotencyKey) {
  const headers = record.responseHeaders as Record<string, string> | null
  return reply
    .code(record.responseStatus as number)
    .headers(headers ?? {})
    .header('idempotent-replayed', 'true')
    .send(record.responseBody ?? undefined)
}

/**
 * Idempotency-Key on POST (Stripe's model), per token: the first request with a key claims it
 * and runs; its response (any status below 500) is recorded and replayed to every retry with
 * the same key and the same request for 24 hours. A 5xx frees the key so the retry runs again.
 * Requests refused before the handler (401, 400 validation, 413, 415, 429) claim nothing. A key
 * belongs to one token (names are unique across API_TOKENS and the database), and is replayed
 * only while the token still has every scope it had when it first used the key.
 */
export default fp(async (app) => {
  const claims = new WeakMap<FastifyRequest, string>()
  let nextPurgeAt = 0

  async function purgeExpiredKeys (request: FastifyRequest, now: Date) {
    if (now.getTime() < nextPurgeAt) return
    nextPurgeAt = now.getTime() + PURGE_INTERVAL_MS
    const purged = await purgeIdempotencyKeysCreatedBefore(app.prisma, new Date(now.getTime() - IDEMPOTENCY_KEY_RETENTION_MS))
      .catch((error: unknown) => { request.log.warn({ err: error }, 'could not purge expired idempotency keys') })
    if (purged !== undefined && purged > 0) request.log.info({ purged }, 'purged expired idempotency keys')
  }

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key']
    if (request.method !== 'POST' || typeof key !== 'string' || request.tokenName === null) return
    const tokenName = request.tokenName
    const fingerprint = requestFingerprint(request.method, request.url, request.body)
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const claim = { id: randomUUID(), tokenName, key, requestFingerprint: fingerprint, tokenScopes: [...request.tokenScopes] }
      if (await claimIdempotencyKey(app.prisma, claim)) {
        claims.set(request, claim.id)
        await purgeExpiredKeys(request, new Date())
        return
      }
      const record = await findIdempotencyKey(app.prisma, tokenName, key)
      if (record === null) continue
      switch (keyState(record, fingerprint, new Date())) {
        case 'different-request': throw keyReusedForAnotherRequest()
        case 'in-flight': throw requestInFlight()
        case 'completed': {
          // A replay shows what the first request's token could see: only to a token that still can.
          const missing = record.tokenScopes.filter((scope) => !(request.tokenScopes as readonly string[]).includes(scope))
          if (missing.length > 0) throw scopesChanged(missing)
          return replay(reply, record)
        }
        case 'expired':
        case 'abandoned':
          await deleteIdempotencyKeyAsRead(app.prisma, record)
      }
    }
    throw conflict('Too many requests are racing for this Idempotency-Key; retry in a moment.')
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const claimId = claims.get(request)
    if (claimId === undefined) return payload
    claims.delete(request)
    try {
      if (reply.statusCode >= 500) {
        // After a handler timeout the handler may still be running and commit: the claim stays,
        // answering 409 to retries, until it counts as abandoned.
        if (!handlerTimedOut(request)) await releaseIdempotencyKey(app.prisma, claimId)
      } else {
        const headers: Record<string, string> = {}
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name)
          if (value !== undefined) headers[name] = String(value)
        }
        await recordIdempotentResponse(app.prisma, claimId, {
          status: reply.statusCode,
          headers,
          body: typeof payload === 'string' ? payload : null
        })
      }
    } catch (error) {
      // The client still gets its response; the claim stays and is taken over once abandoned.
      request.log.error({ err: error }, 'could not record the outcome of an idempotent request')
    }
    return payload
  })
}, { name: 'idempotency', dependencies: ['db'] })

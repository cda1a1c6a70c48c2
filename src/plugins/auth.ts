import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { onRequestAsyncHookHandler } from 'fastify'
import { HttpProblem } from '../problems.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for routes that change data: needs a valid bearer token. */
    requireWriteToken: onRequestAsyncHookHandler
  }
  interface FastifyRequest {
    /** Name of the token that authorised this request, for logs and change records. */
    tokenName: string | null
  }
}

export interface AuthPluginOptions {
  /** token name → secret */
  tokens: Map<string, string>
}

const digest = (value: string) => createHash('sha256').update(value).digest()

function unauthorized (detail: string) {
  return new HttpProblem(401, '/problems/unauthorized', 'Authentication required', detail, {
    headers: { 'www-authenticate': 'Bearer realm="itinerary-api"' }
  })
}

/**
 * Bearer tokens for writes. Secrets are compared as SHA-256 digests with timingSafeEqual, and
 * every configured token is compared on every request, so timing reveals neither the secret
 * nor which token came close.
 */
export default fp<AuthPluginOptions>(async (app, options) => {
  const known = [...options.tokens].map(([name, secret]) => ({ name, digest: digest(secret) }))

  app.decorateRequest('tokenName', null)
  app.decorate('requireWriteToken', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) {
      throw unauthorized('Writes need the header Authorization: Bearer <token>.')
    }
    const match = /^Bearer ([^\s]+)$/i.exec(header)
    if (match === null) {
      throw unauthorized('The Authorization header must be "Bearer <token>".')
    }
    const presented = digest(match[1] as string)
    let matchedName: string | null = null
    for (const token of known) {
      if (timingSafeEqual(presented, token.digest)) matchedName = token.name
    }
    if (matchedName === null) {
      throw unauthorized('The bearer token is not valid. Check it with whoever runs this service.')
    }
    request.tokenName = matchedName
  })
}, { name: 'auth' })

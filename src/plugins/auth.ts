import fp from 'fastify-plugin'
import type { onRequestAsyncHookHandler } from 'fastify'
import { documentProblems } from './errors.js'
import { findActiveApiToken, recordApiTokenUse } from '../db/api-tokens.js'
import { matchBootstrapToken, secretDigest, type BootstrapToken, type TokenScope } from '../domain/access.js'
import { problem, type HttpProblem } from '../problems.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The scope a route needs: the auth plugin refuses a request without a valid token (401) or
     * without the scope (403), and documents both, with the bearer security requirement.
     */
    requiredScope?: TokenScope
  }
  interface FastifyInstance {
    /**
     * onRequest hook that reads the bearer token, if the request has one. An Authorization
     * header that is not a valid token is noted, not refused yet: `refuseFailedAuthentication`
     * answers 401, even on a public read, once the request has been counted (rate limits).
     */
    authenticate: onRequestAsyncHookHandler
    /** onRequest hook after `authenticate` and countRequest: 401 (or 429 past the failed-authentication budget) for a token that is not valid. */
    refuseFailedAuthentication: onRequestAsyncHookHandler
  }
  interface FastifyRequest {
    /** The token the request was made with, once `authenticate` has run; null without one. */
    token: AuthenticatedToken | null
    /** Why the Authorization header the request sent is not a valid token; null when it is, or when there is none. */
    authenticationFailure: HttpProblem | null
    /** Name of that token, for logs, change records and idempotency keys; null without one. */
    readonly tokenName: string | null
    /** Scopes of that token; empty without one. Pass them to visibleEngagements() on every read. */
    readonly tokenScopes: readonly TokenScope[]
  }
}

export interface AuthPluginOptions {
  /** The bootstrap tokens from API_TOKENS, by name; tokens in the database work alongside them. */
  tokens: ReadonlyMap<string, BootstrapToken>
}

export interface AuthenticatedToken {
  name: string
  scopes: readonly TokenScope[]
}

const NO_SCOPES: readonly TokenScope[] = Object.freeze([])

/** The OpenAPI security requirement of a route that needs a scope (the scheme is in src/plugins/swagger.ts). */
const BEARER_SECURITY = [{ bearerAuth: [] }]

function unauthorized (detail: string) {
  return problem('unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer realm="itinerary-api"' }
  })
}

function forbidden (tokenName: string, held: readonly TokenScope[], needed: TokenScope) {
  const has = held.length === 0 ? 'no scopes' : held.join(', ')
  return problem('forbidden',
    `This request needs a token with the ${needed} scope; the token "${tokenName}" has ${has}.`, {
      headers: { 'www-authenticate': `Bearer realm="itinerary-api", error="insufficient_scope", scope="${needed}"` },
      members: { requiredScope: needed }
    })
}

/**
 * Bearer tokens: the bootstrap ones from API_TOKENS (compared in constant time, see
 * matchBootstrapToken) and those in the database (found by the digest of the secret; revoked
 * ones are not found). Where tokens are read, register as onRequest hooks `authenticate`, the
 * rate limiter's countRequest and `refuseFailedAuthentication`, in that order; then a route that
 * needs a scope says so in its config: `config: { requiredScope: 'write' }`.
 */
export default fp<AuthPluginOptions>(async (app, options) => {
  app.decorateRequest('token', null)
  app.decorateRequest('authenticationFailure', null)
  app.decorateRequest('tokenName', { getter () { return this.token?.name ?? null } })
  app.decorateRequest('tokenScopes', { getter () { return this.token?.scopes ?? NO_SCOPES } })

  app.decorate('authenticate', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) return
    await app.refuseClientsPastFailedAuthentications(request)
    const match = /^Bearer ([^\s]+)$/i.exec(header)
    if (match === null) {
      request.authenticationFailure = unauthorized('The Authorization header must be "Bearer <token>".')
      return
    }
    const secret = match[1] as string
    const bootstrap = matchBootstrapToken(secret, options.tokens)
    if (bootstrap !== null) {
      request.token = bootstrap
      return
    }
    const stored = await findActiveApiToken(app.prisma, secretDigest(secret))
    if (stored === null) {
      request.authenticationFailure = unauthorized('The bearer token is not valid or has been revoked. Check it with whoever runs this service.')
      return
    }
    await recordApiTokenUse(app.prisma, stored)
    request.token = { name: stored.name, scopes: stored.scopes }
  })

  app.decorate('refuseFailedAuthentication', async (request) => {
    if (request.authenticationFailure === null) return
    await app.countFailedAuthentication(request)
    throw request.authenticationFailure
  })

  const requireScope = (scope: TokenScope): onRequestAsyncHookHandler => async (request) => {
    if (request.token === null) {
      throw unauthorized(`This request needs the header Authorization: Bearer <token>, with a token that has the ${scope} scope.`)
    }
    if (!request.token.scopes.includes(scope)) throw forbidden(request.token.name, request.token.scopes, scope)
  }
  // After the route's own onRequest hooks: the scope is checked once the token has been read.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.requiredScope
    if (scope === undefined) return
    route.onRequest = [...[route.onRequest ?? []].flat(), requireScope(scope)]
    route.schema = { ...route.schema, security: BEARER_SECURITY }
  })
  app.addHook('onRoute', documentProblems((route) => route.config?.requiredScope === undefined ? [] : [401, 403]))
}, { name: 'auth', dependencies: ['db', 'security'] })

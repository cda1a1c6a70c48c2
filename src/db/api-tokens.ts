import { checkNewToken, generateTokenSecret, isTokenScope, secretDigest, type TokenScope } from '../domain/access.js'
import { InputError } from '../domain/errors.js'
import { Prisma } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'

/** A database token as it may be shown: everything but its digest. */
export interface ApiTokenSummary {
  id: string
  name: string
  scopes: TokenScope[]
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

const summaryFields = {
  id: true, name: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true
} satisfies Prisma.ApiTokenSelect

// lastUsedAt is for people deciding which tokens to revoke: to the minute is precise enough,
// and it spares a write on every request.
const LAST_USED_RESOLUTION_MS = 60_000

function summaryOf (row: Prisma.ApiTokenGetPayload<{ select: typeof summaryFields }>): ApiTokenSummary {
  return { ...row, scopes: row.scopes.filter(isTokenScope) }
}

/**
 * Stores a new token by the digest of its secret; the secret is returned here and nowhere else.
 * Names are unique across database tokens and the bootstrap tokens of API_TOKENS (pass their
 * names): a token's name is who it is in logs, change records, rate limits and idempotency keys.
 */
export async function createApiToken (
  prisma: PrismaClient,
  input: { name: string, scopes: readonly string[] },
  bootstrapTokenNames: Iterable<string> = []
): Promise<{ token: ApiTokenSummary, secret: string }> {
  const scopes = checkNewToken(input.name, input.scopes)
  if ([...bootstrapTokenNames].includes(input.name)) {
    throw new InputError('unprocessable', `"${input.name}" is the name of a bootstrap token in API_TOKENS; choose another name.`)
  }
  const secret = generateTokenSecret()
  try {
    const row = await prisma.apiToken.create({
      data: { name: input.name, secretDigest: secretDigest(secret), scopes },
      select: summaryFields
    })
    return { token: summaryOf(row), secret }
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new InputError('unprocessable', `A token named "${input.name}" already exists (names stay taken after a revocation); choose another name.`)
    }
    throw error
  }
}

/** Those of `names` that database tokens have, revoked ones included (names stay taken), sorted. */
export async function databaseTokenNamesAmong (prisma: PrismaClient, names: Iterable<string>): Promise<string[]> {
  const rows = await prisma.apiToken.findMany({ where: { name: { in: [...names] } }, select: { name: true }, orderBy: { name: 'asc' } })
  return rows.map((row) => row.name)
}

/** Every token, revoked ones included, oldest first. */
export async function listApiTokens (prisma: PrismaClient): Promise<ApiTokenSummary[]> {
  const rows = await prisma.apiToken.findMany({ select: summaryFields, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  return rows.map(summaryOf)
}

/** Revokes the token for good; revoking a revoked token keeps its first revocation time. */
export async function revokeApiToken (prisma: PrismaClient, name: string, now = new Date()): Promise<ApiTokenSummary> {
  await prisma.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: now } })
  const row = await prisma.apiToken.findUnique({ where: { name }, select: summaryFields })
  if (row === null) throw new InputError('invalid', `No token is named "${name}"; npm run token -- list shows them.`)
  return summaryOf(row)
}

/**
 * The unrevoked token whose secret has this digest, or null. The lookup is by digest, so its
 * timing depends on the SHA-256 of the secret, which tells an attacker nothing about the secret.
 */
export async function findActiveApiToken (prisma: PrismaClient, digest: string): Promise<ApiTokenSummary | null> {
  const row = await prisma.apiToken.findUnique({ where: { secretDigest: digest }, select: summaryFields })
  return row === null || row.revokedAt !== null ? null : summaryOf(row)
}

/** Records a use of the token, at most one write per token per minute. */
export async function recordApiTokenUse (prisma: PrismaClient, token: ApiTokenSummary, now = new Date()): Promise<void> {
  if (token.lastUsedAt !== null && now.getTime() - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return
  await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now }, select: { id: true } })
}

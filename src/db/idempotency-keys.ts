import type { PrismaClient } from './client.js'
import type { IdempotencyKey } from '../generated/prisma/client.js'

/** The response a key replays: status, the headers that describe the body, the body bytes. */
export interface RecordedResponse {
  status: number
  headers: Record<string, string>
  body: string | null
}

export interface KeyClaim {
  /** chosen by the caller, so the outcome is recorded on this claim and never on a later one */
  id: string
  tokenName: string
  key: string
  requestFingerprint: string
  /** The token's scopes: a replay needs every one of them still. */
  tokenScopes: string[]
}

/**
 * Claims the key for one request: an INSERT that the unique (token_name, key) constraint turns
 * into a no-op when the key is taken, so of simultaneous requests exactly one gets true.
 */
export async function claimIdempotencyKey (prisma: PrismaClient, claim: KeyClaim): Promise<boolean> {
  const { count } = await prisma.idempotencyKey.createMany({ data: [claim], skipDuplicates: true })
  return count === 1
}

export async function findIdempotencyKey (prisma: PrismaClient, tokenName: string, key: string): Promise<IdempotencyKey | null> {
  return prisma.idempotencyKey.findUnique({ where: { tokenName_key: { tokenName, key } } })
}

export async function recordIdempotentResponse (prisma: PrismaClient, claimId: string, response: RecordedResponse): Promise<void> {
  await prisma.idempotencyKey.updateMany({
    where: { id: claimId, responseStatus: null },
    data: { responseStatus: response.status, responseHeaders: response.headers, responseBody: response.body }
  })
}

/** Frees a claim whose request failed on our side, so that the client's retry runs again. */
export async function releaseIdempotencyKey (prisma: PrismaClient, claimId: string): Promise<void> {
  await prisma.idempotencyKey.deleteMany({ where: { id: claimId, responseStatus: null } })
}

/** Deletes the record only if it is still as it was read (compare-and-delete), before claiming the key anew. */
export async function deleteIdempotencyKeyAsRead (prisma: PrismaClient, record: IdempotencyKey): Promise<void> {
  await prisma.idempotencyKey.deleteMany({
    where: { id: record.id, responseStatus: record.responseStatus, createdAt: record.createdAt }
  })
}

export async function purgeIdempotencyKeysCreatedBefore (prisma: PrismaClient, cutoff: Date): Promise<number> {
  const { count } = await prisma.idempotencyKey.deleteMany({ where: { createdAt: { lt: cutoff } } })
  return count
}

import type { Prisma } from '../generated/prisma/client.js'

// A leg or engagement added while its parent is being deleted would otherwise fail on its
// foreign key, which reads as "still referenced" (409) when the truth is that the parent is
// gone (404). These locks make the child's transaction wait for a delete in progress and then see
// its outcome; they conflict only with deleting the row (FOR UPDATE), or with each other where
// the caller needs that (assigning the next leg sequence).

/**
 * Locks the visit against deletion until the transaction ends; `exclusive` also queues this
 * transaction behind others that lock it exclusively (those numbering the visit's legs).
 * False when the visit no longer exists.
 */
export async function lockVisit (tx: Prisma.TransactionClient, visitId: string, mode: 'shared' | 'exclusive'): Promise<boolean> {
  const rows = mode === 'shared'
    ? await tx.$queryRaw<unknown[]>`SELECT 1 FROM visits WHERE id = ${visitId}::uuid FOR KEY SHARE`
    : await tx.$queryRaw<unknown[]>`SELECT 1 FROM visits WHERE id = ${visitId}::uuid FOR NO KEY UPDATE`
  return rows.length > 0
}

/** Locks the leg against deletion until the transaction ends; the visit it belongs to, or null when it is gone. */
export async function lockLeg (tx: Prisma.TransactionClient, legId: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<Array<{ visitId: string }>>`SELECT visit_id::text AS "visitId" FROM legs WHERE id = ${legId}::uuid FOR KEY SHARE`
  return row?.visitId ?? null
}

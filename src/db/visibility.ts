import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { Prisma } from '../generated/prisma/client.js'

/**
 * The embargo rule of visibleEngagements (src/services/engagement-reads.ts) for statements
 * written in SQL, on the engagements' `embargoUntil` column: without read:embargoed, an
 * engagement whose embargo ends after `now` does not exist.
 */
export function visibleEngagementsSql (scopes: readonly TokenScope[], embargoUntil: Prisma.Sql, now = new Date()): Prisma.Sql {
  if (canReadEmbargoed(scopes)) return Prisma.sql`TRUE`
  return Prisma.sql`(${embargoUntil} IS NULL OR ${embargoUntil} <= ${now}::timestamptz)`
}

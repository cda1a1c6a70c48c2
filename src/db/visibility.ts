import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { Prisma } from '../generated/prisma/client.js'

/**
 * The engagements a request made with these token scopes may know of, as a where-fragment to
 * AND into every query that reads engagements (lookups, lists, itineraries, feeds, searches):
 * without read:embargoed, those still under embargo at `now` do not exist. The comparison is
 * made at query time, so an engagement appears by itself once its embargo ends.
 */
export function visibleEngagements (scopes: readonly TokenScope[], now = new Date()): Prisma.EngagementWhereInput {
  if (canReadEmbargoed(scopes)) return {}
  return { OR: [{ embargoUntil: null }, { embargoUntil: { lte: now } }] }
}

/**
 * The embargo rule of visibleEngagements for statements written in SQL, on the engagements'
 * `embargoUntil` column: without read:embargoed, an engagement whose embargo ends after `now`
 * does not exist.
 */
export function visibleEngagementsSql (scopes: readonly TokenScope[], embargoUntil: Prisma.Sql, now = new Date()): Prisma.Sql {
  if (canReadEmbargoed(scopes)) return Prisma.sql`TRUE`
  return Prisma.sql`(${embargoUntil} IS NULL OR ${embargoUntil} <= ${now}::timestamptz)`
}

/**
 * The people a request with these scopes may know of. A person is known through their
 * engagements: one who so far appears only in engagements under embargo does not exist yet for
 * readers without read:embargoed, so that neither the person nor their engagement count gives
 * the embargoed meeting away; nor does the draft an embargoed engagement holds of someone nobody
 * has published (src/services/shared-records.ts), which only read:embargoed shows.
 */
export function visibleParticipants (scopes: readonly TokenScope[]): Prisma.ParticipantWhereInput {
  if (canReadEmbargoed(scopes)) return {}
  return { draftOf: null, engagements: { some: { engagement: visibleEngagements(scopes) } } }
}

import type { Static } from 'typebox'
import type { PrismaClient } from '../db/client.js'
import { engagementRowsOfVisit } from '../db/engagement-rows.js'
import { engagementRowsAround } from '../db/engagement-lists.js'
import { legRowsOfVisit } from '../db/legs.js'
import type { TokenScope } from '../domain/access.js'
import { buildItinerary } from '../domain/itinerary.js'
import { presentEngagement, type EngagementView } from '../presenters/engagements.js'
import { presentLeg } from '../presenters/legs.js'
import { presentVisit } from '../presenters/visits.js'
import type { Itinerary, NowAndNext } from '../schemas/visits.js'
import { findVisit } from './visits.js'

/** How a reader asked to see the engagements: `viewer` times in `timeZone`, texts in `language`. */
export interface ViewerOptions {
  timeZone?: string
  language?: string
}

/**
 * The visit, its legs in order and, within each leg, the engagements these scopes may see
 * grouped by the local day they happen on.
 */
export async function visitItinerary (prisma: PrismaClient, visitIdOrSlug: string, scopes: readonly TokenScope[], viewer: ViewerOptions): Promise<Static<typeof Itinerary>> {
  const visit = await findVisit(prisma, visitIdOrSlug)
  const [legs, engagements] = await Promise.all([
    legRowsOfVisit(prisma, visit.id),
    // One statement with the relations built in Postgres instead of one per relation (bench/RESULTS.md).
    engagementRowsOfVisit(prisma, visit.id, scopes)
  ])
  const itinerary = buildItinerary(
    legs.map(presentLeg),
    engagements.map((engagement) => presentEngagement(engagement, viewer.timeZone, viewer.language))
  )
  return { visit: presentVisit(visit, viewer.language), viewerTimeZone: viewer.timeZone ?? null, ...itinerary }
}

export interface NowAndNextRead {
  prisma: PrismaClient
  visitIdOrSlug: string
  /** The instant asked about, as the request gave it; now when not given. */
  at?: string
  scopes: readonly TokenScope[]
  viewer: ViewerOptions
}

/** What is going on in the visit at `at` (default: now), and what comes next. */
export async function visitNowAndNext ({ prisma, visitIdOrSlug, at, scopes, viewer }: NowAndNextRead): Promise<Static<typeof NowAndNext>> {
  const instant = at === undefined ? new Date() : new Date(at)
  const visit = await findVisit(prisma, visitIdOrSlug)
  const { current, next } = await engagementRowsAround(prisma, visit.id, instant, scopes)
  const present = (engagement: Parameters<typeof presentEngagement>[0]): EngagementView => presentEngagement(engagement, viewer.timeZone, viewer.language)
  return { at: instant.toISOString(), current: current.map(present), next: next === null ? null : present(next) }
}

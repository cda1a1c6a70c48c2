import type { TSchema } from 'typebox'
import { Problem } from './common.js'
import {
  Engagement, EngagementCreate, EngagementPage, EngagementParticipant, EngagementPatch, Source, Venue
} from './engagements.js'
import { Leg, LegCreate, LegPatch } from './legs.js'
import { TimeWindow, TimeWindowInput, ViewerTime } from './time.js'
import { Itinerary, Visit, VisitCreate, VisitPage, VisitPatch } from './visits.js'

/** Every schema that routes reach through refTo(): app.ts registers them with addSchema. */
export const sharedSchemas: TSchema[] = [
  Problem,
  TimeWindow, ViewerTime, TimeWindowInput,
  Visit, VisitCreate, VisitPatch, VisitPage, Itinerary,
  Leg, LegCreate, LegPatch,
  Venue, EngagementParticipant, Source, Engagement, EngagementCreate, EngagementPatch, EngagementPage
]

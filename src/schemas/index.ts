import type { TSchema } from 'typebox'
import { ChangeFeed, ChangeHistory, ChangeRecord } from './changes.js'
import { Problem } from './common.js'
import {
  Engagement, EngagementCreate, EngagementPage, EngagementParticipant, EngagementPatch, Source, Venue
} from './engagements.js'
import { Leg, LegCreate, LegPatch } from './legs.js'
import { TimeWindow, TimeWindowInput, ViewerTime } from './time.js'
import { Participant, ParticipantPage, ParticipantPatch } from './participants.js'
import { Itinerary, NowAndNext, Visit, VisitCreate, VisitPage, VisitPatch } from './visits.js'

/** Every schema that routes reach through refTo(): app.ts registers them with addSchema. */
export const sharedSchemas: TSchema[] = [
  Problem,
  TimeWindow, ViewerTime, TimeWindowInput,
  Visit, VisitCreate, VisitPatch, VisitPage, Itinerary, NowAndNext,
  Leg, LegCreate, LegPatch,
  Venue, EngagementParticipant, Source, Engagement, EngagementCreate, EngagementPatch, EngagementPage,
  Participant, ParticipantPatch, ParticipantPage,
  ChangeRecord, ChangeFeed, ChangeHistory
]

import { Type } from 'typebox'
import { CountryCode, Instant, LocalDate, Nullable, Page, PaginationQuery, ScheduleStatus, TEXT_PATTERN, TimeZoneName, Uuid, VersionNumber, refTo } from './common.js'
import { TimeWindow, TimeWindowInput, ViewerTime } from './time.js'

const EngagementKind = Type.Enum([
  'arrival', 'departure', 'summit', 'meeting', 'talks', 'meal', 'forum',
  'community', 'site_visit', 'ceremony', 'press', 'other'
])

const ParticipantRole = Type.Enum(['host', 'counterpart', 'guest', 'greeter', 'attendee'], {
  description: 'The part the person plays in this engagement.'
})

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN })
const OptionalText = Type.String({ maxLength: 300, pattern: TEXT_PATTERN })

const VenueInput = Type.Object({
  name: Type.String({ ...Name, examples: ['Wanda Vista Hotel'] }),
  city: Type.String({ ...Name, examples: ['Beijing'] }),
  country: CountryCode,
  address: Type.Optional(Type.String({ maxLength: 500, pattern: TEXT_PATTERN })),
  latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 }))
}, {
  additionalProperties: false,
  description: 'A venue is one place shared by every engagement held there, found by name, city and country; ' +
    'an address or coordinates sent here update that place.'
})

const ParticipantInput = Type.Object({
  name: Type.String({ ...Name, examples: ['Xi Jinping'] }),
  role: ParticipantRole,
  title: Type.Optional(Type.String({ ...OptionalText, examples: ['President of the People\'s Republic of China'] })),
  organisation: Type.Optional(OptionalText),
  country: Type.Optional(CountryCode)
}, {
  additionalProperties: false,
  description: 'A person is found again by name (ignoring case, accents and spacing); title and organisation are as held at this engagement.'
})

const SourceInput = Type.Object({
  url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })),
  title: Type.String({ minLength: 1, maxLength: 500, pattern: TEXT_PATTERN }),
  publisher: Type.Optional(Type.String({ maxLength: 200, pattern: TEXT_PATTERN })),
  publishedAt: Type.Optional(Instant)
}, { additionalProperties: false, description: 'Where the information comes from.' })

export const Venue = Type.Object({
  id: Uuid,
  name: Type.String(),
  city: Type.String(),
  country: CountryCode,
  address: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number())
}, { $id: 'Venue', title: 'Venue' })

export const EngagementParticipant = Type.Object({
  participantId: Uuid,
  name: Type.String({ examples: ['Xi Jinping'] }),
  role: ParticipantRole,
  title: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  country: Nullable(CountryCode)
}, { $id: 'EngagementParticipant', title: 'EngagementParticipant' })

export const Source = Type.Object({
  url: Nullable(Type.String()),
  title: Type.String(),
  publisher: Nullable(Type.String()),
  publishedAt: Nullable(Instant)
}, { $id: 'Source', title: 'Source' })

export const Engagement = Type.Object({
  id: Uuid,
  visitId: Uuid,
  legId: Nullable(Uuid),
  title: Type.String({ examples: ['Summit with President Xi Jinping'] }),
  kind: EngagementKind,
  status: ScheduleStatus,
  time: refTo(TimeWindow),
  viewer: Type.Optional(refTo(ViewerTime)),
  venue: Nullable(refTo(Venue)),
  participants: Type.Array(refTo(EngagementParticipant)),
  description: Nullable(Type.String()),
  sources: Type.Array(refTo(Source)),
  embargoUntil: Nullable(Instant, {
    description: 'Until this instant the engagement is visible only to tokens with the read:embargoed scope; null: public.'
  }),
  createdAt: Instant,
  updatedAt: Instant,
  version: VersionNumber
}, {
  $id: 'Engagement',
  title: 'Engagement',
  description: 'One thing the principal does. `viewer` is present when the request had ?tz=.'
})

const engagementInputFields = {
  legId: Uuid,
  title: Type.String({ minLength: 1, maxLength: 300, pattern: TEXT_PATTERN, examples: ['Summit with President Xi Jinping'] }),
  kind: EngagementKind,
  status: ScheduleStatus,
  time: refTo(TimeWindowInput),
  venue: VenueInput,
  participants: Type.Array(ParticipantInput, { maxItems: 100 }),
  description: Type.String({ maxLength: 5000, pattern: TEXT_PATTERN }),
  sources: Type.Array(SourceInput, { maxItems: 50 }),
  embargoUntil: Type.String({
    ...Instant,
    description: 'Keeps the engagement from anyone without the read:embargoed scope until this instant; ' +
      'it then appears by itself.'
  })
}

export const EngagementCreate = Type.Object({
  ...engagementInputFields,
  legId: Type.Optional(engagementInputFields.legId),
  status: Type.Optional(engagementInputFields.status),
  venue: Type.Optional(engagementInputFields.venue),
  participants: Type.Optional(engagementInputFields.participants),
  description: Type.Optional(engagementInputFields.description),
  sources: Type.Optional(engagementInputFields.sources),
  embargoUntil: Type.Optional(engagementInputFields.embargoUntil)
}, {
  $id: 'EngagementCreate',
  title: 'EngagementCreate',
  additionalProperties: false,
  description: 'status defaults to scheduled. Without legId, time.timeZone is required.',
  examples: [{
    legId: '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11',
    title: 'Summit with President Xi Jinping',
    kind: 'summit',
    time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
    participants: [{ name: 'Xi Jinping', role: 'counterpart', title: 'President of the People\'s Republic of China', country: 'CN' }]
  }]
})

export const EngagementPatch = Type.Object({
  legId: Type.Optional(Nullable(engagementInputFields.legId)),
  title: Type.Optional(engagementInputFields.title),
  kind: Type.Optional(engagementInputFields.kind),
  status: Type.Optional(engagementInputFields.status),
  time: Type.Optional(engagementInputFields.time),
  venue: Type.Optional(Nullable(engagementInputFields.venue)),
  participants: Type.Optional(engagementInputFields.participants),
  description: Type.Optional(Nullable(engagementInputFields.description)),
  sources: Type.Optional(engagementInputFields.sources),
  embargoUntil: Type.Optional(Nullable(engagementInputFields.embargoUntil))
}, {
  $id: 'EngagementPatch',
  title: 'EngagementPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change. time, participants and sources are replaced whole; null clears legId, venue, description or embargoUntil.',
  examples: [{ status: 'confirmed', time: { precision: 'exact', localStart: '2026-01-05T16:00', localEnd: '2026-01-05T17:30' } }]
})

const csvOf = (description: string, example: string) =>
  Type.String({ maxLength: 500, pattern: '^[a-z_]+(,[a-z_]+)*$', description, examples: [example] })

export const EngagementListQuery = Type.Object({
  visit: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: TEXT_PATTERN, description: 'A visit id or slug.', examples: ['lee-jae-myung-china-2026'] })),
  from: Type.Optional(Type.String({ ...Instant, description: 'Only engagements still going on at or after this instant.' })),
  to: Type.Optional(Type.String({ ...Instant, description: 'Only engagements that start before this instant.' })),
  date: Type.Optional(Type.String({
    ...LocalDate,
    description: 'A calendar date. Without tz: engagements on that local date where they happen. ' +
      'With tz: engagements whose window overlaps that day in tz.'
  })),
  tz: Type.Optional(Type.String({ ...TimeZoneName, description: 'The reader\'s zone: adds `viewer` times, and is the zone of `date`.', examples: ['Asia/Seoul'] })),
  city: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, description: 'City of the venue or, without a venue, of the leg; any case.', examples: ['Shanghai'] })),
  country: Type.Optional(Type.String({ ...CountryCode, description: 'Country of the venue or, without a venue, of the leg.' })),
  kind: Type.Optional(csvOf('One kind or several separated by commas, e.g. summit,talks.', 'summit,talks')),
  status: Type.Optional(csvOf('One status or several separated by commas.', 'scheduled,confirmed')),
  participant: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: TEXT_PATTERN,
    description: 'A participant\'s id or full name (case, accents and spacing ignored).',
    examples: ['Xi Jinping']
  })),
  ...PaginationQuery
}, { additionalProperties: false })

export const EngagementKinds = EngagementKind.enum
export const ScheduleStatuses = ScheduleStatus.enum

export const EngagementPage = Page('EngagementPage', refTo(Engagement), 'A page of engagements, in chronological order.')

import { Type } from 'typebox'
import {
  CountryCode, Instant, LanguageQuery, LocalDate, Nullable, Page, PaginationQuery, ScheduleStatus, TEXT_PATTERN, TimeZoneName,
  TranslationsInput, TranslationsView, Uuid, VersionNumber, ViewerQuery, refTo
} from './common.js'
import { Leg } from './legs.js'
import { Engagement } from './engagements.js'

const VisitKind = Type.Enum(['state_visit', 'official_visit', 'working_visit', 'summit', 'tour', 'other'])

const Slug = Type.String({
  minLength: 3,
  maxLength: 100,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'URL-safe name: lower-case letters, digits and single hyphens.',
  examples: ['lee-jae-myung-china-2026']
})

const Principal = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, examples: ['Lee Jae Myung'] }),
  title: Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, examples: ['President of the Republic of Korea'] })
}, { additionalProperties: false, description: 'Who travels.' })

const visitFields = {
  slug: Slug,
  title: Type.String({ minLength: 1, maxLength: 300, pattern: TEXT_PATTERN, examples: ['State visit of President Lee Jae Myung to China'] }),
  titleTranslations: TranslationsInput('The title in other languages.', 300),
  principal: Principal,
  originCountry: CountryCode,
  kind: VisitKind,
  status: ScheduleStatus,
  homeTimeZone: TimeZoneName,
  startDate: LocalDate,
  endDate: LocalDate,
  summary: Nullable(Type.String({ maxLength: 5000, pattern: TEXT_PATTERN }))
}

export const Visit = Type.Object({
  id: Uuid,
  ...visitFields,
  originalTitle: Type.Optional(Type.String({ description: 'With ?lang=: the title as entered, beside the translated title.' })),
  titleTranslations: TranslationsView,
  createdAt: Instant,
  updatedAt: Instant,
  version: VersionNumber
}, {
  $id: 'Visit',
  title: 'Visit',
  description: 'A trip by a head of state or government: the frame of legs and engagements.'
})

export const VisitCreate = Type.Object({
  slug: visitFields.slug,
  title: visitFields.title,
  titleTranslations: Type.Optional(visitFields.titleTranslations),
  principal: visitFields.principal,
  originCountry: visitFields.originCountry,
  kind: visitFields.kind,
  status: Type.Optional(visitFields.status),
  homeTimeZone: visitFields.homeTimeZone,
  startDate: visitFields.startDate,
  endDate: visitFields.endDate,
  summary: Type.Optional(visitFields.summary)
}, {
  $id: 'VisitCreate',
  title: 'VisitCreate',
  additionalProperties: false,
  description: 'status defaults to scheduled. startDate and endDate are the announced calendar dates of the trip.',
  // Not the demo visit, which has its slug already.
  examples: [{
    slug: 'example-state-visit-2026',
    title: 'Example state visit',
    titleTranslations: { ko: '국빈 방문 예시' },
    principal: { name: 'Lee Jae Myung', title: 'President of the Republic of Korea' },
    originCountry: 'KR',
    kind: 'state_visit',
    status: 'confirmed',
    homeTimeZone: 'Asia/Seoul',
    startDate: '2026-01-04',
    endDate: '2026-01-07'
  }]
})

export const VisitPatch = Type.Partial(Type.Object(visitFields), {
  $id: 'VisitPatch',
  title: 'VisitPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; the others keep their values. summary: null clears it.',
  examples: [{ status: 'completed' }]
})

export const VisitListQuery = Type.Object({
  from: Type.Optional(Type.String({ ...LocalDate, description: 'Only visits that end on or after this date.' })),
  to: Type.Optional(Type.String({ ...LocalDate, description: 'Only visits that start on or before this date.' })),
  country: Type.Optional(Type.String({ ...CountryCode, description: 'Only visits with a leg in this country.' })),
  originCountry: Type.Optional(Type.String({ ...CountryCode, description: 'Only visits by a principal from this country.' })),
  principal: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, description: 'Part of the principal\'s name, any case.', examples: ['Lee Jae Myung'] })),
  status: Type.Optional(ScheduleStatus),
  ...LanguageQuery.properties,
  ...PaginationQuery
}, { additionalProperties: false })

const ItineraryDay = Type.Object({
  localDate: LocalDate,
  engagements: Type.Array(refTo(Engagement))
}, { description: 'The engagements of one local day, in chronological order.' })

export const Itinerary = Type.Object({
  visit: refTo(Visit),
  viewerTimeZone: Nullable(Type.String({ examples: ['America/New_York'] }), { description: 'The zone of `viewer` times; null without ?tz=.' }),
  legs: Type.Array(Type.Object({
    leg: refTo(Leg),
    days: Type.Array(ItineraryDay)
  }), { description: 'The legs in order, each with its engagements grouped by the local day they happen on.' }),
  unassigned: Type.Array(ItineraryDay, { description: 'Engagements not attached to any leg.' })
}, { $id: 'Itinerary', title: 'Itinerary' })

export const VisitPage = Page('VisitPage', refTo(Visit), 'A page of visits, by start date.')

export const NowAndNextQuery = Type.Object({
  at: Type.Optional(Type.String({ ...Instant, description: 'The instant to ask about; default: now.' })),
  ...ViewerQuery.properties
}, { additionalProperties: false })

export const NowAndNext = Type.Object({
  at: Instant,
  current: Type.Array(refTo(Engagement), {
    description: 'The engagements going on at `at`, in chronological order: startsAt <= at < endsAt. An exact engagement whose ' +
      'end is not known counts only at its start instant; `part_of_day`, `date` and `tbd` ones over their whole window.'
  }),
  next: Nullable(refTo(Engagement), {
    description: 'The first engagement to start after `at` (whatever its status; cancelled ones say so), never a `tbd` one, ' +
      'whose start is not known; null when nothing follows.'
  })
}, { $id: 'NowAndNext', title: 'NowAndNext', description: 'What is going on in a visit at an instant, and what comes next.' })

import { Type } from 'typebox'
import { DEMO_IDS } from '../demo/demo-ids.js'
import { PRECISIONS } from '../domain/time-window.js'
import {
  CountryCode, Instant, LanguageQuery, LocalDate, Nullable, Page, PaginationQuery, ScheduleStatus, TEXT_PATTERN,
  TranslationsInput, TranslationsView, Uuid, VersionNumber, ViewerTimeZone, VisitIdOrSlug, refTo
} from './common.js'
import { WikidataId } from './participants.js'
import { TimeWindow, TimeWindowInput, ViewerTime } from './time.js'

const EngagementKind = Type.Enum([
  'arrival', 'departure', 'summit', 'meeting', 'talks', 'meal', 'forum',
  'community', 'site_visit', 'ceremony', 'press', 'other'
])

const Confirmation = Type.Enum(['confirmed', 'announced', 'reported', 'unconfirmed'], {
  description: 'How sure it is: confirmed by the organisers or a party to it, announced officially, reported by the press, ' +
    'or unconfirmed. Defaults to unconfirmed.'
})

const PressAccess = Type.Enum(['open', 'pool', 'closed', 'unknown'], {
  description: 'Who of the press may attend: all accredited media, a pool, nobody. Defaults to unknown.'
})

const SourceKind = Type.Enum(['official', 'pool_report', 'media', 'other'], {
  description: 'official: a government or organiser; pool_report: the press pool; media: a news outlet. Defaults to other.'
})

const ParticipantRole = Type.Enum(['host', 'counterpart', 'guest', 'greeter', 'attendee'], {
  description: 'The part the person plays in this engagement.'
})

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN })
const OptionalText = Type.String({ maxLength: 300, pattern: TEXT_PATTERN })

const VenueInput = Type.Object({
  name: Type.String({ ...Name, examples: ['Wanda Vista Hotel'] }),
  city: Type.String({ ...Name, examples: ['Beijing'] }),
  country: CountryCode,
  nameTranslations: Type.Optional(TranslationsInput('The venue\'s name in other languages.', 200)),
  address: Type.Optional(Type.String({ maxLength: 500, pattern: TEXT_PATTERN })),
  latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 }))
}, {
  additionalProperties: false,
  description: 'A venue is one place shared by every engagement held there, found by name, city and country; ' +
    'an address or coordinates sent here update that place. Sent with an engagement under embargo, they stay with that ' +
    'engagement until it is published (its embargo ends or is lifted); a venue nobody has named publicly is then its own ' +
    'draft, seen by no one else.'
})

const ParticipantInput = Type.Object({
  name: Type.String({ ...Name, examples: ['Xi Jinping'] }),
  role: ParticipantRole,
  title: Type.Optional(Type.String({ ...OptionalText, examples: ['President of the People\'s Republic of China'] })),
  organisation: Type.Optional(OptionalText),
  country: Type.Optional(CountryCode),
  wikidataId: Type.Optional(WikidataId),
  nameTranslations: Type.Optional(TranslationsInput('The person\'s name in other languages; merged into what is known of them.', 200))
}, {
  additionalProperties: false,
  description: 'A person is one record across engagements and visits (GET /v1/participants/{id}), found again by wikidataId, ' +
    'else by name (ignoring case, accents and spacing), else by one of their alternative names; a new person only when none ' +
    'matches. Title and organisation are as held at this engagement. Under embargo, what is sent about the person (country, ' +
    'translations, wikidataId) waits for the engagement\'s publication, and someone nobody has named publicly is the ' +
    'engagement\'s own draft until then (seen only with read:embargoed).'
})

const SourceInput = Type.Object({
  url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })),
  title: Type.String({ minLength: 1, maxLength: 500, pattern: TEXT_PATTERN }),
  kind: Type.Optional(SourceKind),
  publisher: Type.Optional(Type.String({ maxLength: 200, pattern: TEXT_PATTERN })),
  publishedAt: Type.Optional(Instant)
}, { additionalProperties: false, description: 'Where the information comes from.' })

const OriginalName = Type.Optional(Type.String({ description: 'With ?lang=: the name as entered, beside the translated name.' }))

export const Venue = Type.Object({
  id: Uuid,
  name: Type.String(),
  originalName: OriginalName,
  nameTranslations: TranslationsView,
  city: Type.String(),
  country: CountryCode,
  address: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number())
}, { $id: 'Venue', title: 'Venue' })

export const EngagementParticipant = Type.Object({
  participantId: Uuid,
  name: Type.String({ examples: ['Xi Jinping'] }),
  originalName: OriginalName,
  role: ParticipantRole,
  title: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  country: Nullable(CountryCode)
}, { $id: 'EngagementParticipant', title: 'EngagementParticipant' })

export const Source = Type.Object({
  url: Nullable(Type.String()),
  title: Type.String(),
  kind: SourceKind,
  publisher: Nullable(Type.String()),
  publishedAt: Nullable(Instant)
}, { $id: 'Source', title: 'Source' })

export const Engagement = Type.Object({
  id: Uuid,
  visitId: Uuid,
  legId: Nullable(Uuid),
  title: Type.String({ examples: ['Summit with President Xi Jinping'] }),
  originalTitle: Type.Optional(Type.String({ description: 'With ?lang=: the title as entered, beside the translated title.' })),
  titleTranslations: TranslationsView,
  kind: EngagementKind,
  status: ScheduleStatus,
  confirmation: Confirmation,
  announcedAt: Nullable(Instant, { description: 'When the engagement was first made public; null: not known.' }),
  pressAccess: PressAccess,
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
  titleTranslations: TranslationsInput('The title in other languages.', 300),
  kind: EngagementKind,
  status: ScheduleStatus,
  confirmation: Confirmation,
  announcedAt: Instant,
  pressAccess: PressAccess,
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
  titleTranslations: Type.Optional(engagementInputFields.titleTranslations),
  status: Type.Optional(engagementInputFields.status),
  confirmation: Type.Optional(engagementInputFields.confirmation),
  announcedAt: Type.Optional(engagementInputFields.announcedAt),
  pressAccess: Type.Optional(engagementInputFields.pressAccess),
  venue: Type.Optional(engagementInputFields.venue),
  participants: Type.Optional(engagementInputFields.participants),
  description: Type.Optional(engagementInputFields.description),
  sources: Type.Optional(engagementInputFields.sources),
  embargoUntil: Type.Optional(engagementInputFields.embargoUntil)
}, {
  $id: 'EngagementCreate',
  title: 'EngagementCreate',
  additionalProperties: false,
  description: 'status defaults to scheduled, confirmation to unconfirmed, pressAccess to unknown. Without legId, time.timeZone is required.',
  examples: [{
    legId: DEMO_IDS.legs.beijing,
    title: 'Summit with President Xi Jinping',
    kind: 'summit',
    confirmation: 'confirmed',
    pressAccess: 'pool',
    titleTranslations: { ko: '시진핑 주석과 정상회담', zh: '与习近平主席会谈' },
    time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
    participants: [{ name: 'Xi Jinping', role: 'counterpart', title: 'President of the People\'s Republic of China', country: 'CN' }]
  }]
})

export const EngagementPatch = Type.Object({
  legId: Type.Optional(Nullable(engagementInputFields.legId)),
  title: Type.Optional(engagementInputFields.title),
  titleTranslations: Type.Optional(engagementInputFields.titleTranslations),
  kind: Type.Optional(engagementInputFields.kind),
  status: Type.Optional(engagementInputFields.status),
  confirmation: Type.Optional(engagementInputFields.confirmation),
  announcedAt: Type.Optional(Nullable(engagementInputFields.announcedAt)),
  pressAccess: Type.Optional(engagementInputFields.pressAccess),
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
  description: 'The fields to change. time, titleTranslations, participants and sources are replaced whole; ' +
    'null clears legId, venue, description, announcedAt or embargoUntil.',
  examples: [{ status: 'confirmed', time: { precision: 'exact', localStart: '2026-01-05T16:00', localEnd: '2026-01-05T17:30' } }]
})

const csvOf = (description: string, example: string) =>
  Type.String({ maxLength: 500, pattern: '^[a-z_]+(,[a-z_]+)*$', description, examples: [example] })

export const EngagementListQuery = Type.Object({
  visit: Type.Optional(Type.String({ ...VisitIdOrSlug, description: 'A visit id or slug.' })),
  from: Type.Optional(Type.String({ ...Instant, description: 'Only engagements still going on at or after this instant.' })),
  to: Type.Optional(Type.String({ ...Instant, description: 'Only engagements that start before this instant.' })),
  date: Type.Optional(Type.String({
    ...LocalDate,
    description: 'A calendar date. Without tz: engagements on that local date where they happen. ' +
      'With tz: engagements whose window overlaps that day in tz.'
  })),
  tz: Type.Optional(Type.String({ ...ViewerTimeZone, description: 'The reader\'s zone: adds `viewer` times, and is the zone of `date`.', examples: ['Asia/Seoul'] })),
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
  precision: Type.Optional(csvOf(`Time precision(s): ${PRECISIONS.join(', ')}.`, 'tbd')),
  confirmation: Type.Optional(csvOf('Confirmation level(s): confirmed, announced, reported, unconfirmed.', 'confirmed,announced')),
  pressAccess: Type.Optional(csvOf('Press access: open, pool, closed, unknown.', 'open,pool')),
  sourceKind: Type.Optional(csvOf('Only engagements with at least one source of this kind (or one of these kinds).', 'official')),
  announcedSince: Type.Optional(Type.String({ ...Instant, description: 'Only engagements announced at or after this instant.' })),
  at: Type.Optional(Type.String({
    ...Instant,
    description: 'Only engagements going on at this instant: startsAt <= at < endsAt. An exact engagement whose end is not ' +
      'known counts only at its start instant (nothing says how long it lasts); `part_of_day`, `date` and `tbd` ones over their ' +
      'whole window, which `time.precision` tells apart.'
  })),
  q: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: TEXT_PATTERN,
    description: 'Full-text search in titles, people\'s names (with alternative and translated names), venues, cities and ' +
      'descriptions, in any language, case and accents ignored (`sao paulo` finds "São Paulo"). Every word must match; ' +
      'the last one may be the start of a word, so results follow typing. With q the list comes best match first (a word ' +
      'in the title or a name counts more than in a place, which counts more than in the description), then in ' +
      'chronological order; without q, in chronological order. q with no letter or digit is a 400.',
    examples: ['zhao leji']
  })),
  ...LanguageQuery.properties,
  ...PaginationQuery
}, { additionalProperties: false })

export const EngagementKinds = EngagementKind.enum
export const ScheduleStatuses = ScheduleStatus.enum
export const Confirmations = Confirmation.enum
export const PressAccessLevels = PressAccess.enum
export const SourceKinds = SourceKind.enum

export const EngagementPage = Page('EngagementPage', refTo(Engagement), 'A page of engagements, in chronological order; with `q`, best match first.')

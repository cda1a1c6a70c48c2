import { Type } from 'typebox'
import {
  CountryCode, Instant, Nullable, Page, PaginationQuery, TEXT_PATTERN, TranslationsInput, TranslationsView, Uuid,
  VersionNumber, ViewerQuery, refTo
} from './common.js'

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, examples: ['Xi Jinping'] })

export const WikidataId = Type.String({
  pattern: '^Q[1-9][0-9]*$',
  maxLength: 20,
  description: 'The person\'s item on Wikidata (https://www.wikidata.org/wiki/<id>): the surest way to say who they are.',
  examples: ['Q15031']
})

const AltNames = Type.Array(Name, {
  maxItems: 20,
  uniqueItems: true,
  description: 'Other spellings and transliterations; an engagement naming the person this way is linked to them.',
  examples: [['Xi Jin-ping']]
})

export const Participant = Type.Object({
  id: Uuid,
  name: Type.String({ examples: ['Xi Jinping'] }),
  country: Nullable(CountryCode),
  wikidataId: Nullable(WikidataId),
  altNames: Type.Array(Type.String(), { examples: [['Xi Jin-ping']] }),
  nameTranslations: TranslationsView,
  engagementCount: Type.Integer({ minimum: 0, maximum: 2147483647, format: 'int32', description: 'Engagements of this person, across all visits, that you may see.' }),
  createdAt: Instant,
  updatedAt: Instant,
  version: VersionNumber
}, {
  $id: 'Participant',
  title: 'Participant',
  description: 'One person, one record across engagements and visits. Role, title and organisation belong to each engagement.'
})

export const ParticipantPatch = Type.Object({
  name: Type.Optional(Name),
  country: Type.Optional(Nullable(CountryCode)),
  wikidataId: Type.Optional(Nullable(WikidataId)),
  altNames: Type.Optional(AltNames),
  nameTranslations: Type.Optional(TranslationsInput('The name in other languages, by BCP 47 tag; replaces those known.', 200))
}, {
  $id: 'ParticipantPatch',
  title: 'ParticipantPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; altNames and nameTranslations are replaced whole; null clears country or wikidataId. ' +
    'A name (ignoring case, accents and spacing) or a wikidataId that another participant has is a conflict (409).',
  examples: [{ wikidataId: 'Q15031', altNames: ['Xi Jin-ping'], nameTranslations: { ko: '시진핑', zh: '习近平' } }]
})

/** If-Match alone: changes of people are not in the change feed, so they take no reason or source. */
export const ParticipantPage = Page('ParticipantPage', refTo(Participant), 'A page of participants, best match first, then by name.')

export const ParticipantListQuery = Type.Object({
  q: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: TEXT_PATTERN,
    description: 'Part of a name, an alternative name or a translated name, case and accents ignored. Best matches first: ' +
      'the whole name, then names starting with q, then a word starting with q, then q anywhere; then by name.',
    examples: ['xi jin']
  })),
  ...PaginationQuery
}, { additionalProperties: false })

export const ParticipantEngagementsQuery = Type.Object({
  ...ViewerQuery.properties,
  ...PaginationQuery
}, { additionalProperties: false })

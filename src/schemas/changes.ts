import { Type } from 'typebox'
import { CHANGE_ACTIONS, CHANGE_ENTITIES } from '../domain/changes.js'
import { Instant, Nullable, Page, PaginationQuery, TEXT_PATTERN, Uuid, refTo } from './common.js'

const FieldChange = Type.Object({
  old: Type.Unknown({ description: 'The value before, in the API representation; null for a create.' }),
  new: Type.Unknown({ description: 'The value after; null for a delete.' })
})

export const ChangeRecord = Type.Object({
  sequence: Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    format: 'int64',
    description: 'The change\'s number in your feed. Without read:embargoed: 1, 2, 3... in the order changes became public, ' +
      'counting public changes only (a change under embargo gets its number when the embargo ends). With read:embargoed: ' +
      'increasing in the order changes were committed, every change counted.'
  }),
  entity: Type.Enum([...CHANGE_ENTITIES]),
  entityId: Uuid,
  visitId: Type.String({ format: 'uuid', description: 'The visit the entity belongs or belonged to.' }),
  action: Type.Enum([...CHANGE_ACTIONS]),
  fields: Type.Record(Type.String(), FieldChange, {
    description: 'Field -> { old, new }, as the API shows the entity: for an update the fields that changed, for a create ' +
      'every field (old null), for a delete every field (new null). id, version, createdAt and updatedAt are left out. ' +
      'Empty on the tombstone of an engagement deleted while under embargo, unless the token has read:embargoed.'
  }),
  snapshot: Nullable(Type.Object({}, { additionalProperties: true }), {
    description: 'The entity as GET showed it right after the change (a Visit, Leg or Engagement); null for a delete. ' +
      'Apply it whole to mirror the entity.'
  }),
  actor: Type.String({ description: 'The name of the token that made the change.', examples: ['yonhap-desk'] }),
  reason: Nullable(Type.String({ examples: ['청와대 발표에 따라 시간 변경'] }), { description: 'What the writer gave in the Change-Reason header, decoded.' }),
  source: Nullable(Type.String({ examples: ['https://www.president.go.kr/briefing/1234'] }), { description: 'What the writer gave in the Change-Source header.' }),
  recordedAt: Instant,
  summary: Type.String({
    description: 'The change in one line of English, for people.',
    examples: ['Summit with President Xi Jinping: moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening']
  })
}, {
  $id: 'ChangeRecord',
  title: 'ChangeRecord',
  description: 'One create, update or delete of a visit, leg or engagement. A delete is a tombstone: drop the entity.'
})

export const ChangeFeed = Type.Object({
  data: Type.Array(refTo(ChangeRecord)),
  nextCursor: Type.String({ description: 'Poll again with since=<nextCursor>; present on every response, also an empty one.' }),
  hasMore: Type.Boolean({ description: 'true when more changes are already waiting after nextCursor: ask again at once.' })
}, {
  $id: 'ChangeFeed',
  title: 'ChangeFeed',
  description: 'Changes in the order to apply them, oldest first.'
})

export const ChangeHistory = Page('ChangeHistory', refTo(ChangeRecord), 'A visit\'s changes, newest first.')

export const ChangeFeedQuery = Type.Object({
  since: Type.Optional(Type.String({
    maxLength: 512,
    pattern: TEXT_PATTERN,
    description: 'The nextCursor of your previous poll; `now` for no changes and a cursor at the end of the feed; ' +
      'absent to start at the oldest retained change.',
    examples: ['now']
  })),
  limit: PaginationQuery.limit
}, { additionalProperties: false })

export const ChangeHistoryQuery = Type.Object(PaginationQuery, { additionalProperties: false })

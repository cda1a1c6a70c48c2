import { isDeepStrictEqual } from 'node:util'
import { canReadEmbargoed, type TokenScope } from './access.js'
import { decodeCursor, encodeCursor, isSequenceNumber } from './cursor.js'
import { InputError } from './errors.js'
import { isValidInstant } from './time-zones.js'

/**
 * Change records: what changed in a visit, leg or engagement, in the API's own representation,
 * and how to say it to a person. The database side (locking, ordering, storage) is in
 * src/db/changes.ts.
 */

export const CHANGE_ENTITIES = ['visit', 'leg', 'engagement'] as const
export type ChangeEntity = typeof CHANGE_ENTITIES[number]
export const CHANGE_ACTIONS = ['create', 'update', 'delete'] as const
export type ChangeAction = typeof CHANGE_ACTIONS[number]

/** An entity as the API shows it (presentVisit, presentLeg, presentEngagement). */
export type Representation = Readonly<Record<string, unknown>> & { readonly id: string }

export interface FieldChange { old: unknown, new: unknown }
export type FieldChanges = Record<string, FieldChange>

/** Who made a change and on what grounds, as the writer declared it. */
export interface ChangeAuthor {
  /** The name of the token that wrote. */
  actor: string
  reason: string | null
  /** An https URL the change is based on. */
  source: string | null
}

/** A change as stored, whatever the reader may see of it. */
export interface ChangeFacts {
  entity: ChangeEntity
  action: ChangeAction
  fields: FieldChanges
  /** The entity after the change; null for a delete. */
  snapshot: Readonly<Record<string, unknown>> | null
  recordedAt: Date
}

// Bookkeeping every write touches: listing it would make every change look alike.
const BOOKKEEPING_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'version'])

export function changeAction (before: Representation | null, after: Representation | null): ChangeAction {
  if (before === null) return 'create'
  return after === null ? 'delete' : 'update'
}

/**
 * Field name -> { old, new } between two representations of one entity: for an update, the
 * fields that differ; for a create (no `before`) every field, old null; for a delete (no
 * `after`) every field, new null.
 */
export function changedFields (before: Representation | null, after: Representation | null): FieldChanges {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  const fields: FieldChanges = {}
  for (const name of names) {
    if (BOOKKEEPING_FIELDS.has(name)) continue
    const oldValue = before?.[name] ?? null
    const newValue = after?.[name] ?? null
    if (before !== null && after !== null && isDeepStrictEqual(oldValue, newValue)) continue
    fields[name] = { old: oldValue, new: newValue }
  }
  return fields
}

/**
 * A delete of an engagement that was still under embargo. Its tombstone is public at once, so
 * that every mirror drops the id, but a reader without read:embargoed must learn nothing more:
 * not the title, not the reason.
 */
export function isEmbargoedTombstone (change: ChangeFacts): boolean {
  const embargoUntil = change.fields.embargoUntil?.old
  return change.entity === 'engagement' && change.action === 'delete' &&
    typeof embargoUntil === 'string' && new Date(embargoUntil) > change.recordedAt
}

/** What a reader with these scopes may see of a change's fields, reason and source. */
export function visibleDetails<T extends ChangeFacts & { reason: string | null, source: string | null }> (change: T, scopes: readonly TokenScope[]): T {
  if (canReadEmbargoed(scopes) || !isEmbargoedTombstone(change)) return change
  return { ...change, fields: {}, reason: null, source: null }
}

// ---- Summaries --------------------------------------------------------------------------

const ENTITY_NOUNS: Record<ChangeEntity, string> = { visit: 'The visit', leg: 'The leg', engagement: 'An engagement' }
// Strings longer than this are named, not quoted: a summary is one line.
const QUOTABLE_LENGTH = 80
// The changes a reader looks for first; the others follow in alphabetical order.
const LEADING_FIELDS = ['title', 'status', 'time']

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField (value: unknown, name: string): string | null {
  const field = isRecord(value) ? value[name] : undefined
  return typeof field === 'string' ? field : null
}

/** A field's value after the change, or before it when the change removed the entity. */
function currentValue (change: ChangeFacts, name: string): unknown {
  return change.snapshot?.[name] ?? change.fields[name]?.old ?? null
}

function entityLabel (change: ChangeFacts): string {
  if (change.entity === 'leg') {
    const city = currentValue(change, 'city')
    return typeof city === 'string' ? `${city} leg` : ENTITY_NOUNS.leg
  }
  const title = currentValue(change, 'title')
  return typeof title === 'string' ? title : ENTITY_NOUNS[change.entity]
}

/** "camelCase" -> "camel case". */
function fieldWords (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

function plainValue (value: unknown): string {
  if (value === null) return 'none'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function isQuotable (value: unknown): boolean {
  return value === null || typeof value === 'number' || typeof value === 'boolean' ||
    (typeof value === 'string' && value.length <= QUOTABLE_LENGTH)
}

/** The time object's label ("Monday 5 January 2026, afternoon"), else its local start. */
function timeText (time: unknown): string {
  return stringField(time, 'label') ?? stringField(time, 'localStart') ?? 'no time'
}

/** A list's people, each keyed by participantId where it has one (a renamed person stays the same person). */
function people (list: unknown): Map<string, string> {
  const named = new Map<string, string>()
  for (const item of Array.isArray(list) ? list : []) {
    const name = stringField(item, 'name')
    if (name !== null) named.set(stringField(item, 'participantId') ?? name, name)
  }
  return named
}

function participantsPhrase ({ old: before, new: after }: FieldChange): string {
  const was = people(before)
  const now = people(after)
  const added = [...now].filter(([key]) => !was.has(key)).map(([, name]) => name)
  const removed = [...was].filter(([key]) => !now.has(key)).map(([, name]) => name)
  const renamed = [...now].filter(([key, name]) => was.has(key) && was.get(key) !== name).map(([key, name]) => `${was.get(key)} to ${name}`)
  const parts = [
    ...(added.length > 0 ? [`added ${added.join(', ')}`] : []),
    ...(removed.length > 0 ? [`removed ${removed.join(', ')}`] : []),
    ...(renamed.length > 0 ? [`renamed ${renamed.join(', ')}`] : [])
  ]
  return parts.length > 0 ? `participants: ${parts.join(', ')}` : 'participants\' roles, titles, countries or order changed'
}

/** "venue changed from A to B", or, for the same venue (or principal) with new details, "venue A: address changed". */
function namedRecordPhrase (name: string, { old: before, new: after }: FieldChange): string {
  const was = stringField(before, 'name')
  const now = stringField(after, 'name')
  if (was === null || was !== now || !isRecord(before) || !isRecord(after)) return `${name} changed from ${was ?? 'none'} to ${now ?? 'none'}`
  const details = Object.keys(after).filter((key) => !isDeepStrictEqual(before[key], after[key])).map(fieldWords)
  return `${name} ${now}: ${details.length > 0 ? details.join(', ') : 'details'} changed`
}

function fieldPhrase (name: string, change: FieldChange): string {
  const { old: before, new: after } = change
  switch (name) {
    case 'time':
      return `moved from ${timeText(before)} to ${timeText(after)}`
    case 'title':
      return `renamed from "${plainValue(before)}" to "${plainValue(after)}"`
    case 'participants':
      return participantsPhrase(change)
    case 'venue':
    case 'principal':
      return namedRecordPhrase(name, change)
    case 'embargoUntil':
      return after === null ? 'embargo lifted' : `embargoed until ${plainValue(after)}`
    case 'legId':
      if (after === null) return 'taken off its leg'
      return before === null ? 'placed on a leg' : 'moved to another leg'
  }
  if (isQuotable(before) && isQuotable(after)) return `${fieldWords(name)} changed from ${plainValue(before)} to ${plainValue(after)}`
  return `${fieldWords(name)} changed`
}

function fieldOrder (a: string, b: string): number {
  const rank = (name: string) => {
    const index = LEADING_FIELDS.indexOf(name)
    return index === -1 ? LEADING_FIELDS.length : index
  }
  return rank(a) - rank(b) || a.localeCompare(b, 'en')
}

/**
 * One line for people: "Summit with President Xi Jinping: moved from Monday 5 January 2026,
 * afternoon to Monday 5 January 2026, evening", "Beijing leg: added", "State visit: deleted".
 */
export function describeChange (change: ChangeFacts): string {
  const label = entityLabel(change)
  if (change.action === 'create') return `${label}: added`
  if (change.action === 'delete') return `${label}: deleted`
  const phrases = Object.keys(change.fields).sort(fieldOrder).map((name) => fieldPhrase(name, change.fields[name] as FieldChange))
  return `${label}: ${phrases.length > 0 ? phrases.join('; ') : 'saved with no visible change'}`
}

// ---- Writer's headers -------------------------------------------------------------------

export const CHANGE_REASON_MAX_LENGTH = 500

function reasonError (message: string) {
  return new InputError('invalid', `The Change-Reason header ${message}.`, [{ path: '/headers/change-reason', message }])
}

/**
 * The Change-Reason header as text. Header values are ASCII, so other characters come
 * percent-encoded as UTF-8 (what encodeURIComponent produces: "%EC%9D%BC%EC%A0%95" is 일정);
 * every run of %XX is decoded, and a % not followed by two hex digits stays as it is. Empty
 * means no reason.
 */
export function decodeChangeReason (header: string): string | null {
  let text: string
  try {
    text = header.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => decodeURIComponent(run)).trim()
  } catch {
    throw reasonError('has a percent-encoded sequence that is not UTF-8')
  }
  if ([...text].length > CHANGE_REASON_MAX_LENGTH) throw reasonError(`is longer than ${CHANGE_REASON_MAX_LENGTH} characters once decoded`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw reasonError('decodes to a control character; a reason is one line of text')
  return text === '' ? null : text
}

/** The Change-Source header, once its schema has made it an https:// string without blanks: it must also parse as a URL. */
export function checkChangeSource (header: string): string {
  if (URL.canParse(header)) return header
  throw new InputError('invalid', 'The Change-Source header must be an https URL.', [{ path: '/headers/change-source', message: 'is not a URL' }])
}

// ---- Feed cursors -----------------------------------------------------------------------

/**
 * How a reader's feed is ordered. Without read:embargoed a change of an embargoed engagement
 * joins the feed only when its embargo ends, so that feed runs in the order changes became
 * public, numbered by publicSequence; with it, every change is there from the start, in order of
 * sequence (which is commit order).
 */
export type FeedOrder = 'public' | 'recorded'

export function feedOrderFor (scopes: readonly TokenScope[]): FeedOrder {
  return canReadEmbargoed(scopes) ? 'recorded' : 'public'
}

/** A place in the feed: after the change numbered `sequence` in the reader's order. */
export interface FeedPosition {
  order: FeedOrder
  /** When that change became public (public order) or was recorded: tells the cursor's age. */
  at: Date
  /** The change's publicSequence (public order) or sequence. */
  sequence: bigint
}

/**
 * A cursor of the public feed from before changes had public numbers: a place in the order of
 * (visibleAt, sequence), where sequence counted every change. Still accepted (src/db/changes.ts).
 */
export interface LegacyFeedPosition {
  order: 'visible'
  at: Date
  sequence: bigint
}

export function encodeFeedCursor (position: FeedPosition): string {
  return encodeCursor([position.order, position.at.toISOString(), String(position.sequence)])
}

const FEED_DESCRIPTIONS: Record<FeedOrder, string> = {
  public: 'the public feed (read without the read:embargoed scope), ordered by when changes became public',
  recorded: 'the full feed (read with the read:embargoed scope), ordered by when changes were made'
}

/**
 * The position in a `since` cursor. 400 when it is not a feed cursor, or when it belongs to the
 * other order: its position means nothing there, and reading on would skip or repeat changes.
 */
export function decodeFeedCursor (cursor: string, order: FeedOrder): FeedPosition | LegacyFeedPosition {
  let parts: string[]
  try {
    parts = decodeCursor(cursor, [(part) => part === 'public' || part === 'recorded' || part === 'visible', isValidInstant, isSequenceNumber])
  } catch {
    throw new InputError('invalid', 'since is not a cursor from GET /v1/changes; start with since=now, or without since to read every retained change.', [
      { path: '/query/since', message: 'is not a cursor from this feed' }
    ])
  }
  const [tag, at, sequence] = parts as [FeedOrder | 'visible', string, string]
  const cursorOrder: FeedOrder = tag === 'visible' ? 'public' : tag
  if (cursorOrder !== order) {
    throw new InputError('invalid', `This cursor comes from ${FEED_DESCRIPTIONS[cursorOrder]}, but this request reads ${FEED_DESCRIPTIONS[order]}. ` +
      'Poll with the same kind of token that got the cursor, or start this feed again with since=now.', [
      { path: '/query/since', message: 'belongs to a feed ordered differently' }
    ])
  }
  return tag === 'visible'
    ? { order: 'visible', at: new Date(at), sequence: BigInt(sequence) }
    : { order: cursorOrder, at: new Date(at), sequence: BigInt(sequence) }
}

/** Whether changes after this position may already have been pruned. */
export function isExpired (position: { at: Date }, now: Date, retentionMs: number): boolean {
  return position.at.getTime() < now.getTime() - retentionMs
}

/** "90 days", "2 seconds": the retention window, for messages. */
export function describeRetention (retentionMs: number): string {
  const days = retentionMs / 86_400_000
  if (Number.isInteger(days)) return days === 1 ? '1 day' : `${days} days`
  const seconds = Math.round(retentionMs / 1000)
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

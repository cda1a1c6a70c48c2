import {
  changeAction, changedFields, isExpired, type ChangeAuthor, type ChangeEntity, type ChangeFacts, type FeedOrder,
  type FeedPosition, type FieldChanges, type LegacyFeedPosition, type Representation
} from '../domain/changes.js'
import { Prisma, type Change as ChangeRow } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'

/**
 * The change log behind GET /v1/changes and a visit's history (the `changes` table).
 *
 * A poller keeps a cursor (a position in the feed) and asks for what comes after it, so the feed
 * must never place a change before a position it has already handed out. Sequence numbers alone
 * do not promise that: they are drawn when a row is inserted, not when its transaction commits,
 * so a poller could read 12 while 11 is still uncommitted and step over 11 for good. Hence one
 * advisory lock for the whole feed:
 * - a writer takes it exclusively just before inserting its records and keeps it until commit,
 *   then draws its sequence numbers and reads the clock for recordedAt: sequence order and
 *   recordedAt order are commit order;
 * - a feed read takes it shared in its own short transaction: it waits for a writer that is
 *   committing, and once it holds the lock, every change not yet committed belongs to a writer
 *   that will lock after this read ends, so that change gets a larger sequence and a recordedAt
 *   (and visibleAt) no earlier than the read's clock. Whatever cursor the read returns, the
 *   changes it did not see come after it.
 * Writers therefore queue for the lock from their last statement to their commit, a few
 * milliseconds; that is the price of a feed a mirror can trust.
 *
 * The public feed (readers without read:embargoed) must not even count what it does not show:
 * gaps in its numbers would tell that something hidden happened, how often and when. So a change
 * gets its public number (publicSequence) only once it is visible, under the same exclusive lock:
 * 1, 2, 3... in the order changes became visible, whether they did when written or when an embargo
 * ended (numberVisibleChanges, run by every writer, by the publication plugin each second and by a
 * public read that finds changes visible but not yet numbered).
 */

// Any constant no other advisory lock uses: "chng" in ASCII.
const FEED_LOCK_KEY = 0x63686e67

/** A change as stored, with the writer's reason and source. */
export interface StoredChange extends ChangeFacts {
  sequence: bigint
  /** Its number in the public feed; null while it is not public. */
  publicSequence: bigint | null
  entityId: string
  visitId: string
  actor: string
  reason: string | null
  source: string | null
}

/** One entity before and after a write; null before for a create, null after for a delete. */
export interface EntityChange {
  entity: ChangeEntity
  before: Representation | null
  after: Representation | null
}

type Row = Pick<ChangeRow, 'sequence' | 'publicSequence' | 'entityId' | 'visitId' | 'actor' | 'reason' | 'source' | 'recordedAt' | 'fields' | 'snapshot'> & {
  entity: string
  action: string
}

export function storedChange (row: Row): StoredChange {
  return {
    sequence: row.sequence,
    publicSequence: row.publicSequence,
    entity: row.entity as StoredChange['entity'],
    entityId: row.entityId,
    visitId: row.visitId,
    action: row.action as StoredChange['action'],
    fields: row.fields as unknown as FieldChanges,
    snapshot: row.snapshot as StoredChange['snapshot'],
    actor: row.actor,
    reason: row.reason,
    source: row.source,
    recordedAt: row.recordedAt
  }
}

function visitIdOf (entity: ChangeEntity, representation: Representation): string {
  return entity === 'visit' ? representation.id : representation.visitId as string
}

/**
 * Records the changes of one write, in its transaction, as its last statements: the lock they
 * take is held to the commit, and every other writer waits for it.
 *
 * visibleAt says when readers without read:embargoed may see a record: for an engagement created
 * or updated under embargo, when the embargo ends; otherwise at once. The same engagement's
 * earlier records that are still hidden move to the new record's visibleAt, so that a public
 * reader always gets one engagement's records in the order they were made, whether the embargo
 * is lifted early or pushed back. A delete hides them for ever ('infinity'): what was deleted
 * under embargo is never published. Its tombstone is public at once only for an engagement the
 * public has seen (a re-embargoed one, which mirrors must drop; the feed redacts the rest of it);
 * of one that never was public, the public learns nothing, not even its id.
 */
export async function recordChanges (tx: Prisma.TransactionClient, author: ChangeAuthor, changes: readonly EntityChange[]): Promise<void> {
  if (changes.length === 0) return
  const records = changes.map(({ entity, before, after }, position) => {
    const current = (after ?? before) as Representation
    const fields = changedFields(before, after)
    return {
      position,
      entity,
      entity_id: current.id,
      visit_id: visitIdOf(entity, current),
      action: changeAction(before, after),
      fields,
      snapshot: after,
      embargo_until: entity === 'engagement' ? after?.embargoUntil ?? null : null
    }
  })
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK_KEY}::bigint)`
  await tx.$executeRaw`
    WITH clock AS MATERIALIZED (SELECT clock_timestamp()::timestamptz(3) AS now),
    incoming AS MATERIALIZED (
      SELECT record.*,
        CASE
          WHEN record.entity <> 'engagement' THEN clock.now
          WHEN record.action <> 'delete' THEN greatest(clock.now, record.embargo_until)
          WHEN EXISTS (SELECT 1 FROM changes AS seen WHERE seen.entity = 'engagement' AND seen.entity_id = record.entity_id
            AND seen.visit_id = record.visit_id AND seen.visible_at <= clock.now) THEN clock.now
          ELSE 'infinity'
        END AS visible_at
      FROM clock, jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS record(
        position int, entity "ChangeEntity", entity_id uuid, visit_id uuid, action "ChangeAction",
        fields jsonb, snapshot jsonb, embargo_until timestamptz)
    ),
    retimed AS (
      UPDATE changes SET visible_at = CASE WHEN incoming.action = 'delete' THEN 'infinity' ELSE incoming.visible_at END
      FROM incoming, clock
      WHERE incoming.entity = 'engagement' AND changes.entity = 'engagement'
        AND changes.visit_id = incoming.visit_id AND changes.entity_id = incoming.entity_id
        AND changes.visible_at > clock.now
    )
    INSERT INTO changes (entity, entity_id, visit_id, action, fields, snapshot, actor, reason, source, recorded_at, visible_at)
    SELECT entity, entity_id, visit_id, action, fields, snapshot, ${author.actor}::text, ${author.reason}::text, ${author.source}::text,
      clock.now, visible_at
    FROM incoming, clock
    ORDER BY position`
  await numberVisibleChanges(tx)
}

/**
 * Gives every change that is visible and has no public number yet the next numbers, in the order
 * they became visible. Call with the feed lock held exclusively.
 */
async function numberVisibleChanges (tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`
    WITH due AS (
      SELECT sequence, row_number() OVER (ORDER BY visible_at, sequence) AS n FROM changes
      WHERE public_sequence IS NULL AND visible_at <= clock_timestamp()
    ),
    numbered AS (SELECT coalesce(max(public_sequence), 0) AS top FROM changes)
    UPDATE changes SET public_sequence = numbered.top + due.n
    FROM due, numbered WHERE changes.sequence = due.sequence`
}

/**
 * Numbers the changes that became visible since the last write (an embargo that ended is not
 * a write): a look at an index when there are none, a short exclusive lock when there are.
 */
export async function numberNewlyVisibleChanges (prisma: PrismaClient): Promise<void> {
  const [due] = await prisma.$queryRaw<Array<{ due: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM changes WHERE public_sequence IS NULL AND visible_at <= clock_timestamp()) AS due`
  if (due?.due !== true) return
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK_KEY}::bigint)`
    await numberVisibleChanges(tx)
  })
}

/**
 * Locks a visit that is about to be deleted, if it is still at `version`. FOR UPDATE conflicts
 * with the lock a new leg's or engagement's foreign key takes, so none can be added between
 * reading the visit's children (to write their tombstones) and the cascade that deletes them.
 */
export async function lockVisitAtVersion (tx: Prisma.TransactionClient, id: string, version: number): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM visits WHERE id = ${id}::uuid AND version = ${version}::int FOR UPDATE`
  return rows.length > 0
}

export interface FeedRequest {
  order: FeedOrder
  /** After this position; 'now' for the position at the end of the feed; null for the oldest retained change. */
  since: FeedPosition | LegacyFeedPosition | 'now' | null
  limit: number
  retentionMs: number
}

export type FeedRead =
  | { kind: 'page', changes: StoredChange[], hasMore: boolean, next: FeedPosition }
  | { kind: 'expired' }

/**
 * A page of the feed after `since`, read under the shared feed lock (see the top of this file).
 * The public feed first numbers what became visible since the last write. The same read prunes
 * what is past retention: a poll costs one more index probe, while writes, which all queue for
 * the feed lock, stay as short as they are. A record is pruned once it has been visible for the
 * whole window (visibleAt is never before recordedAt), so every pruned record sorts before any
 * cursor younger than the window, which is what makes "older than the window" the exact test for
 * a 410. Records hidden for ever go by recordedAt.
 */
export async function readChangeFeed (prisma: PrismaClient, request: FeedRequest): Promise<FeedRead> {
  const { order, limit, retentionMs } = request
  if (order === 'public') await numberNewlyVisibleChanges(prisma)
  return prisma.$transaction(async (tx) => {
    const [{ now }] = await tx.$queryRaw<[{ now: Date }]>`
      SELECT clock_timestamp()::timestamptz(3) AS now, pg_advisory_xact_lock_shared(${FEED_LOCK_KEY}::bigint)::text AS locked`
    const number = order === 'public' ? Prisma.sql`public_sequence` : Prisma.sql`sequence`
    if (request.since === 'now') {
      const [{ sequence }] = await tx.$queryRaw<[{ sequence: bigint }]>`SELECT coalesce(max(${number}), 0)::bigint AS sequence FROM changes`
      return { kind: 'page', changes: [], hasMore: false, next: { order, at: now, sequence } }
    }
    const since = request.since === null ? null : await currentPosition(tx, request.since)
    if (since !== null && isExpired(since, now, retentionMs)) return { kind: 'expired' }

    const cutoff = new Date(now.getTime() - retentionMs)
    const at = order === 'public' ? Prisma.sql`visible_at` : Prisma.sql`recorded_at`
    const after = since === null ? Prisma.empty : Prisma.sql`AND ${number} > ${since.sequence}::bigint`
    // SKIP LOCKED: two polls pruning at once share out the rows instead of waiting on each other.
    const rows = await tx.$queryRaw<Array<Row & { at: Date, position: bigint }>>`
      WITH stale AS (
        SELECT sequence FROM changes
        WHERE visible_at < ${cutoff}::timestamptz OR (visible_at = 'infinity' AND recorded_at < ${cutoff}::timestamptz)
        FOR UPDATE SKIP LOCKED
      ),
      pruned AS (DELETE FROM changes WHERE sequence IN (SELECT sequence FROM stale))
      SELECT sequence, public_sequence AS "publicSequence", entity::text AS entity, entity_id::text AS "entityId",
        visit_id::text AS "visitId", action::text AS action, fields, snapshot, actor, reason, source,
        recorded_at AS "recordedAt", ${at} AS at, ${number} AS position
      FROM changes
      WHERE ${number} IS NOT NULL ${after}
      ORDER BY ${number}
      LIMIT ${limit + 1}`
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    // With nothing new, the reader stays where it was; a first read of an empty feed starts at
    // its end, where everything to come will follow.
    const next = last === undefined ? since ?? { order, at: now, sequence: 0n } : { order, at: last.at, sequence: last.position }
    return { kind: 'page', changes: page.map(storedChange), hasMore: rows.length > limit, next }
  })
}

/**
 * A position in today's numbering. Public cursors handed out before changes had public numbers
 * (order 'visible': a place in visibleAt and sequence order) still work: the public numbers were
 * given in that order, so the place is after the last public number up to it.
 */
async function currentPosition (tx: Prisma.TransactionClient, position: FeedPosition | LegacyFeedPosition): Promise<FeedPosition> {
  if (position.order !== 'visible') return position
  const [{ sequence }] = await tx.$queryRaw<[{ sequence: bigint }]>`
    SELECT coalesce(max(public_sequence), 0)::bigint AS sequence FROM changes
    WHERE public_sequence IS NOT NULL AND (visible_at, sequence) <= (${position.at}::timestamptz, ${position.sequence}::bigint)`
  return { order: 'public', at: position.at, sequence }
}

/** Whether change records of a visit with this id are kept (the visit itself may be deleted). */
export async function hasKeptChanges (prisma: PrismaClient, visitId: string): Promise<boolean> {
  return await prisma.change.findFirst({ where: { visitId }, select: { visitId: true } }) !== null
}

/** A page of a visit's history: see visitChanges. */
export interface VisitHistoryPage {
  visitId: string
  /** Whose numbers the changes are listed by: the public feed's or the full one's. */
  order: FeedOrder
  limit: number
  /** Only changes numbered below this one (where the previous page ended). */
  before?: bigint
}

/**
 * Up to `limit` changes of a visit numbered in the feed of `order`, before the number `before`
 * when given, newest first: a page of its history.
 */
export async function visitChanges (prisma: PrismaClient, { visitId, order, limit, before }: VisitHistoryPage): Promise<StoredChange[]> {
  const number = order === 'public' ? 'publicSequence' : 'sequence'
  const rows = await prisma.change.findMany({
    where: { visitId, [number]: before === undefined ? { not: null } : { lt: before } },
    orderBy: { [number]: 'desc' },
    take: limit
  })
  return rows.map(storedChange)
}

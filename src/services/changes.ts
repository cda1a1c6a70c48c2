import type { Static } from 'typebox'
import type { PrismaClient } from '../db/client.js'
import { hasKeptChanges, numberNewlyVisibleChanges, readChangeFeed, visitChanges } from '../db/changes.js'
import { findVisitRow } from '../db/visits.js'
import type { TokenScope } from '../domain/access.js'
import { decodeFeedCursor, describeRetention, encodeFeedCursor, feedOrderFor } from '../domain/changes.js'
import { decodeCursor, encodeCursor, isSequenceNumber, pageSize } from '../domain/cursor.js'
import { isUuid } from '../domain/identifiers.js'
import { notFound, problem } from '../problems.js'
import { presentChange } from '../presenters/changes.js'
import type { ChangeFeed, ChangeFeedQuery, ChangeHistoryQuery } from '../schemas/changes.js'

function cursorExpired (retentionMs: number) {
  return problem('cursorExpired',
    `This cursor is older than the ${describeRetention(retentionMs)} for which changes are kept, so changes after it ` +
    'may be gone. Resync: get a fresh cursor with GET /v1/changes?since=now, list the visits and engagements again ' +
    '(GET /v1/visits, GET /v1/engagements, each visit\'s itinerary), then poll from that cursor.')
}

export async function readFeed (prisma: PrismaClient, query: Static<typeof ChangeFeedQuery>, scopes: readonly TokenScope[], retentionMs: number): Promise<Static<typeof ChangeFeed>> {
  const order = feedOrderFor(scopes)
  const since = query.since === undefined ? null : query.since === 'now' ? 'now' : decodeFeedCursor(query.since, order)
  const read = await readChangeFeed(prisma, { order, since, limit: pageSize(query.limit, 50), retentionMs })
  if (read.kind === 'expired') throw cursorExpired(retentionMs)
  return {
    data: read.changes.map((change) => presentChange(change, scopes)),
    nextCursor: encodeFeedCursor(read.next),
    hasMore: read.hasMore
  }
}

/**
 * A visit's changes, newest first, as a history reads, numbered as in the reader's feed.
 * `{visit}` is an id or a slug; a deleted visit is found by its id as long as changes of it are kept.
 */
export async function visitHistory (prisma: PrismaClient, visitParam: string, query: Static<typeof ChangeHistoryQuery>, scopes: readonly TokenScope[]) {
  const limit = pageSize(query.limit, 50)
  let visitId = (await findVisitRow(prisma, visitParam))?.id
  if (visitId === undefined) {
    if (!isUuid(visitParam) || !await hasKeptChanges(prisma, visitParam)) {
      throw notFound(`No visit has the id or slug "${visitParam}", and no changes of a visit with that id are kept.`)
    }
    visitId = visitParam
  }
  const order = feedOrderFor(scopes)
  const before = query.cursor === undefined ? undefined : BigInt((decodeCursor(query.cursor, [(part) => part === order, isSequenceNumber]) as [string, string])[1])
  if (order === 'public') await numberNewlyVisibleChanges(prisma)
  const changes = await visitChanges(prisma, { visitId, order, limit: limit + 1, before })
  const page = changes.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((change) => presentChange(change, scopes)),
    nextCursor: changes.length > limit && last !== undefined ? encodeCursor([order, String(order === 'public' ? last.publicSequence : last.sequence)]) : null
  }
}

import { isDeepStrictEqual } from 'node:util'
import type { EntityChange } from '../../db/changes.js'
import { engagementRowsByIds } from '../../db/itinerary-engagements.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { presentEngagement, type EngagementRow } from './service.js'

/**
 * An engagement shows its venue, and its participants' names and countries, and those rows are
 * shared: a venue hosts engagements of many visits, a person meets people on many. A write to a
 * shared row therefore changes engagements nobody edited, and a mirror fed by /v1/changes must
 * hear of each one. So the write notes the engagements that embed the row before changing it
 * (`noteBefore`); when the shared rows are written, `changedEngagements` gives each engagement
 * whose representation changed a new version, and returns its change for the write to record in
 * the same transaction. The version changes because the representation did: a mirror that
 * compares versions takes the new snapshot, and a writer holding the old ETag gets 412.
 *
 * The before-snapshots are not locked. If another writer changes one of these engagements in the
 * meantime, the version increment below waits for it and the after-snapshot includes its change;
 * each record's snapshot is whole, so a mirror still ends up with what the API shows.
 */
export class EmbeddedChanges {
  readonly #before = new Map<string, EngagementRow>()
  readonly #writtenEngagementId: string | undefined

  /** `writtenEngagementId`: the engagement the write itself changes, which records its own change. */
  constructor (writtenEngagementId?: string) {
    this.#writtenEngagementId = writtenEngagementId
  }

  /** Call before changing a shared row, with the engagements that embed it. */
  async noteBefore (tx: Prisma.TransactionClient, embedding: Prisma.EngagementWhereInput): Promise<void> {
    const skipped = [...this.#before.keys()]
    if (this.#writtenEngagementId !== undefined) skipped.push(this.#writtenEngagementId)
    const ids = await tx.engagement.findMany({ where: { AND: [embedding, { id: { notIn: skipped } }] }, select: { id: true } })
    for (const row of await engagementRowsByIds(tx, ids.map(({ id }) => id))) this.#before.set(row.id, row)
  }

  /** Every noted engagement that no longer shows what it did, each at a new version. */
  async changedEngagements (tx: Prisma.TransactionClient): Promise<EntityChange[]> {
    const current = await engagementRowsByIds(tx, [...this.#before.keys()])
    const changedIds = current
      .filter((row) => !isDeepStrictEqual(presentEngagement(row), presentEngagement(this.#before.get(row.id) as EngagementRow)))
      .map((row) => row.id)
    if (changedIds.length === 0) return []
    await tx.engagement.updateMany({ where: { id: { in: changedIds } }, data: { version: { increment: 1 } } })
    return (await engagementRowsByIds(tx, changedIds)).map((row): EntityChange => ({
      entity: 'engagement',
      before: presentEngagement(this.#before.get(row.id) as EngagementRow),
      after: presentEngagement(row)
    }))
  }
}

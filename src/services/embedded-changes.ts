import { isDeepStrictEqual } from 'node:util'
import type { EntityChange } from '../db/changes.js'
import { engagementRowsByIds, type EngagementRow } from '../db/engagement-rows.js'
import { bumpEngagementVersions, engagementIdsWhere } from '../db/engagements.js'
import type { Prisma } from '../generated/prisma/client.js'
import { presentEngagement, presentParticipants, presentVenue } from '../presenters/engagements.js'

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
    for (const row of await engagementRowsByIds(tx, await engagementIdsWhere(tx, embedding, skipped))) this.#before.set(row.id, row)
  }

  /**
   * Every noted engagement whose venue or participants no longer show what they did, each at a
   * new version. Only those parts are compared, as the engagement shows them: a change that alters
   * nothing a reader sees (a person's name in another language, which an engagement shows only
   * when asked for it with ?lang=) leaves its version, and every editor's ETag, alone. Each
   * engagement is presented once (its time takes most of that): the other parts of its before are
   * those of its after, unless another writer changed it in the meantime (its version moved by
   * more than this increment).
   */
  async changedEngagements (tx: Prisma.TransactionClient): Promise<EntityChange[]> {
    const current = await engagementRowsByIds(tx, [...this.#before.keys()])
    const changed = current.filter((row) => {
      const before = this.#noted(row.id)
      return !isDeepStrictEqual(presentVenue(row.venue), presentVenue(before.venue)) ||
        !isDeepStrictEqual(presentParticipants(row.participants), presentParticipants(before.participants))
    })
    if (changed.length === 0) return []
    const updatedAt = new Date()
    const versions = await bumpEngagementVersions(tx, changed.map((row) => row.id), updatedAt)
    const raced = new Set(changed.filter((row) => versions.get(row.id) !== row.version + 1).map((row) => row.id))
    const reread = new Map((await engagementRowsByIds(tx, [...raced])).map((row) => [row.id, row]))
    return changed.filter((row) => versions.has(row.id)).map((row): EntityChange => {
      const noted = this.#noted(row.id)
      const after = presentEngagement(reread.get(row.id) ?? { ...row, version: row.version + 1, updatedAt })
      const before = raced.has(row.id) || noted.version !== row.version
        ? presentEngagement(noted)
        : { ...after, venue: presentVenue(noted.venue), participants: presentParticipants(noted.participants), updatedAt: noted.updatedAt.toISOString(), version: noted.version }
      return { entity: 'engagement', before, after }
    })
  }

  #noted (id: string): EngagementRow {
    const row = this.#before.get(id)
    if (row === undefined) throw new Error(`engagement ${id} was not noted before the change`)
    return row
  }
}

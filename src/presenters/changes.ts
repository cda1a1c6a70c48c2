import type { Static } from 'typebox'
import type { StoredChange } from '../db/changes.js'
import { canReadEmbargoed, type TokenScope } from '../domain/access.js'
import { describeChange, visibleDetails } from '../domain/changes.js'
import type { ChangeRecord } from '../schemas/changes.js'

export type ChangeView = Static<typeof ChangeRecord>

/**
 * A change as this reader may see it, with its summary. Its number is the one of the reader's
 * feed: the public feed counts only what is public.
 */
export function presentChange (stored: StoredChange, scopes: readonly TokenScope[]): ChangeView {
  const change = visibleDetails(stored, scopes)
  return {
    sequence: Number(canReadEmbargoed(scopes) ? change.sequence : change.publicSequence),
    entity: change.entity,
    entityId: change.entityId,
    visitId: change.visitId,
    action: change.action,
    fields: change.fields,
    snapshot: change.snapshot,
    actor: change.actor,
    reason: change.reason,
    source: change.source,
    recordedAt: change.recordedAt.toISOString(),
    summary: describeChange(change)
  }
}

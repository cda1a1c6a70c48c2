import type { Static } from 'typebox'
import { recordChanges } from '../db/changes.js'
import type { Db, PrismaClient } from '../db/client.js'
import { legHasEngagements } from '../db/engagements.js'
import {
  deleteLegAtVersion, findLegRow, insertLeg, lastLegSequence, legIdAtSequence, updateLegAtVersion
} from '../db/legs.js'
import { lockVisit } from '../db/parent-locks.js'
import { inTransaction } from '../db/transactions.js'
import { currentVersion } from '../db/versions.js'
import { fromDbDate, toDbDate } from '../domain/date-columns.js'
import { checkDateRangeOrder } from '../domain/date-range.js'
import { canonicalZone } from '../domain/time-zones.js'
import type { Leg as LegRow, Prisma } from '../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../preconditions.js'
import { presentLeg, type LegView } from '../presenters/legs.js'
import { conflict, notFound } from '../problems.js'
import { MAX_LEG_SEQUENCE, type LegCreate, type LegPatch } from '../schemas/legs.js'
import { findVisit } from './visits.js'
import type { ConditionalWrite, WriteContext } from './writes.js'

async function findLeg (prisma: PrismaClient, id: string): Promise<LegRow> {
  const leg = await findLegRow(prisma, id)
  if (leg === null) throw notFound(`No leg has the id "${id}".`)
  return leg
}

export async function getLeg (prisma: PrismaClient, id: string): Promise<LegView> {
  return presentLeg(await findLeg(prisma, id))
}

async function checkSequenceIsFree (db: Db, visitId: string, sequence: number) {
  const holder = await legIdAtSequence(db, visitId, sequence)
  if (holder !== null) {
    throw conflict(`Leg ${holder} already has sequence ${sequence} in this visit; choose another or move that leg first.`)
  }
}

/**
 * The sequence of a new leg: the one asked for if it is free, else the next after the visit's last.
 * Called with the visit locked exclusively, so that legs added at the same moment queue here
 * instead of taking the same number (and a 409 for a sequence the client never chose).
 */
async function sequenceForNewLeg (tx: Prisma.TransactionClient, visitId: string, asked: number | undefined): Promise<number> {
  if (asked !== undefined) {
    await checkSequenceIsFree(tx, visitId, asked)
    return asked
  }
  const sequence = (await lastLegSequence(tx, visitId) ?? 0) + 1
  if (sequence > MAX_LEG_SEQUENCE) {
    throw conflict(`The last leg of this visit has sequence ${MAX_LEG_SEQUENCE}, the highest allowed; send a free sequence for this leg.`)
  }
  return sequence
}

export interface LegCreation extends WriteContext {
  visitIdOrSlug: string
  input: Static<typeof LegCreate>
  /** The id of the new leg; the demo data names its own. */
  id?: string
}

/** Adds a leg to the visit `visitIdOrSlug` names. */
export async function createLeg ({ prisma, visitIdOrSlug, input, author, id }: LegCreation): Promise<LegView> {
  const visitId = (await findVisit(prisma, visitIdOrSlug)).id
  checkDateRangeOrder(input.startDate, input.endDate)
  return inTransaction(prisma, async (tx) => {
    if (!await lockVisit(tx, visitId, 'exclusive')) throw notFound('The visit was deleted while the leg was being added to it.')
    const sequence = await sequenceForNewLeg(tx, visitId, input.sequence)
    const row = await insertLeg(tx, {
      id,
      visitId,
      sequence,
      city: input.city,
      country: input.country,
      timeZone: canonicalZone(input.timeZone),
      startDate: toDbDate(input.startDate),
      endDate: toDbDate(input.endDate)
    })
    const created = presentLeg(row)
    await recordChanges(tx, author, [{ entity: 'leg', before: null, after: created }])
    return created
  })
}

export interface LegUpdate extends ConditionalWrite {
  id: string
  patch: Static<typeof LegPatch>
}

/** Applies a patch if the leg is still at one of `expectedVersions`; conditional on the version checked. */
export async function updateLeg ({ prisma, id, patch, expectedVersions, author }: LegUpdate): Promise<LegView> {
  const leg = await findLeg(prisma, id)
  checkVersion('leg', leg.version, expectedVersions)
  checkDateRangeOrder(patch.startDate ?? fromDbDate(leg.startDate), patch.endDate ?? fromDbDate(leg.endDate))
  if (patch.sequence !== undefined && patch.sequence !== leg.sequence) {
    await checkSequenceIsFree(prisma, leg.visitId, patch.sequence)
  }
  return inTransaction(prisma, async (tx) => {
    const updated = await updateLegAtVersion(tx, leg.id, leg.version, {
      sequence: patch.sequence,
      city: patch.city,
      country: patch.country,
      timeZone: patch.timeZone === undefined ? undefined : canonicalZone(patch.timeZone),
      startDate: patch.startDate === undefined ? undefined : toDbDate(patch.startDate),
      endDate: patch.endDate === undefined ? undefined : toDbDate(patch.endDate)
    })
    if (updated === null) throw staleOrGone('leg', await currentVersion(tx, 'leg', leg.id))
    const after = presentLeg(updated)
    await recordChanges(tx, author, [{ entity: 'leg', before: presentLeg(leg), after }])
    return after
  })
}

export async function deleteLeg ({ prisma, id, expectedVersions, author }: ConditionalWrite & { id: string }): Promise<void> {
  const leg = await findLeg(prisma, id)
  checkVersion('leg', leg.version, expectedVersions)
  // The same words whether the engagements are ones the writer can see or only ones under embargo:
  // the refusal cannot be avoided, but it must not say which, how many or what they are.
  if (await legHasEngagements(prisma, leg.id)) {
    throw conflict(`Leg ${leg.id} still has engagements, possibly including some under embargo that only tokens with ` +
      'read:embargoed can see. Move them to another leg (PATCH legId) or delete them, then delete the leg.')
  }
  // An engagement added since the count makes the delete fail on the foreign key: 409 all the same.
  await inTransaction(prisma, async (tx) => {
    if (!await deleteLegAtVersion(tx, leg.id, leg.version)) throw staleOrGone('leg', await currentVersion(tx, 'leg', leg.id))
    await recordChanges(tx, author, [{ entity: 'leg', before: presentLeg(leg), after: null }])
  })
}

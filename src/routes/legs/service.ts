import type { Static } from 'typebox'
import { recordChange } from '../../db/changes.js'
import type { PrismaClient } from '../../db/client.js'
import { fromDbDate, toDbDate } from '../../db/dates.js'
import type { ChangeAuthor } from '../../domain/changes.js'
import { checkDateRangeOrder } from '../../domain/date-range.js'
import { canonicalZone } from '../../domain/time-zones.js'
import type { Leg as LegRow, Prisma } from '../../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../../preconditions.js'
import { conflict, notFound } from '../../problems.js'
import { MAX_LEG_SEQUENCE, type Leg, type LegCreate, type LegPatch } from '../../schemas/legs.js'

export type LegView = Static<typeof Leg>

export function presentLeg (row: LegRow): LegView {
  return {
    id: row.id,
    visitId: row.visitId,
    sequence: row.sequence,
    city: row.city,
    country: row.country,
    timeZone: row.timeZone,
    startDate: fromDbDate(row.startDate),
    endDate: fromDbDate(row.endDate),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}

export async function findLeg (prisma: PrismaClient, id: string): Promise<LegRow> {
  const leg = await prisma.leg.findUnique({ where: { id } })
  if (leg === null) throw notFound(`No leg has the id "${id}".`)
  return leg
}

async function checkSequenceIsFree (prisma: PrismaClient, visitId: string, sequence: number) {
  const holder = await prisma.leg.findUnique({ where: { visitId_sequence: { visitId, sequence } }, select: { id: true } })
  if (holder !== null) {
    throw conflict(`Leg ${holder.id} already has sequence ${sequence} in this visit; choose another or move that leg first.`)
  }
}

export async function createLeg (prisma: PrismaClient, visitId: string, input: Static<typeof LegCreate>, author: ChangeAuthor, options: { id?: string } = {}): Promise<LegRow> {
  checkDateRangeOrder(input.startDate, input.endDate)
  let sequence = input.sequence
  if (sequence === undefined) {
    const last = await prisma.leg.aggregate({ where: { visitId }, _max: { sequence: true } })
    sequence = (last._max.sequence ?? 0) + 1
    if (sequence > MAX_LEG_SEQUENCE) {
      throw conflict(`The last leg of this visit has sequence ${MAX_LEG_SEQUENCE}, the highest allowed; send a free sequence for this leg.`)
    }
  } else {
    await checkSequenceIsFree(prisma, visitId, sequence)
  }
  return prisma.$transaction(async (tx) => {
    const row = await tx.leg.create({
      data: {
        id: options.id,
        visitId,
        sequence,
        city: input.city,
        country: input.country,
        timeZone: canonicalZone(input.timeZone),
        startDate: toDbDate(input.startDate),
        endDate: toDbDate(input.endDate)
      }
    })
    await recordChange(tx, author, 'leg', null, presentLeg(row))
    return row
  })
}

async function currentVersion (prisma: PrismaClient | Prisma.TransactionClient, id: string) {
  return prisma.leg.findUnique({ where: { id }, select: { version: true } })
}

/** Applies a patch if the leg is still at one of `expectedVersions`; conditional on the version checked. */
export async function updateLeg (prisma: PrismaClient, leg: LegRow, patch: Static<typeof LegPatch>, expectedVersions: readonly number[], author: ChangeAuthor): Promise<LegRow> {
  checkVersion('leg', leg.version, expectedVersions)
  checkDateRangeOrder(patch.startDate ?? fromDbDate(leg.startDate), patch.endDate ?? fromDbDate(leg.endDate))
  if (patch.sequence !== undefined && patch.sequence !== leg.sequence) {
    await checkSequenceIsFree(prisma, leg.visitId, patch.sequence)
  }
  return prisma.$transaction(async (tx) => {
    const [updated] = await tx.leg.updateManyAndReturn({
      where: { id: leg.id, version: leg.version },
      data: {
        sequence: patch.sequence,
        city: patch.city,
        country: patch.country,
        timeZone: patch.timeZone === undefined ? undefined : canonicalZone(patch.timeZone),
        startDate: patch.startDate === undefined ? undefined : toDbDate(patch.startDate),
        endDate: patch.endDate === undefined ? undefined : toDbDate(patch.endDate),
        version: { increment: 1 }
      }
    })
    if (updated === undefined) throw staleOrGone('leg', await currentVersion(tx, leg.id))
    await recordChange(tx, author, 'leg', presentLeg(leg), presentLeg(updated))
    return updated
  })
}

export async function deleteLeg (prisma: PrismaClient, leg: LegRow, expectedVersions: readonly number[], author: ChangeAuthor): Promise<void> {
  checkVersion('leg', leg.version, expectedVersions)
  // No count in the message: it would tell a token without read:embargoed that hidden engagements exist.
  if (await prisma.engagement.findFirst({ where: { legId: leg.id }, select: { id: true } }) !== null) {
    throw conflict(`Leg ${leg.id} still has engagements. ` +
      'Move them to another leg (PATCH legId) or delete them, then delete the leg.')
  }
  // An engagement added since the count makes the delete fail on the foreign key: 409 all the same.
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.leg.deleteMany({ where: { id: leg.id, version: leg.version } })
    if (count === 0) throw staleOrGone('leg', await currentVersion(tx, leg.id))
    await recordChange(tx, author, 'leg', presentLeg(leg), null)
  })
}

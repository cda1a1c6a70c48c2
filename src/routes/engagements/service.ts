import type { Static } from 'typebox'
import type { PrismaClient } from '../../db/client.js'
import { fromDbDate, toDbDate } from '../../db/dates.js'
import { decodeCursor, encodeCursor } from '../../domain/cursor.js'
import { InputError } from '../../domain/errors.js'
import { isUuid, participantNameKey } from '../../domain/identifiers.js'
import { localDayBounds } from '../../domain/local-day.js'
import { describeTimeWindow, resolveTimeWindow, type ResolvedTimeWindow } from '../../domain/time-window.js'
import { isValidInstant } from '../../domain/time-zones.js'
import type { Leg as LegRow, Prisma, Visit as VisitRow } from '../../generated/prisma/client.js'
import { notFound } from '../../problems.js'
import type {
  Engagement, EngagementCreate, EngagementListQuery, EngagementPatch
} from '../../schemas/engagements.js'
import { EngagementKinds, ScheduleStatuses } from '../../schemas/engagements.js'

export type EngagementView = Static<typeof Engagement>
type EngagementInput = Static<typeof EngagementCreate>
type VenueInput = NonNullable<EngagementInput['venue']>
type ParticipantInput = NonNullable<EngagementInput['participants']>[number]
type SourceInput = NonNullable<EngagementInput['sources']>[number]

export const engagementInclude = {
  venue: true,
  participants: { include: { participant: true }, orderBy: { position: 'asc' } },
  sources: { orderBy: { position: 'asc' } }
} satisfies Prisma.EngagementInclude

export type EngagementRow = Prisma.EngagementGetPayload<{ include: typeof engagementInclude }>

export function presentEngagement (row: EngagementRow, viewerTimeZone?: string): EngagementView {
  const { time, viewer } = describeTimeWindow({
    timeZone: row.timeZone,
    precision: row.precision,
    partOfDay: row.partOfDay,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    localDate: fromDbDate(row.localDate)
  }, viewerTimeZone)
  return {
    id: row.id,
    visitId: row.visitId,
    legId: row.legId,
    title: row.title,
    kind: row.kind,
    status: row.status,
    time,
    ...(viewer === undefined ? {} : { viewer }),
    venue: row.venue === null
      ? null
      : {
          id: row.venue.id,
          name: row.venue.name,
          city: row.venue.city,
          country: row.venue.country,
          address: row.venue.address,
          latitude: row.venue.latitude,
          longitude: row.venue.longitude
        },
    participants: row.participants.map((item) => ({
      participantId: item.participantId,
      name: item.participant.name,
      role: item.role,
      title: item.title,
      organisation: item.organisation,
      country: item.participant.country
    })),
    description: row.description,
    sources: row.sources.map((source) => ({
      url: source.url,
      title: source.title,
      publisher: source.publisher,
      publishedAt: source.publishedAt?.toISOString() ?? null
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}

export async function findEngagement (prisma: PrismaClient, id: string): Promise<EngagementRow> {
  const engagement = await prisma.engagement.findUnique({ where: { id }, include: engagementInclude })
  if (engagement === null) throw notFound(`No engagement has the id "${id}".`)
  return engagement
}

async function findLegOfVisit (prisma: PrismaClient, visitId: string, legId: string): Promise<LegRow> {
  const leg = await prisma.leg.findUnique({ where: { id: legId } })
  if (leg === null || leg.visitId !== visitId) {
    throw new InputError('unprocessable', `Leg ${legId} is not a leg of this visit; list the visit's legs in its itinerary.`, [
      { path: '/body/legId', message: 'must be the id of a leg of the same visit' }
    ])
  }
  return leg
}

function checkParticipantsAreDistinct (participants: ParticipantInput[]) {
  const seen = new Map<string, number>()
  participants.forEach((participant, index) => {
    const key = participantNameKey(participant.name)
    const first = seen.get(key)
    if (first !== undefined) {
      throw new InputError('invalid', `"${participant.name}" is listed twice among the participants.`, [
        { path: `/body/participants/${index}/name`, message: `is the same person as /body/participants/${first}/name` }
      ])
    }
    seen.set(key, index)
  })
}

function timeColumns (time: ResolvedTimeWindow) {
  return {
    precision: time.precision,
    partOfDay: time.partOfDay,
    startsAt: time.startsAt,
    endsAt: time.endsAt,
    timeZone: time.timeZone,
    localDate: toDbDate(time.localDate)
  }
}

async function upsertVenue (tx: Prisma.TransactionClient, venue: VenueInput): Promise<string> {
  const details = { address: venue.address, latitude: venue.latitude, longitude: venue.longitude }
  const row = await tx.venue.upsert({
    where: { name_city_country: { name: venue.name, city: venue.city, country: venue.country } },
    create: { name: venue.name, city: venue.city, country: venue.country, ...details },
    update: details,
    select: { id: true }
  })
  return row.id
}

async function participantRows (tx: Prisma.TransactionClient, participants: ParticipantInput[]) {
  const rows: Prisma.EngagementParticipantCreateManyEngagementInput[] = []
  for (const [position, participant] of participants.entries()) {
    const person = await tx.participant.upsert({
      where: { nameKey: participantNameKey(participant.name) },
      create: { name: participant.name, nameKey: participantNameKey(participant.name), country: participant.country ?? null },
      update: participant.country === undefined ? {} : { country: participant.country },
      select: { id: true }
    })
    rows.push({
      position,
      participantId: person.id,
      role: participant.role,
      title: participant.title ?? null,
      organisation: participant.organisation ?? null
    })
  }
  return rows
}

function sourceRows (sources: SourceInput[]): Prisma.SourceCreateManyEngagementInput[] {
  return sources.map((source, position) => ({
    position,
    url: source.url ?? null,
    title: source.title,
    publisher: source.publisher ?? null,
    publishedAt: source.publishedAt === undefined ? null : new Date(source.publishedAt)
  }))
}

/**
 * Creates the engagement with its venue, participants and sources in one transaction, then
 * reads it back outside it: Prisma loads relations with parallel queries, which a transaction's
 * single connection would have to queue.
 */
export async function createEngagement (prisma: PrismaClient, visit: VisitRow, input: EngagementInput): Promise<EngagementRow> {
  const leg = input.legId === undefined ? null : await findLegOfVisit(prisma, visit.id, input.legId)
  const time = resolveTimeWindow(input.time, { defaultTimeZone: leg?.timeZone, path: '/body/time' })
  const participants = input.participants ?? []
  checkParticipantsAreDistinct(participants)

  const { id } = await prisma.$transaction(async (tx) => {
    const venueId = input.venue === undefined ? null : await upsertVenue(tx, input.venue)
    return tx.engagement.create({
      data: {
        visitId: visit.id,
        legId: leg?.id ?? null,
        title: input.title,
        kind: input.kind,
        status: input.status ?? 'scheduled',
        ...timeColumns(time),
        venueId,
        description: input.description ?? null,
        participants: { createMany: { data: await participantRows(tx, participants) } },
        sources: { createMany: { data: sourceRows(input.sources ?? []) } }
      },
      select: { id: true }
    })
  })
  return findEngagement(prisma, id)
}

/** Applies a patch; lists (participants, sources) are replaced whole, in one transaction. */
export async function updateEngagement (prisma: PrismaClient, engagement: EngagementRow, patch: Static<typeof EngagementPatch>): Promise<EngagementRow> {
  const leg = patch.legId === undefined
    ? (engagement.legId === null ? null : await prisma.leg.findUnique({ where: { id: engagement.legId } }))
    : patch.legId === null ? null : await findLegOfVisit(prisma, engagement.visitId, patch.legId)
  const time = patch.time === undefined
    ? undefined
    : resolveTimeWindow(patch.time, { defaultTimeZone: leg?.timeZone, path: '/body/time' })
  if (patch.participants !== undefined) checkParticipantsAreDistinct(patch.participants)

  await prisma.$transaction(async (tx) => {
    let venueId: string | null | undefined
    if (patch.venue !== undefined) venueId = patch.venue === null ? null : await upsertVenue(tx, patch.venue)
    if (patch.participants !== undefined) await tx.engagementParticipant.deleteMany({ where: { engagementId: engagement.id } })
    if (patch.sources !== undefined) await tx.source.deleteMany({ where: { engagementId: engagement.id } })
    return tx.engagement.update({
      where: { id: engagement.id },
      data: {
        legId: patch.legId === undefined ? undefined : leg?.id ?? null,
        title: patch.title,
        kind: patch.kind,
        status: patch.status,
        ...(time === undefined ? {} : timeColumns(time)),
        venueId,
        description: patch.description,
        participants: patch.participants === undefined ? undefined : { createMany: { data: await participantRows(tx, patch.participants) } },
        sources: patch.sources === undefined ? undefined : { createMany: { data: sourceRows(patch.sources) } },
        version: { increment: 1 }
      },
      select: { id: true }
    })
  })
  return findEngagement(prisma, engagement.id)
}

function parseList<T extends string> (value: string, allowed: readonly T[], name: string): T[] {
  const values = value.split(',')
  const unknown = values.find((item) => !allowed.includes(item as T))
  if (unknown !== undefined) {
    throw new InputError('invalid', `"${unknown}" is not a ${name}; use one of: ${allowed.join(', ')}.`, [
      { path: `/query/${name}`, message: `must be one or more of: ${allowed.join(', ')}, separated by commas` }
    ])
  }
  return values as T[]
}

/**
 * Engagements whose window overlaps [start, end) (either bound may be open); one without an
 * end is the instant it starts. Prisma drops conditions whose value is undefined.
 */
function overlapping (start: Date | undefined, end: Date | undefined): Prisma.EngagementWhereInput {
  return {
    OR: [
      { endsAt: null, startsAt: { gte: start, lt: end } },
      { endsAt: { not: null, gt: start }, startsAt: { lt: end } }
    ]
  }
}

/** Matches the venue's city or country, or the leg's when the engagement has no venue. */
function placeFilter (field: 'city' | 'country', value: string): Prisma.EngagementWhereInput {
  const match = field === 'city' ? { city: { equals: value, mode: 'insensitive' as const } } : { country: value }
  return { OR: [{ venue: match }, { venueId: null, leg: match }] }
}

export async function listEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery>, visitId?: string) {
  const limit = query.limit ?? 50
  const filters: Prisma.EngagementWhereInput[] = []
  if (visitId !== undefined) filters.push({ visitId })
  if (query.from !== undefined || query.to !== undefined) {
    const from = query.from === undefined ? undefined : new Date(query.from)
    const to = query.to === undefined ? undefined : new Date(query.to)
    if (from !== undefined && to !== undefined && to <= from) {
      throw new InputError('invalid', `to (${query.to}) must be after from (${query.from}).`, [
        { path: '/query/to', message: 'must be after from' }
      ])
    }
    filters.push(overlapping(from, to))
  }
  if (query.date !== undefined) {
    if (query.tz === undefined) {
      filters.push({ localDate: toDbDate(query.date) })
    } else {
      const day = localDayBounds(query.date, query.tz)
      filters.push(overlapping(day.start, day.end))
    }
  }
  if (query.city !== undefined) filters.push(placeFilter('city', query.city))
  if (query.country !== undefined) filters.push(placeFilter('country', query.country))
  if (query.kind !== undefined) filters.push({ kind: { in: parseList(query.kind, EngagementKinds, 'kind') } })
  if (query.status !== undefined) filters.push({ status: { in: parseList(query.status, ScheduleStatuses, 'status') } })
  if (query.participant !== undefined) {
    const participant = isUuid(query.participant)
      ? { participantId: query.participant }
      : { participant: { nameKey: participantNameKey(query.participant) } }
    filters.push({ participants: { some: participant } })
  }
  if (query.cursor !== undefined) {
    const [startsAt, id] = decodeCursor(query.cursor, [isValidInstant, isUuid]) as [string, string]
    filters.push({
      OR: [
        { startsAt: { gt: new Date(startsAt) } },
        { startsAt: new Date(startsAt), id: { gt: id } }
      ]
    })
  }

  const rows = await prisma.engagement.findMany({
    where: { AND: filters },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    include: engagementInclude
  })
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => presentEngagement(row, query.tz)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.startsAt.toISOString(), last.id]) : null
  }
}

/** Every engagement of a visit in chronological order, for its itinerary. */
export async function engagementsOfVisit (prisma: PrismaClient, visitId: string): Promise<EngagementRow[]> {
  return prisma.engagement.findMany({
    where: { visitId },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    include: engagementInclude
  })
}

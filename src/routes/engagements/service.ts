import type { Static } from 'typebox'
import type { PrismaClient } from '../../db/client.js'
import { fromDbDate, toDbDate } from '../../db/dates.js'
import { canReadEmbargoed, type TokenScope } from '../../domain/access.js'
import { decodeCursor, encodeCursor, pageSize } from '../../domain/cursor.js'
import { literalLikePattern } from '../../domain/like-pattern.js'
import { InputError } from '../../domain/errors.js'
import { isUuid, participantNameKey } from '../../domain/identifiers.js'
import { localDayBounds } from '../../domain/local-day.js'
import { describeTimeWindow, resolveTimeWindow, type ResolvedTimeWindow } from '../../domain/time-window.js'
import { isValidInstant } from '../../domain/time-zones.js'
import type { Leg as LegRow, Prisma, Visit as VisitRow } from '../../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../../preconditions.js'
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

// Only the columns presentEngagement shows: every column Prisma reads it also maps, per row.
export const engagementInclude = {
  venue: { select: { id: true, name: true, city: true, country: true, address: true, latitude: true, longitude: true } },
  participants: {
    select: { participantId: true, role: true, title: true, organisation: true, participant: { select: { name: true, country: true } } },
    orderBy: { position: 'asc' }
  },
  sources: { select: { url: true, title: true, publisher: true, publishedAt: true }, orderBy: { position: 'asc' } }
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
    embargoUntil: row.embargoUntil?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}

/**
 * The engagements a request made with these token scopes may know of, as a where-fragment to
 * AND into every query that reads engagements (lookups, lists, itineraries, feeds, searches):
 * without read:embargoed, those still under embargo at `now` do not exist. The comparison is
 * made at query time, so an engagement appears by itself once its embargo ends.
 */
export function visibleEngagements (scopes: readonly TokenScope[], now = new Date()): Prisma.EngagementWhereInput {
  if (canReadEmbargoed(scopes)) return {}
  return { OR: [{ embargoUntil: null }, { embargoUntil: { lte: now } }] }
}

/**
 * The engagement if these scopes may see it. An embargoed one gets the same 404 as a missing
 * one, for reads and for writes alike, so neither reveals that it exists.
 */
export async function findEngagement (prisma: PrismaClient, id: string, scopes: readonly TokenScope[]): Promise<EngagementRow> {
  const engagement = await prisma.engagement.findFirst({ where: { AND: [{ id }, visibleEngagements(scopes)] }, include: engagementInclude })
  if (engagement === null) throw notFound(`No engagement has the id "${id}".`)
  return engagement
}

// What was just written, for the writer's response: they sent it, so an embargo hides nothing new.
async function readWrittenEngagement (prisma: PrismaClient, id: string): Promise<EngagementRow> {
  return prisma.engagement.findUniqueOrThrow({ where: { id }, include: engagementInclude })
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
        embargoUntil: input.embargoUntil === undefined ? null : new Date(input.embargoUntil),
        participants: { createMany: { data: await participantRows(tx, participants) } },
        sources: { createMany: { data: sourceRows(input.sources ?? []) } }
      },
      select: { id: true }
    })
  })
  return readWrittenEngagement(prisma, id)
}

async function currentVersion (prisma: PrismaClient | Prisma.TransactionClient, id: string) {
  return prisma.engagement.findUnique({ where: { id }, select: { version: true } })
}

/**
 * Applies a patch if the engagement is still at one of `expectedVersions` (the client's If-Match);
 * lists (participants, sources) are replaced whole, in one transaction. Its first statement bumps
 * the version conditionally, on the version the checks below read: a stale writer changes nothing,
 * and the row stays locked against other writers until the transaction ends.
 */
export async function updateEngagement (prisma: PrismaClient, engagement: EngagementRow, patch: Static<typeof EngagementPatch>, expectedVersions: readonly number[]): Promise<EngagementRow> {
  checkVersion('engagement', engagement.version, expectedVersions)
  const leg = patch.legId === undefined
    ? (engagement.legId === null ? null : await prisma.leg.findUnique({ where: { id: engagement.legId } }))
    : patch.legId === null ? null : await findLegOfVisit(prisma, engagement.visitId, patch.legId)
  const time = patch.time === undefined
    ? undefined
    : resolveTimeWindow(patch.time, { defaultTimeZone: leg?.timeZone, path: '/body/time' })
  if (patch.participants !== undefined) checkParticipantsAreDistinct(patch.participants)

  await prisma.$transaction(async (tx) => {
    const { count } = await tx.engagement.updateMany({
      where: { id: engagement.id, version: engagement.version },
      data: { version: { increment: 1 } }
    })
    if (count === 0) throw staleOrGone('engagement', await currentVersion(tx, engagement.id))
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
        embargoUntil: patch.embargoUntil === undefined || patch.embargoUntil === null ? patch.embargoUntil : new Date(patch.embargoUntil),
        participants: patch.participants === undefined ? undefined : { createMany: { data: await participantRows(tx, patch.participants) } },
        sources: patch.sources === undefined ? undefined : { createMany: { data: sourceRows(patch.sources) } }
      },
      select: { id: true }
    })
  })
  return readWrittenEngagement(prisma, engagement.id)
}

/** Deletes the engagement (its participants and sources go with it) if it is still at one of `expectedVersions`. */
export async function deleteEngagement (prisma: PrismaClient, engagement: EngagementRow, expectedVersions: readonly number[]): Promise<void> {
  checkVersion('engagement', engagement.version, expectedVersions)
  const { count } = await prisma.engagement.deleteMany({ where: { id: engagement.id, version: engagement.version } })
  if (count === 0) throw staleOrGone('engagement', await currentVersion(prisma, engagement.id))
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

/**
 * The ids of the engagements whose window overlaps one day: a day's worth, looked up on their
 * own. Inside the page's ORDER BY starts_at LIMIT, Postgres walks the starts_at index from the
 * archive's first day to find the windows still open that day; asked alone, it reads the
 * (ends_at, starts_at) and starts_at indexes for that day only (bench/RESULTS.md has the plans).
 */
async function idsOverlapping (prisma: PrismaClient, start: Date, end: Date): Promise<string[]> {
  const rows = await prisma.engagement.findMany({ where: overlapping(start, end), select: { id: true } })
  return rows.map((row) => row.id)
}

/** Matches the venue's city or country, or the leg's when the engagement has no venue. */
function placeFilter (field: 'city' | 'country', value: string): Prisma.EngagementWhereInput {
  const match = field === 'city' ? { city: { equals: literalLikePattern(value), mode: 'insensitive' as const } } : { country: value }
  return { OR: [{ venue: match }, { venueId: null, leg: match }] }
}

export async function listEngagements (prisma: PrismaClient, query: Static<typeof EngagementListQuery>, scopes: readonly TokenScope[], visitId?: string) {
  const limit = pageSize(query.limit, 50)
  const filters: Prisma.EngagementWhereInput[] = [visibleEngagements(scopes)]
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
      filters.push({ id: { in: await idsOverlapping(prisma, day.start, day.end) } })
    }
  }
  if (query.city !== undefined) filters.push(placeFilter('city', query.city))
  if (query.country !== undefined) filters.push(placeFilter('country', query.country))
  if (query.kind !== undefined) filters.push({ kind: { in: parseList(query.kind, EngagementKinds, 'kind') } })
  if (query.status !== undefined) filters.push({ status: { in: parseList(query.status, ScheduleStatuses, 'status') } })
  if (query.participant !== undefined) {
    // The name is resolved to an id first: with the id as a value, Postgres knows from its
    // statistics how many engagements the person has and walks the page in order, instead of
    // reading every engagement of a head of state to sort them (bench/RESULTS.md).
    const participantId = isUuid(query.participant)
      ? query.participant
      : (await prisma.participant.findUnique({ where: { nameKey: participantNameKey(query.participant) }, select: { id: true } }))?.id
    filters.push(participantId === undefined ? { id: { in: [] } } : { participants: { some: { participantId } } })
  }
  if (query.cursor !== undefined) {
    const [startsAt, id] = decodeCursor(query.cursor, [isValidInstant, isUuid]) as [string, string]
    filters.push({
      // Implied by the OR, but Postgres only starts its index scan at the cursor when told so
      // plainly; without it a page deep in the list reads every row before it (bench/RESULTS.md).
      startsAt: { gte: new Date(startsAt) },
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

/** Every engagement of a visit these scopes may see, in chronological order, for its itinerary. */
export async function engagementsOfVisit (prisma: PrismaClient, visitId: string, scopes: readonly TokenScope[]): Promise<EngagementRow[]> {
  return prisma.engagement.findMany({
    where: { AND: [{ visitId }, visibleEngagements(scopes)] },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    include: engagementInclude
  })
}

import type { Static } from 'typebox'
import { recordChanges } from '../db/changes.js'
import type { PrismaClient } from '../db/client.js'
import { engagementRowsByIds, type EngagementRow } from '../db/engagement-rows.js'
import {
  bumpEngagementVersionAt, deleteEngagementAtVersion, deleteParticipantLinks, insertEngagement, insertParticipantLinks, storedLinks,
  updateEngagementColumns, type SourceRow, type VenueLink
} from '../db/engagements.js'
import { findLegRow } from '../db/legs.js'
import { lockLeg, lockVisit } from '../db/parent-locks.js'
import { deleteUnusedDrafts, hasPendingDetails, setPendingAuthor } from '../db/pending-details.js'
import { writeSearchDocument } from '../db/search.js'
import { inTransaction } from '../db/transactions.js'
import { currentVersion } from '../db/versions.js'
import { findVisitRow } from '../db/visits.js'
import type { TokenScope } from '../domain/access.js'
import { fromDbDate, toDbDate } from '../domain/date-columns.js'
import { InputError } from '../domain/errors.js'
import { participantNameKey } from '../domain/identifiers.js'
import { canonicalTranslations } from '../domain/languages.js'
import { resolveTimeWindow, type ResolvedTimeWindow } from '../domain/time-window.js'
import type { Leg as LegRow, Prisma } from '../generated/prisma/client.js'
import { checkVersion, staleOrGone } from '../preconditions.js'
import { presentEngagement, type EngagementView } from '../presenters/engagements.js'
import { notFound } from '../problems.js'
import type { EngagementCreate, EngagementPatch } from '../schemas/engagements.js'
import { EmbeddedChanges } from './embedded-changes.js'
import { findEngagement } from './engagement-reads.js'
import { publishPendingDetails } from './publication.js'
import { participantRows, venueFor, type ParticipantInput, type SharedRecordsWrite } from './shared-records.js'
import { findVisit } from './visits.js'
import type { ConditionalWrite, EngagementWriteContext } from './writes.js'

type EngagementInput = Static<typeof EngagementCreate>
type SourceInput = NonNullable<EngagementInput['sources']>[number]

function notALegOfTheVisit (legId: string) {
  return new InputError('unprocessable', `Leg ${legId} is not a leg of this visit; list the visit's legs in its itinerary.`, [
    { path: '/body/legId', message: 'must be the id of a leg of the same visit' }
  ])
}

async function findLegOfVisit (prisma: PrismaClient, visitId: string, legId: string): Promise<LegRow> {
  const leg = await findLegRow(prisma, legId)
  if (leg === null || leg.visitId !== visitId) throw notALegOfTheVisit(legId)
  return leg
}

/** Keeps the leg from being deleted until the write commits; 422 when it went in the meantime. */
async function lockLegOfVisit (tx: Prisma.TransactionClient, visitId: string, legId: string): Promise<void> {
  if (await lockLeg(tx, legId) !== visitId) throw notALegOfTheVisit(legId)
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

/** The local dates an undated (tbd) engagement falls within: its leg's stay, else its visit's dates. */
function datesOf (frame: { startDate: Date, endDate: Date }) {
  return { startDate: fromDbDate(frame.startDate), endDate: fromDbDate(frame.endDate) }
}

function timeColumns (time: ResolvedTimeWindow) {
  return {
    precision: time.precision,
    partOfDay: time.partOfDay,
    startsAt: time.startsAt,
    endsAt: time.endsAt,
    timeZone: time.timeZone,
    localDate: toDbDate(time.localDate),
    timeLabel: time.label
  }
}

function sourceRows (sources: SourceInput[]): SourceRow[] {
  return sources.map((source, position) => ({
    position,
    url: source.url ?? null,
    title: source.title,
    kind: source.kind ?? 'other',
    publisher: source.publisher ?? null,
    publishedAt: source.publishedAt === undefined ? null : new Date(source.publishedAt)
  }))
}

/** Whether an engagement with this embargo is hidden, at `now`, from readers without read:embargoed. */
function isUnderEmbargo (embargoUntil: Date | null, now: Date): boolean {
  return embargoUntil !== null && embargoUntil > now
}

function venueColumns (venue: VenueLink | null) {
  return { venueId: venue?.venueId ?? null, venuePending: venue?.pending ?? null }
}

/** The visit of an engagement being changed; 404 when it was deleted in the meantime (the engagement with it). */
async function visitOf (prisma: PrismaClient, engagement: EngagementRow) {
  const visit = await findVisitRow(prisma, engagement.visitId)
  if (visit === null) throw notFound('The record does not exist (it may have just been deleted).')
  return visit
}

/** What an engagement write resolves its venue and people with; see SharedRecordsWrite. */
function sharedRecordsWrite (tx: Prisma.TransactionClient, engagementId: string, hidden: boolean, scopes: readonly TokenScope[]): SharedRecordsWrite {
  return { tx, engagementId, hidden, embedded: new EmbeddedChanges(engagementId), scopes }
}

export interface EngagementCreation extends EngagementWriteContext {
  visitIdOrSlug: string
  input: EngagementInput
  /** The id of the new engagement; the demo data names its own. */
  id?: string
}

/**
 * Creates the engagement with its venue, participants and sources in one transaction, which
 * also reads it back whole for its change record and the response. Under embargo, what it says
 * about shared venues and people waits for its publication (shared-records.ts).
 */
export async function createEngagement ({ prisma, visitIdOrSlug, input, author, scopes, id }: EngagementCreation): Promise<EngagementView> {
  const visit = await findVisit(prisma, visitIdOrSlug)
  const leg = input.legId === undefined ? null : await findLegOfVisit(prisma, visit.id, input.legId)
  const time = resolveTimeWindow(input.time, { defaultTimeZone: leg?.timeZone, undatedWindow: datesOf(leg ?? visit), path: '/body/time' })
  const participants = input.participants ?? []
  checkParticipantsAreDistinct(participants)
  const embargoUntil = input.embargoUntil === undefined ? null : new Date(input.embargoUntil)

  return inTransaction(prisma, async (tx) => {
    if (!await lockVisit(tx, visit.id, 'shared')) throw notFound('The visit was deleted while the engagement was being added to it.')
    if (leg !== null) await lockLegOfVisit(tx, visit.id, leg.id)
    const created = await insertEngagement(tx, {
      id,
      visitId: visit.id,
      legId: leg?.id ?? null,
      title: input.title,
      titleTranslations: canonicalTranslations(input.titleTranslations ?? {}, '/body/titleTranslations'),
      kind: input.kind,
      status: input.status ?? 'scheduled',
      confirmation: input.confirmation,
      announcedAt: input.announcedAt === undefined ? null : new Date(input.announcedAt),
      pressAccess: input.pressAccess,
      ...timeColumns(time),
      description: input.description ?? null,
      embargoUntil,
      sources: sourceRows(input.sources ?? [])
    })
    const write = sharedRecordsWrite(tx, created.id, isUnderEmbargo(embargoUntil, new Date()), scopes)
    const venue = input.venue === undefined ? null : await venueFor(write, input.venue, '/body/venue')
    await insertParticipantLinks(tx, await participantRows(write, participants))
    const pendingAuthor = write.hidden && await hasPendingDetails(tx, created.id) ? author : null
    // updatedAt as created: the engagement is still being created.
    await updateEngagementColumns(tx, created.id, { ...venueColumns(venue), pendingAuthor, updatedAt: created.createdAt })
    await writeSearchDocument(tx, created.id)
    const [row] = await engagementRowsByIds(tx, [created.id]) as [EngagementRow]
    const view = presentEngagement(row)
    await recordChanges(tx, author, [
      { entity: 'engagement', before: null, after: view },
      ...await write.embedded.changedEngagements(tx)
    ])
    return view
  })
}

export interface EngagementUpdate extends ConditionalWrite, EngagementWriteContext {
  id: string
  patch: Static<typeof EngagementPatch>
}

/**
 * Applies a patch if the engagement is still at one of `expectedVersions` (the client's If-Match);
 * lists (participants, sources) are replaced whole, in one transaction. The shared venue and
 * people come first: every writer locks shared rows before engagements, so two writers changing
 * one venue through different engagements queue instead of deadlocking. Then the version is bumped
 * conditionally, on the version the checks below read: a stale writer's transaction is undone,
 * and the row stays locked against other writers until the transaction ends.
 *
 * A patch that leaves the engagement public publishes first what its hidden writes said about
 * shared records (its embargo is lifted, or ended a moment ago); one that leaves it under embargo
 * keeps what it says aside, as a create does.
 */
export async function updateEngagement ({ prisma, id, patch, expectedVersions, author, scopes }: EngagementUpdate): Promise<EngagementView> {
  const engagement = await findEngagement(prisma, id, scopes)
  checkVersion('engagement', engagement.version, expectedVersions)
  const leg = patch.legId === undefined
    ? (engagement.legId === null ? null : await findLegRow(prisma, engagement.legId))
    : patch.legId === null ? null : await findLegOfVisit(prisma, engagement.visitId, patch.legId)
  const time = patch.time === undefined
    ? undefined
    : resolveTimeWindow(patch.time, {
      defaultTimeZone: leg?.timeZone,
      undatedWindow: datesOf(leg ?? await visitOf(prisma, engagement)),
      path: '/body/time'
    })
  if (patch.participants !== undefined) checkParticipantsAreDistinct(patch.participants)
  const embargoUntil = patch.embargoUntil === undefined ? engagement.embargoUntil : patch.embargoUntil === null ? null : new Date(patch.embargoUntil)

  return inTransaction(prisma, async (tx) => {
    const write = sharedRecordsWrite(tx, engagement.id, isUnderEmbargo(embargoUntil, new Date()), scopes)
    let links = await storedLinks(tx, engagement.id)
    if (links === null) throw staleOrGone('engagement', null)
    if (!write.hidden && links.hasPendingDetails) {
      await publishPendingDetails({ ...write, lenient: true })
      links = await storedLinks(tx, engagement.id) ?? links
    }
    const venue = patch.venue === undefined
      ? undefined
      : patch.venue === null ? null : await venueFor(write, patch.venue, '/body/venue', links.venue)
    const participants = patch.participants === undefined ? undefined : await participantRows(write, patch.participants, links.participants)
    if (!await bumpEngagementVersionAt(tx, engagement.id, engagement.version)) {
      throw staleOrGone('engagement', await currentVersion(tx, 'engagement', engagement.id))
    }
    if (patch.legId !== undefined && patch.legId !== null) await lockLegOfVisit(tx, engagement.visitId, patch.legId)
    if (participants !== undefined) {
      await deleteParticipantLinks(tx, engagement.id)
      await insertParticipantLinks(tx, participants)
    }
    await updateEngagementColumns(tx, engagement.id, {
      legId: patch.legId === undefined ? undefined : leg?.id ?? null,
      title: patch.title,
      titleTranslations: patch.titleTranslations === undefined ? undefined : canonicalTranslations(patch.titleTranslations, '/body/titleTranslations'),
      kind: patch.kind,
      status: patch.status,
      confirmation: patch.confirmation,
      announcedAt: patch.announcedAt === undefined || patch.announcedAt === null ? patch.announcedAt : new Date(patch.announcedAt),
      pressAccess: patch.pressAccess,
      ...(time === undefined ? {} : timeColumns(time)),
      ...(venue === undefined ? {} : venueColumns(venue)),
      description: patch.description,
      embargoUntil,
      sources: patch.sources === undefined ? undefined : sourceRows(patch.sources)
    })
    if (venue !== undefined || participants !== undefined) await deleteUnusedDrafts(tx, engagement.id)
    if (write.hidden) {
      await setPendingAuthor(tx, engagement.id, await hasPendingDetails(tx, engagement.id) ? author : null)
    }
    await writeSearchDocument(tx, engagement.id)
    const [updated] = await engagementRowsByIds(tx, [engagement.id]) as [EngagementRow]
    const after = presentEngagement(updated)
    await recordChanges(tx, author, [
      { entity: 'engagement', before: presentEngagement(engagement), after },
      ...await write.embedded.changedEngagements(tx)
    ])
    return after
  })
}

/**
 * Deletes the engagement (its participants, sources and drafts go with it) if it is still at one
 * of `expectedVersions`. What it kept aside for publication goes too when it is still under
 * embargo: it is never published. Once the embargo has ended, what it said was public from that
 * instant, and is published first if the publisher has not come to it yet.
 */
export async function deleteEngagement ({ prisma, id, expectedVersions, author, scopes }: ConditionalWrite & EngagementWriteContext & { id: string }): Promise<void> {
  const engagement = await findEngagement(prisma, id, scopes)
  checkVersion('engagement', engagement.version, expectedVersions)
  await inTransaction(prisma, async (tx) => {
    const write = sharedRecordsWrite(tx, engagement.id, isUnderEmbargo(engagement.embargoUntil, new Date()), scopes)
    if (!write.hidden && (await storedLinks(tx, engagement.id))?.hasPendingDetails === true) await publishPendingDetails({ ...write, lenient: true })
    if (!await deleteEngagementAtVersion(tx, engagement.id, engagement.version)) {
      throw staleOrGone('engagement', await currentVersion(tx, 'engagement', engagement.id))
    }
    await recordChanges(tx, author, [
      { entity: 'engagement', before: presentEngagement(engagement), after: null },
      ...await write.embedded.changedEngagements(tx)
    ])
  })
}

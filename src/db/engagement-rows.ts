// Engagements with their venue, participants and sources in ONE statement, Postgres building each
// engagement's relations as JSON. Prisma's include sends a statement per relation and maps every
// row of each; on an itinerary that was most of the request's CPU (bench/RESULTS.md has figures).
// Every read of an engagement goes through here, so that all of them show the same thing.
import type { TokenScope } from '../domain/access.js'
import { storedTranslations } from '../domain/languages.js'
import {
  personDetailsAfter, venueDetailsAfter, type PersonDetailsInput, type VenueDetailsInput
} from '../domain/shared-records.js'
import { Prisma, type Engagement, type EngagementParticipant, type Source, type Venue } from '../generated/prisma/client.js'
import type { Db } from './client.js'
import { visibleEngagementsSql } from './visibility.js'

/** An engagement as presentEngagement needs it: its columns and what it shows of its relations. */
export type EngagementRow = Omit<Engagement, 'venuePending' | 'pendingAuthor'> & {
  venue: Pick<Venue, 'id' | 'name' | 'nameTranslations' | 'city' | 'country' | 'address' | 'latitude' | 'longitude'> | null
  participants: Array<Pick<EngagementParticipant, 'participantId' | 'role' | 'title' | 'organisation'> & {
    participant: { name: string, nameTranslations: Prisma.JsonValue, country: string | null }
  }>
  sources: Array<Pick<Source, 'url' | 'title' | 'kind' | 'publisher' | 'publishedAt'>>
}

/**
 * As Postgres sends it: JSON has no dates, so a source's publishedAt arrives as text; and the
 * details a write under embargo sent about the shared venue and people come beside them.
 */
type RawEngagementRow = Omit<EngagementRow, 'sources' | 'participants'> & {
  venuePending: VenueDetailsInput | null
  participants: Array<EngagementRow['participants'][number] & { pending: PersonDetailsInput | null }>
  sources: Array<Omit<EngagementRow['sources'][number], 'publishedAt'> & { publishedAt: string | null }>
}

// Enums are cast to text, as strings are what the include gives. Every relation is a subquery
// on its index: a join with venues would read the whole table into a hash, which grows with the archive.
const SELECT_ENGAGEMENTS = Prisma.sql`
  SELECT e.id, e.visit_id AS "visitId", e.leg_id AS "legId", e.title, e.title_translations AS "titleTranslations",
    e.kind::text AS kind, e.status::text AS status, e.confirmation::text AS confirmation, e.announced_at AS "announcedAt",
    e.press_access::text AS "pressAccess", e.precision::text AS precision, e.time_label AS "timeLabel",
    e.part_of_day::text AS "partOfDay", e.starts_at AS "startsAt", e.ends_at AS "endsAt", e.time_zone AS "timeZone",
    e.local_date AS "localDate", e.embargo_until AS "embargoUntil", e.venue_id AS "venueId", e.description,
    e.created_at AS "createdAt", e.updated_at AS "updatedAt", e.version, e.venue_pending AS "venuePending",
    (SELECT json_build_object('id', v.id, 'name', v.name, 'nameTranslations', v.name_translations, 'city', v.city,
        'country', v.country, 'address', v.address, 'latitude', v.latitude, 'longitude', v.longitude)
      FROM venues v WHERE v.id = e.venue_id) AS venue,
    COALESCE((SELECT json_agg(json_build_object('participantId', ep.participant_id, 'role', ep.role, 'title', ep.title,
        'organisation', ep.organisation, 'pending', ep.pending,
        'participant', json_build_object('name', p.name, 'nameTranslations', p.name_translations, 'country', p.country))
        ORDER BY ep.position)
      FROM engagement_participants ep JOIN participants p ON p.id = ep.participant_id
      WHERE ep.engagement_id = e.id), '[]') AS participants,
    COALESCE((SELECT json_agg(json_build_object('url', s.url, 'title', s.title, 'kind', s.kind, 'publisher', s.publisher,
        'publishedAt', s.published_at) ORDER BY s.position)
      FROM sources s WHERE s.engagement_id = e.id), '[]') AS sources
  FROM engagements e`

/**
 * The row as the engagement shows it: details that a write under embargo sent about a published
 * venue or person appear applied here, in this engagement only, until it is published and they
 * are applied to the shared record itself.
 */
function withPendingDetails (raw: RawEngagementRow): EngagementRow {
  const { venuePending, venue, participants, sources, ...engagement } = raw
  return {
    ...engagement,
    venue: venue === null || venuePending === null
      ? venue
      : { ...venue, ...venueDetailsAfter({ ...venue, nameTranslations: storedTranslations(venue.nameTranslations) }, venuePending) },
    participants: participants.map(({ pending, ...item }) => {
      if (pending === null) return item
      const { country, nameTranslations } = personDetailsAfter(
        { country: item.participant.country, wikidataId: null, nameTranslations: storedTranslations(item.participant.nameTranslations) }, pending)
      return { ...item, participant: { ...item.participant, country, nameTranslations } }
    }),
    sources: sources.map((source) => ({ ...source, publishedAt: source.publishedAt === null ? null : new Date(source.publishedAt) }))
  }
}

async function engagementRows (db: Db, where: Prisma.Sql): Promise<EngagementRow[]> {
  const rows = await db.$queryRaw<RawEngagementRow[]>`${SELECT_ENGAGEMENTS} WHERE ${where} ORDER BY e.starts_at, e.id`
  return rows.map(withPendingDetails)
}

/**
 * Every engagement of a visit these scopes may see, in chronological order, with its relations.
 */
export async function engagementRowsOfVisit (db: Db, visitId: string, scopes: readonly TokenScope[], now = new Date()): Promise<EngagementRow[]> {
  return engagementRows(db, Prisma.sql`e.visit_id = ${visitId}::uuid AND ${visibleEngagementsSql(scopes, Prisma.sql`e.embargo_until`, now)}`)
}

/**
 * The engagements with these ids, in chronological order, with their relations: a page whose
 * ids were chosen (filters, embargo, order, limit) by a query of their own.
 */
export async function engagementRowsByIds (db: Db, ids: readonly string[]): Promise<EngagementRow[]> {
  if (ids.length === 0) return []
  return engagementRows(db, Prisma.sql`e.id = ANY(${ids}::uuid[])`)
}

/** The engagement if these scopes may see it, else null (an embargoed one is as absent as a missing one). */
export async function visibleEngagementRow (db: Db, id: string, scopes: readonly TokenScope[], now = new Date()): Promise<EngagementRow | null> {
  const [row] = await engagementRows(db, Prisma.sql`e.id = ${id}::uuid AND ${visibleEngagementsSql(scopes, Prisma.sql`e.embargo_until`, now)}`)
  return row ?? null
}

// The baseline: the fastest honest way to answer the benchmark's requests on this machine. Bare
// Fastify routes, hand-written SQL through `pg` (Postgres builds each engagement's participants
// and sources as JSON), hand-built JSON and JSON.stringify: no ORM, no schemas, no plugins. It
// is the limit the service is measured against, not a product feature, so it only knows the
// requests the benchmark sends. It reuses the pure domain functions (time-window description,
// itinerary grouping, cursors, entity tags) because they compute the answer, not fetch it.
import Fastify, { type FastifyReply } from 'fastify'
import pg from 'pg'
import { decodeCursor, encodeCursor } from '../src/domain/cursor.js'
import { entityTag, ifNoneMatchMatches } from '../src/domain/entity-tags.js'
import { isUuid, participantNameKey } from '../src/domain/identifiers.js'
import { buildItinerary } from '../src/domain/itinerary.js'
import { localDayBounds } from '../src/domain/local-day.js'
import { prefixSearchQuery } from '../src/domain/search.js'
import { describeTimeWindow } from '../src/domain/time-window.js'
import { isValidInstant } from '../src/domain/time-zones.js'

/** `date` columns as the 'YYYY-MM-DD' they are, never a Date in the machine's zone. */
const DATE_OID = 1082
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO_UTC})`

// The same rule as visibleEngagements (src/db/visibility.ts) for a request without a token.
const PUBLIC_ONLY = '(e.embargo_until IS NULL OR e.embargo_until <= now())'

const ENGAGEMENT_COLUMNS = `
  e.id, e.visit_id, e.leg_id, e.title, e.title_translations, e.kind, e.status, e.confirmation,
  ${iso('e.announced_at')} AS announced_at, e.press_access, e.precision, e.part_of_day, e.starts_at, e.ends_at,
  e.time_zone, e.local_date, e.time_label, e.description, ${iso('e.embargo_until')} AS embargo_until,
  ${iso('e.created_at')} AS created_at, ${iso('e.updated_at')} AS updated_at, e.version,
  (SELECT json_build_object('id', v.id, 'name', v.name, 'nameTranslations', v.name_translations, 'city', v.city,
      'country', v.country, 'address', v.address, 'latitude', v.latitude, 'longitude', v.longitude)
    FROM venues v WHERE v.id = e.venue_id) AS venue,
  COALESCE((SELECT json_agg(json_build_object('participantId', ep.participant_id, 'name', p.name, 'role', ep.role,
      'title', ep.title, 'organisation', ep.organisation, 'country', p.country) ORDER BY ep.position)
    FROM engagement_participants ep JOIN participants p ON p.id = ep.participant_id
    WHERE ep.engagement_id = e.id), '[]') AS participants,
  COALESCE((SELECT json_agg(json_build_object('url', s.url, 'title', s.title, 'kind', s.kind, 'publisher', s.publisher,
      'publishedAt', ${iso('s.published_at')}) ORDER BY s.position)
    FROM sources s WHERE s.engagement_id = e.id), '[]') AS sources`

// Relations as subqueries on their indexes: a join with venues would hash the whole table, which grows with the archive.
const FROM_ENGAGEMENTS = 'FROM engagements e'

interface EngagementRow {
  id: string
  visit_id: string
  leg_id: string | null
  title: string
  title_translations: unknown
  kind: string
  status: string
  confirmation: string
  announced_at: string | null
  press_access: string
  precision: 'exact' | 'part_of_day' | 'date' | 'tbd'
  part_of_day: 'morning' | 'midday' | 'afternoon' | 'evening' | null
  starts_at: Date
  ends_at: Date | null
  time_zone: string
  local_date: string
  time_label: string | null
  description: string | null
  embargo_until: string | null
  created_at: string
  updated_at: string
  version: number
  venue: unknown
  participants: unknown[]
  sources: unknown[]
}

function engagementJson (row: EngagementRow, viewerTimeZone: string | undefined) {
  const { time, viewer } = describeTimeWindow({
    timeZone: row.time_zone,
    precision: row.precision,
    partOfDay: row.part_of_day,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    localDate: row.local_date,
    label: row.time_label
  }, viewerTimeZone)
  return {
    id: row.id,
    visitId: row.visit_id,
    legId: row.leg_id,
    title: row.title,
    titleTranslations: row.title_translations,
    kind: row.kind,
    status: row.status,
    confirmation: row.confirmation,
    announcedAt: row.announced_at,
    pressAccess: row.press_access,
    time,
    ...(viewer === undefined ? {} : { viewer }),
    venue: row.venue,
    participants: row.participants,
    description: row.description,
    sources: row.sources,
    embargoUntil: row.embargo_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version
  }
}

const VISIT_COLUMNS = `id, slug, title, title_translations AS "titleTranslations", json_build_object('name', principal_name, 'title', principal_title) AS principal,
  origin_country AS "originCountry", kind, status, home_time_zone AS "homeTimeZone", start_date AS "startDate",
  end_date AS "endDate", summary, ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt", version`

const LEG_COLUMNS = `id, visit_id AS "visitId", sequence, city, country, time_zone AS "timeZone", start_date AS "startDate",
  end_date AS "endDate", ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt", version`

type Query = Record<string, string | undefined>

/** Sends JSON, or 304 when If-None-Match names it: the same revalidation the service offers. */
function sendJson (reply: FastifyReply, ifNoneMatch: string | undefined, body: unknown) {
  const payload = JSON.stringify(body)
  const tag = entityTag(payload)
  reply.header('etag', tag)
  if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, tag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(payload)
}

export async function buildBaseline (databaseUrl: string, poolSize: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, types })
  pool.on('error', (error) => console.error(`baseline pool: ${error.message}`))
  const app = Fastify({ logger: false })
  app.addHook('onClose', () => pool.end())

  app.get<{ Params: { visit: string }, Querystring: Query }>('/v1/visits/:visit/itinerary', async (request, reply) => {
    const key = isUuid(request.params.visit) ? 'id' : 'slug'
    const visitOf = `(SELECT id FROM visits WHERE ${key} = $1)`
    const [visit, legs, engagements] = await Promise.all([
      pool.query(`SELECT ${VISIT_COLUMNS} FROM visits WHERE ${key} = $1`, [request.params.visit]),
      pool.query<{ id: string }>(`SELECT ${LEG_COLUMNS} FROM legs WHERE visit_id = ${visitOf} ORDER BY sequence`, [request.params.visit]),
      pool.query<EngagementRow>(`SELECT ${ENGAGEMENT_COLUMNS} ${FROM_ENGAGEMENTS}
        WHERE e.visit_id = ${visitOf} AND ${PUBLIC_ONLY} ORDER BY e.starts_at, e.id`, [request.params.visit])
    ])
    if (visit.rowCount === 0) return reply.code(404).send({ status: 404 })
    const tz = request.query.tz
    const itinerary = buildItinerary(legs.rows, engagements.rows.map((row) => engagementJson(row, tz)))
    return sendJson(reply, request.headers['if-none-match'], { visit: visit.rows[0], viewerTimeZone: tz ?? null, ...itinerary })
  })

  app.get<{ Querystring: Query }>('/v1/engagements', async (request, reply) => {
    const query = request.query
    const limit = Number(query.limit ?? 50)
    const params: unknown[] = []
    const param = (value: unknown) => `$${params.push(value)}`
    const conditions = [PUBLIC_ONLY]
    let prefix = ''
    if (query.date !== undefined && query.tz !== undefined) {
      const day = localDayBounds(query.date, query.tz)
      const start = param(day.start)
      const end = param(day.end)
      // Materialised apart from the ORDER BY ... LIMIT, or the planner walks starts_at from the start of time.
      prefix = `WITH day_window AS MATERIALIZED (SELECT id FROM engagements
        WHERE (ends_at IS NULL AND starts_at >= ${start} AND starts_at < ${end}) OR (ends_at > ${start} AND starts_at < ${end})) `
      conditions.push('e.id IN (SELECT id FROM day_window)')
    } else if (query.date !== undefined) {
      conditions.push(`e.local_date = ${param(query.date)}`)
    }
    if (query.participant !== undefined) {
      // The id as a value, not a subquery: only then does the planner see how common it is.
      const personId = isUuid(query.participant)
        ? query.participant
        : (await pool.query<{ id: string }>('SELECT id FROM participants WHERE name_key = $1 AND draft_of IS NULL', [participantNameKey(query.participant)])).rows[0]?.id
      conditions.push(personId === undefined
        ? 'false'
        : `EXISTS (SELECT 1 FROM engagement_participants ep WHERE ep.engagement_id = e.id AND ep.participant_id = ${param(personId)})`)
    }
    // Chronological, or with q best match first: the service's search (src/db/search.ts), the same
    // tsquery from the same words, ts_rank_cd with the same weights, ties in chronological order.
    let rank: string | undefined
    if (query.q !== undefined) {
      const tsquery = `to_tsquery('simple', ${param(prefixSearchQuery(query.q, '/query/q'))})`
      rank = `ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', e.search_vector, ${tsquery})`
      conditions.push(`e.search_vector @@ ${tsquery}`)
    }
    if (query.cursor !== undefined && rank !== undefined) {
      const [after, startsAt, id] = decodeCursor(query.cursor, [(value) => Number.isFinite(Number(value)), isValidInstant, isUuid]) as [string, string, string]
      const [afterRank, afterStart, afterId] = [param(Number(after)), param(new Date(startsAt)), param(id)]
      conditions.push(`(${rank} < ${afterRank}::real OR (${rank} = ${afterRank}::real AND (e.starts_at, e.id) > (${afterStart}, ${afterId})))`)
    } else if (query.cursor !== undefined) {
      const [startsAt, id] = decodeCursor(query.cursor, [isValidInstant, isUuid]) as [string, string]
      conditions.push(`(e.starts_at, e.id) > (${param(new Date(startsAt))}, ${param(id)})`)
    }
    const rows = await pool.query<EngagementRow & { rank?: number }>(`${prefix}SELECT ${ENGAGEMENT_COLUMNS}${rank === undefined ? '' : `, ${rank} AS rank`}
      ${FROM_ENGAGEMENTS} WHERE ${conditions.join(' AND ')}
      ORDER BY ${rank === undefined ? '' : 'rank DESC, '}e.starts_at, e.id LIMIT ${param(limit + 1)}`, params)
    const page = rows.rows.slice(0, limit)
    const last = page.at(-1)
    const cursorOf = (row: EngagementRow & { rank?: number }) =>
      encodeCursor([...(row.rank === undefined ? [] : [String(row.rank)]), row.starts_at.toISOString(), row.id])
    return sendJson(reply, request.headers['if-none-match'], {
      data: page.map((row) => engagementJson(row, query.tz)),
      nextCursor: rows.rows.length > limit && last !== undefined ? cursorOf(last) : null
    })
  })

  return app
}

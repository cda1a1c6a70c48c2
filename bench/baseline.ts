// The baseline: the fastest honest way to answer the benchmark's requests on this machine. Bare
// Fastify routes, hand-written SQL through `pg` (Postgres builds each engagement's participants
// and sources as JSON), hand-built JSON and JSON.stringify: no ORM, no schemas, no plugins. It
// is the limit the service is measured against, not a product feature, so it only knows the
// requests the benchmark sends. It reuses the pure domain functions (time-window description,
// itinerary grouping, cursors, entity tags) because they compute the answer, not fetch it.
import Fastify, { type FastifyReply } from 'fastify'
import { encodeCursor } from '../src/domain/cursor.js'
import { entityTag, ifNoneMatchMatches } from '../src/domain/entity-tags.js'
import { buildItinerary } from '../src/domain/itinerary.js'
import { describeTimeWindow } from '../src/domain/time-window.js'
import {
  benchPool, iso, LEG_COLUMNS, listQuery, nodeListSql, PARTICIPANTS_JSON, PUBLIC_ONLY, SOURCES_JSON, VENUE_JSON,
  VISIT_COLUMNS, visitKey, type Query
} from './sql.js'

const ENGAGEMENT_COLUMNS = `
  e.id, e.visit_id, e.leg_id, e.title, e.title_translations, e.kind, e.status, e.confirmation,
  ${iso('e.announced_at')} AS announced_at, e.press_access, e.precision, e.part_of_day, e.starts_at, e.ends_at,
  e.time_zone, e.local_date, e.time_label, e.description, ${iso('e.embargo_until')} AS embargo_until,
  ${iso('e.created_at')} AS created_at, ${iso('e.updated_at')} AS updated_at, e.version,
  ${VENUE_JSON} AS venue, ${PARTICIPANTS_JSON} AS participants, ${SOURCES_JSON} AS sources`

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

/** Sends JSON, or 304 when If-None-Match names it: the same revalidation the service offers. */
function sendJson (reply: FastifyReply, ifNoneMatch: string | undefined, body: unknown) {
  const payload = JSON.stringify(body)
  const tag = entityTag(payload)
  reply.header('etag', tag)
  if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, tag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(payload)
}

export async function buildBaseline (databaseUrl: string, poolSize: number) {
  const pool = benchPool(databaseUrl, poolSize, 'baseline')
  const listSql = nodeListSql(pool)
  const app = Fastify({ logger: false })
  app.addHook('onClose', () => pool.end())

  app.get<{ Params: { visit: string }, Querystring: Query }>('/v1/visits/:visit/itinerary', async (request, reply) => {
    const key = visitKey(request.params.visit)
    const visitOf = `(SELECT id FROM visits WHERE ${key} = $1)`
    const [visit, legs, engagements] = await Promise.all([
      pool.query(`SELECT ${VISIT_COLUMNS} FROM visits WHERE ${key} = $1`, [request.params.visit]),
      pool.query<{ id: string }>(`SELECT ${LEG_COLUMNS} FROM legs WHERE visit_id = ${visitOf} ORDER BY sequence`, [request.params.visit]),
      pool.query<EngagementRow>(`SELECT ${ENGAGEMENT_COLUMNS} FROM engagements e
        WHERE e.visit_id = ${visitOf} AND ${PUBLIC_ONLY} ORDER BY e.starts_at, e.id`, [request.params.visit])
    ])
    if (visit.rowCount === 0) return reply.code(404).send({ status: 404 })
    const tz = request.query.tz
    const itinerary = buildItinerary(legs.rows, engagements.rows.map((row) => engagementJson(row, tz)))
    return sendJson(reply, request.headers['if-none-match'], { visit: visit.rows[0], viewerTimeZone: tz ?? null, ...itinerary })
  })

  app.get<{ Querystring: Query }>('/v1/engagements', async (request, reply) => {
    const { prefix, conditions, rank, orderBy, params, limit } = await listQuery(request.query, listSql)
    const rows = await pool.query<EngagementRow & { rank?: number }>(`${prefix}SELECT ${ENGAGEMENT_COLUMNS}${rank === undefined ? '' : `, ${rank} AS rank`}
      FROM engagements e WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT ${limit + 1}`, params)
    const page = rows.rows.slice(0, limit)
    const last = page.at(-1)
    const cursorOf = (row: EngagementRow & { rank?: number }) =>
      encodeCursor([...(row.rank === undefined ? [] : [String(row.rank)]), row.starts_at.toISOString(), row.id])
    return sendJson(reply, request.headers['if-none-match'], {
      data: page.map((row) => engagementJson(row, request.query.tz)),
      nextCursor: rows.rows.length > limit && last !== undefined ? cursorOf(last) : null
    })
  })

  return app
}

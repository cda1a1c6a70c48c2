// SQL the baseline and the limit share: the pool, the columns of visits, legs and an engagement's
// relations as the API shows them, and the engagement list's conditions. Both answer the same
// requests from the same rows; only who assembles the JSON differs (Node for the baseline,
// Postgres for the limit), so what they select and filter must not drift apart.
import pg from 'pg'
import { decodeCursor } from '../src/domain/cursor.js'
import { isUuid, participantNameKey } from '../src/domain/identifiers.js'
import { localDayBounds } from '../src/domain/local-day.js'
import { prefixSearchQuery } from '../src/domain/search.js'
import { isValidInstant } from '../src/domain/time-zones.js'

/** `date` columns as the 'YYYY-MM-DD' they are, never a Date in the machine's zone. */
const DATE_OID = 1082
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
}

export function benchPool (databaseUrl: string, poolSize: number, name: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, types })
  pool.on('error', (error) => console.error(`${name} pool: ${error.message}`))
  return pool
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`
/** An instant as Date.toISOString() writes it; null stays null. */
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO_UTC})`

// The same rule as visibleEngagements (src/db/visibility.ts) for a request without a token.
export const PUBLIC_ONLY = '(e.embargo_until IS NULL OR e.embargo_until <= now())'

// Relations as subqueries on their indexes: a join with venues would hash the whole table, which grows with the archive.
export const VENUE_JSON = `(SELECT json_build_object('id', v.id, 'name', v.name, 'nameTranslations', v.name_translations, 'city', v.city,
      'country', v.country, 'address', v.address, 'latitude', v.latitude, 'longitude', v.longitude)
    FROM venues v WHERE v.id = e.venue_id)`

export const PARTICIPANTS_JSON = `COALESCE((SELECT json_agg(json_build_object('participantId', ep.participant_id, 'name', p.name, 'role', ep.role,
      'title', ep.title, 'organisation', ep.organisation, 'country', p.country) ORDER BY ep.position)
    FROM engagement_participants ep JOIN participants p ON p.id = ep.participant_id
    WHERE ep.engagement_id = e.id), '[]')`

export const SOURCES_JSON = `COALESCE((SELECT json_agg(json_build_object('url', s.url, 'title', s.title, 'kind', s.kind, 'publisher', s.publisher,
      'publishedAt', ${iso('s.published_at')}) ORDER BY s.position)
    FROM sources s WHERE s.engagement_id = e.id), '[]')`

export const VISIT_COLUMNS = `id, slug, title, title_translations AS "titleTranslations", json_build_object('name', principal_name, 'title', principal_title) AS principal,
  origin_country AS "originCountry", kind, status, home_time_zone AS "homeTimeZone", start_date AS "startDate",
  end_date AS "endDate", summary, ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt", version`

export const LEG_COLUMNS = `id, visit_id AS "visitId", sequence, city, country, time_zone AS "timeZone", start_date AS "startDate",
  end_date AS "endDate", ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt", version`

/** Which column a visit in a URL is looked up by: its id or its slug. */
export const visitKey = (visit: string) => isUuid(visit) ? 'id' : 'slug'

export type Query = Record<string, string | undefined>

/** The engagement list's WHERE and ORDER BY for a query, with its parameters. */
export interface ListQuery {
  /** A WITH clause to put before the SELECT, or ''. */
  prefix: string
  conditions: string[]
  /** The search rank's expression when the query has `q`: best match first. */
  rank?: string
  orderBy: string
  params: unknown[]
  limit: number
}

type Param = (value: unknown) => string

/** What the baseline and the limit each do their own way: in Node before the statement, or in it. */
export interface ListSql {
  /** The participant the request names (a name or an id), as SQL for its id. */
  participantId: (name: string, param: Param) => Promise<string>
  /** The instants that start the local day and the next one, as SQL. */
  dayBounds: (date: string, timeZone: string, param: Param) => { start: string, end: string }
}

/** The service's list filters for the requests the benchmark sends: date in a zone, participant, q, cursor. */
export async function listQuery (query: Query, sql: ListSql): Promise<ListQuery> {
  const params: unknown[] = []
  const param = (value: unknown) => `$${params.push(value)}`
  const conditions = [PUBLIC_ONLY]
  let prefix = ''
  if (query.date !== undefined && query.tz !== undefined) {
    const { start, end } = sql.dayBounds(query.date, query.tz, param)
    // Materialised apart from the ORDER BY ... LIMIT, or the planner walks starts_at from the start of time.
    prefix = `WITH day_window AS MATERIALIZED (SELECT id FROM engagements
      WHERE (ends_at IS NULL AND starts_at >= ${start} AND starts_at < ${end}) OR (ends_at > ${start} AND starts_at < ${end})) `
    conditions.push('e.id IN (SELECT id FROM day_window)')
  } else if (query.date !== undefined) {
    conditions.push(`e.local_date = ${param(query.date)}`)
  }
  if (query.participant !== undefined) {
    const person = await sql.participantId(query.participant, param)
    conditions.push(`EXISTS (SELECT 1 FROM engagement_participants ep WHERE ep.engagement_id = e.id AND ep.participant_id = ${person})`)
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
  const limit = Number(query.limit ?? 50)
  return { prefix, conditions, rank, orderBy: `${rank === undefined ? '' : 'rank DESC, '}e.starts_at, e.id`, params, limit }
}

/**
 * Node's way, the baseline's: the participant's id looked up first and passed as a value (only
 * then does the planner see how common it is; the limit does the same), the day's bounds from the
 * service's own function.
 */
export function nodeListSql (pool: pg.Pool): ListSql {
  return {
    participantId: async (name, param) => {
      const id = isUuid(name)
        ? name
        : (await pool.query<{ id: string }>('SELECT id FROM participants WHERE name_key = $1 AND draft_of IS NULL', [participantNameKey(name)])).rows[0]?.id
      // No such person: an id no engagement has, so the list is empty as the service's is.
      return param(id ?? '00000000-0000-0000-0000-000000000000')
    },
    dayBounds: (date, timeZone, param) => {
      const day = localDayBounds(date, timeZone)
      return { start: param(day.start), end: param(day.end) }
    }
  }
}

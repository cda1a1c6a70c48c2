// The limit: each response built by Postgres in ONE statement (json_build_object and json_agg,
// local times, offsets and labels formatted in SQL) and sent as the text it arrives as. No ORM,
// no luxon, no JSON.parse or JSON.stringify on the way: the least work per request this schema
// allows, which the service is measured against. Revalidation is as cheap: the tag is the
// content version (prisma/migrations/*_content_version), one indexed row, so a 304 costs one
// query and no rendering. (A participant's name alone is looked up first: see sqlList.) Like the
// baseline it only knows the requests the benchmark sends.
import Fastify, { type FastifyReply } from 'fastify'
import type pg from 'pg'
import { ifNoneMatchMatches } from '../src/domain/entity-tags.js'
import {
  benchPool, iso, LEG_COLUMNS, listQuery, nodeListSql, PARTICIPANTS_JSON, PUBLIC_ONLY, SOURCES_JSON, VENUE_JSON, VISIT_COLUMNS, visitKey,
  type ListSql, type Query
} from './sql.js'

export interface LimitOptions {
  /** Keep each body in memory under the content version it was built at, and send it while the version holds. */
  cacheBodies: boolean
}

/**
 * The validator: what every committed write raises, and the latest embargo that has passed
 * (publication by the clock changes what a reader sees without a write). Both are one index
 * lookup.
 */
const VALIDATOR = `(SELECT version::text FROM content_version) || '-' ||
  coalesce((SELECT floor(extract(epoch FROM max(embargo_until)) * 1000)::text FROM engagements WHERE embargo_until <= now()), '0')`

const tagOf = (validator: string) => `"cv${validator}"`

// --- Times, as src/domain/time-window.ts presents them, in SQL -------------------------------

/** "+05:45", "-03:00", "+00:00": the zone's offset from UTC at the instant, as luxon's "ZZ". */
function utcOffset (instant: string, zone: string): string {
  const seconds = `extract(epoch FROM (${instant} AT TIME ZONE ${zone}) - (${instant} AT TIME ZONE 'UTC'))::int`
  return `CASE WHEN ${seconds} < 0 THEN '-' ELSE '+' END || to_char(make_interval(secs => abs(${seconds})), 'HH24:MI')`
}

/** "2026-01-05T12:00:00+08:00": the wall clock in the zone with its offset; null for a null instant. */
function localWithOffset (instant: string, zone: string): string {
  return `(to_char(${instant} AT TIME ZONE ${zone}, 'YYYY-MM-DD"T"HH24:MI:SS') || ${utcOffset(instant, zone)})`
}

/** RFC 9557: the local time with its zone in brackets. */
const zoned = (instant: string, zone: string) => `(${localWithOffset(instant, zone)} || '[' || ${zone} || ']')`

/** "Monday 5 January 2026" (FM drops to_char's padding; Day and Month are English without TM). */
const labelDay = (local: string) => `to_char(${local}, 'FMDay FMDD FMMonth YYYY')`
const hhmm = (local: string) => `to_char(${local}, 'HH24:MI')`

/** describeTimeLabel: the writer's label, else one derived from the precision. */
function timeLabel (): string {
  const start = 'e.starts_at AT TIME ZONE e.time_zone'
  const end = 'e.ends_at AT TIME ZONE e.time_zone'
  // A tbd window ends at the midnight after its last day: a millisecond before names that day.
  const lastDay = `(coalesce(e.ends_at, e.starts_at) - interval '1 millisecond') AT TIME ZONE e.time_zone`
  return `coalesce(e.time_label, CASE e.precision
    WHEN 'exact' THEN ${labelDay(start)} || ', ' || ${hhmm(start)} || CASE
      WHEN e.ends_at IS NULL THEN ''
      WHEN (${start})::date = (${end})::date THEN '–' || ${hhmm(end)}
      ELSE ' – ' || ${labelDay(end)} || ', ' || ${hhmm(end)} END
    WHEN 'part_of_day' THEN ${labelDay(start)} || ', ' || e.part_of_day::text
    WHEN 'date' THEN ${labelDay(start)}
    ELSE CASE WHEN (${start})::date = (${lastDay})::date THEN ${labelDay(start)} || ', time to be announced'
      ELSE 'Date to be announced, between ' || ${labelDay(start)} || ' and ' || ${labelDay(lastDay)} END
  END)`
}

const TIME_JSON = `json_build_object('timeZone', e.time_zone, 'precision', e.precision,
  'partOfDay', CASE WHEN e.precision = 'part_of_day' THEN e.part_of_day END,
  'startsAt', ${iso('e.starts_at')}, 'endsAt', ${iso('e.ends_at')},
  'localStart', ${localWithOffset('e.starts_at', 'e.time_zone')}, 'localEnd', ${localWithOffset('e.ends_at', 'e.time_zone')},
  'localDate', e.local_date, 'zonedStart', ${zoned('e.starts_at', 'e.time_zone')}, 'zonedEnd', ${zoned('e.ends_at', 'e.time_zone')},
  'label', ${timeLabel()})`

/** The `viewer` object for the zone in this SQL parameter. */
const viewerJson = (zone: string) => `json_build_object('timeZone', ${zone},
  'localStart', ${localWithOffset('e.starts_at', zone)}, 'localEnd', ${localWithOffset('e.ends_at', zone)},
  'localDate', (e.starts_at AT TIME ZONE ${zone})::date, 'zonedStart', ${zoned('e.starts_at', zone)}, 'zonedEnd', ${zoned('e.ends_at', zone)})`

/** An engagement as presentEngagement shows it; `viewer` only when the request names a zone (a text parameter). */
function engagementJson (viewerZone: string | undefined): string {
  return `json_build_object('id', e.id, 'visitId', e.visit_id, 'legId', e.leg_id, 'title', e.title,
    'titleTranslations', e.title_translations, 'kind', e.kind, 'status', e.status, 'confirmation', e.confirmation,
    'announcedAt', ${iso('e.announced_at')}, 'pressAccess', e.press_access, 'time', ${TIME_JSON},
    ${viewerZone === undefined ? '' : `'viewer', ${viewerJson(viewerZone)},`}
    'venue', ${VENUE_JSON}, 'participants', ${PARTICIPANTS_JSON}, 'description', e.description, 'sources', ${SOURCES_JSON},
    'embargoUntil', ${iso('e.embargo_until')}, 'createdAt', ${iso('e.created_at')}, 'updatedAt', ${iso('e.updated_at')},
    'version', e.version)`
}

/** base64url of the text, as encodeCursor writes it (encode() wraps lines at 76 characters). */
const base64url = (text: string) => `rtrim(translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`

// --- Statements ------------------------------------------------------------------------------

interface Statement { text: string, values: unknown[] }

/**
 * The itinerary (buildItinerary in SQL): legs in order, each with its engagements grouped by
 * local day, and the engagements of no listed leg under `unassigned`. Null for an unknown visit.
 */
function itineraryStatement (visit: string, viewerZone: string | undefined): Statement {
  const zone = viewerZone === undefined ? undefined : '$2::text'
  const daysOf = (where: string) => `COALESCE((SELECT json_agg(json_build_object('localDate', d.local_date, 'engagements', d.engagements)
    ORDER BY d.local_date) FROM days d WHERE ${where}), '[]')`
  return {
    text: `WITH visit AS (SELECT ${VISIT_COLUMNS} FROM visits WHERE ${visitKey(visit)} = $1),
      leg AS (SELECT ${LEG_COLUMNS} FROM legs WHERE visit_id = (SELECT id FROM visit)),
      entry AS (
        SELECT CASE WHEN e.leg_id IN (SELECT id FROM leg) THEN e.leg_id END AS leg_key, e.local_date, e.starts_at, e.id,
          ${engagementJson(zone)} AS body
        FROM engagements e WHERE e.visit_id = (SELECT id FROM visit) AND ${PUBLIC_ONLY}),
      days AS (SELECT leg_key, local_date, json_agg(body ORDER BY starts_at, id) AS engagements FROM entry GROUP BY leg_key, local_date)
      SELECT json_build_object('visit', row_to_json(visit), 'viewerTimeZone', ${zone ?? 'NULL'},
        'legs', COALESCE((SELECT json_agg(json_build_object('leg', row_to_json(l), 'days', ${daysOf('d.leg_key = l.id')}) ORDER BY l.sequence) FROM leg l), '[]'),
        'unassigned', ${daysOf('d.leg_key IS NULL')})::text AS body
      FROM visit`,
    values: viewerZone === undefined ? [visit] : [visit, viewerZone]
  }
}

/**
 * The limit's way: the local day's bounds with AT TIME ZONE, in the statement. (On a day whose
 * midnight a zone skips or repeats, Postgres picks another instant than localDayBounds does; no
 * zone of the benchmark's days does that.) The one exception to one statement per request: a
 * participant named in the request is looked up first, as the service and the baseline do, since
 * only with the id as a value does the planner see how common the person is (for the most common
 * one at 100,000 engagements: 1.4 ms walking the chronological index, against 170 ms fetching all
 * 11,175 of their engagements to sort them when the id is a subquery).
 */
function sqlList (pool: pg.Pool): ListSql {
  return {
    participantId: nodeListSql(pool).participantId,
    dayBounds: (date, timeZone, param) => {
      const [day, zone] = [`${param(date)}::date`, `${param(timeZone)}::text`]
      return { start: `(${day}::timestamp AT TIME ZONE ${zone})`, end: `((${day} + 1)::timestamp AT TIME ZONE ${zone})` }
    }
  }
}

/**
 * A page of the engagement list and the cursor after it. The page's keys are chosen first and
 * only its rows are rendered: rendering in the statement that sorts would build every match.
 */
async function listStatement (query: Query, listSql: ListSql): Promise<Statement> {
  const { prefix, conditions, rank, orderBy, params, limit } = await listQuery(query, listSql)
  const zone = query.tz === undefined ? undefined : `$${params.push(query.tz)}::text`
  const pageOrder = `${rank === undefined ? '' : 'rank DESC, '}starts_at, id`
  const cursorKey = `'["' || ${rank === undefined ? '' : `p.rank::text || '","' || `}${iso('p.starts_at')} || '","' || p.id || '"]'`
  return {
    text: `${prefix === '' ? 'WITH ' : `${prefix}, `}keys AS (
        SELECT e.id, e.starts_at${rank === undefined ? '' : `, ${rank} AS rank`}
        FROM engagements e WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT ${limit + 1}),
      page AS (SELECT keys.*, row_number() OVER (ORDER BY ${pageOrder}) AS n FROM keys)
      SELECT json_build_object(
        'data', COALESCE((SELECT json_agg(${engagementJson(zone)} ORDER BY p.n) FROM page p JOIN engagements e ON e.id = p.id WHERE p.n <= ${limit}), '[]'),
        'nextCursor', (SELECT ${base64url(cursorKey)} FROM page p WHERE p.n = ${limit} AND EXISTS (SELECT 1 FROM page WHERE n > ${limit}))
      )::text AS body`,
    values: params
  }
}

// --- Routes ----------------------------------------------------------------------------------

interface Rendered { validator: string, body: string | null }

/** The body, built by one statement that also reads the validator it is current at. */
async function render (pool: pg.Pool, statement: Statement): Promise<Rendered> {
  const { rows } = await pool.query<{ validator: string, body: string | null }>(
    `WITH answer AS (${statement.text}) SELECT ${VALIDATOR} AS validator, (SELECT body FROM answer) AS body`, statement.values)
  const row = rows[0] as { validator: string, body: string | null }
  return { validator: row.validator, body: row.body }
}

async function currentValidator (pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ validator: string }>(`SELECT ${VALIDATOR} AS validator`)
  return (rows[0] as { validator: string }).validator
}

/**
 * Answers a read: 304 when If-None-Match names the current tag (one query, nothing rendered);
 * else the body, from memory when kept at the current version, else built by its statement.
 * Kept bodies are built once however many requests miss at the same moment: without that, the
 * first seconds of a storm would render the same body once per connection.
 */
function reader (pool: pg.Pool, options: LimitOptions) {
  const kept = new Map<string, Promise<Rendered>>()
  const keptRendering = async (url: string, validator: string, statement: () => Promise<Statement>): Promise<Rendered> => {
    const current = kept.get(url)
    if (current !== undefined) {
      if ((await current).validator === validator) return current
      // Another request that found it stale while this one waited has started the new one.
      const started = kept.get(url)
      if (started !== undefined && started !== current) return started
    }
    const rendering = statement().then((text) => render(pool, text))
    kept.set(url, rendering)
    rendering.catch(() => kept.delete(url))
    return rendering
  }
  return async (reply: FastifyReply, url: string, ifNoneMatch: string | undefined, statement: () => Promise<Statement>) => {
    const validator = ifNoneMatch === undefined && !options.cacheBodies ? undefined : await currentValidator(pool)
    if (validator !== undefined && ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, tagOf(validator))) {
      return reply.header('etag', tagOf(validator)).code(304).send()
    }
    const rendered = options.cacheBodies && validator !== undefined
      ? await keptRendering(url, validator, statement)
      : await render(pool, await statement())
    if (rendered.body === null) return reply.code(404).send({ status: 404 })
    return reply.header('etag', tagOf(rendered.validator)).type('application/json; charset=utf-8').send(rendered.body)
  }
}

export async function buildLimit (databaseUrl: string, poolSize: number, options: LimitOptions) {
  const pool = benchPool(databaseUrl, poolSize, 'limit')
  const app = Fastify({ logger: false })
  app.addHook('onClose', () => pool.end())
  const answer = reader(pool, options)
  const listSql = sqlList(pool)

  app.get<{ Params: { visit: string }, Querystring: Query }>('/v1/visits/:visit/itinerary', async (request, reply) =>
    answer(reply, request.url, request.headers['if-none-match'], async () => itineraryStatement(request.params.visit, request.query.tz)))

  app.get<{ Querystring: Query }>('/v1/engagements', async (request, reply) =>
    answer(reply, request.url, request.headers['if-none-match'], () => listStatement(request.query, listSql)))

  return app
}

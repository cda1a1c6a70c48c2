// What the benchmark asks: one request per scenario, chosen from the data set so that the answer
// has the same size at every scale (a visit of about 60 engagements, a busy day of the last
// weeks), and the check that the service and the baseline give the same answer to it.
import { isDeepStrictEqual } from 'node:util'
import pg from 'pg'
import { encodeCursor } from '../src/domain/cursor.js'

export type Target = 'service' | 'baseline'

export interface Scenario {
  name: string
  description: string
  path: string
  expectedStatus: number
  /** Headers of the measured request, per target (an ETag is each server's own). */
  headers: Record<Target, Record<string, string>>
  /** Why the scenario cannot run yet; it is then reported and skipped. */
  unavailable?: string
}

export interface Probes {
  visitSlug: string
  visitEngagements: number
  day: string
  participantName: string
  participantEngagements: number
  deepCursor: string
  deepPosition: number
}

/** The viewer zone of the day and itinerary scenarios: a 45-minute offset, no daylight saving. */
export const VIEWER_ZONE = 'Asia/Kathmandu'
const TARGET_VISIT_SIZE = 60

/**
 * Request values found in the data set, with plain SQL (the benchmark's own, not the API's).
 * The visit is one of the last weeks before "today" (the archive runs to the end of 2026), as
 * on a news day, so the day query looks at the same recent stretch at every scale.
 */
export async function findProbes (databaseUrl: string): Promise<Probes> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const visit = await client.query<{ id: string, slug: string, count: number }>(`
      SELECT v.id, v.slug, count(*)::int AS count FROM visits v JOIN engagements e ON e.visit_id = v.id
      GROUP BY v.id
      ORDER BY v.start_date BETWEEN date '2026-10-01' AND date '2026-11-20' DESC, abs(count(*) - $1), v.start_date DESC
      LIMIT 1`, [TARGET_VISIT_SIZE])
    const { id: visitId, slug, count } = one(visit.rows, 'a visit with engagements')
    const day = await client.query<{ day: string }>(`
      SELECT local_date::text AS day FROM engagements WHERE visit_id = $1 GROUP BY local_date ORDER BY count(*) DESC, local_date LIMIT 1`, [visitId])
    const participant = await client.query<{ name: string, count: number }>(`
      SELECT p.name, count(*)::int AS count FROM engagement_participants ep JOIN participants p ON p.id = ep.participant_id
      GROUP BY p.id ORDER BY count(*) DESC LIMIT 1`)
    // Halfway through the whole archive in list order: as deep as a client walking pages gets on average.
    const total = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM engagements')
    const position = Math.floor(one(total.rows, 'engagements').count / 2)
    const deep = await client.query<{ starts_at: Date, id: string }>(
      'SELECT starts_at, id FROM engagements ORDER BY starts_at, id OFFSET $1 LIMIT 1', [position])
    const deepRow = one(deep.rows, 'a row halfway through the engagements')
    const { name, count: participantEngagements } = one(participant.rows, 'a participant')
    return {
      visitSlug: slug,
      visitEngagements: count,
      day: one(day.rows, 'a day').day,
      participantName: name,
      participantEngagements,
      deepCursor: encodeCursor([deepRow.starts_at.toISOString(), deepRow.id]),
      deepPosition: position
    }
  } finally {
    await client.end()
  }
}

function one<T> (rows: T[], what: string): T {
  const row = rows[0]
  if (row === undefined) throw new Error(`The data set has no ${what}: regenerate it (--regenerate).`)
  return row
}

const same = (headers: Record<string, string> = {}) => ({ service: headers, baseline: headers })

export function scenariosFor (probes: Probes): Scenario[] {
  const itinerary = `/v1/visits/${probes.visitSlug}/itinerary?tz=${encodeURIComponent('America/New_York')}`
  return [
    {
      name: 'itinerary',
      description: `itinerary of one visit (${probes.visitEngagements} engagements), ?tz=America/New_York`,
      path: itinerary,
      expectedStatus: 200,
      headers: same()
    },
    {
      name: 'day',
      description: `engagements of ${probes.day} in ${VIEWER_ZONE} (first page of 50)`,
      path: `/v1/engagements?date=${probes.day}&tz=${encodeURIComponent(VIEWER_ZONE)}`,
      expectedStatus: 200,
      headers: same()
    },
    {
      name: 'participant',
      description: `engagements with ${probes.participantName} (${probes.participantEngagements} in all; first page)`,
      path: `/v1/engagements?participant=${encodeURIComponent(probes.participantName)}`,
      expectedStatus: 200,
      headers: same()
    },
    {
      name: 'search',
      description: 'full-text search ?q=summit (first page)',
      path: '/v1/engagements?q=summit',
      expectedStatus: 200,
      headers: same()
    },
    {
      name: 'deep-page',
      description: `list page after engagement #${probes.deepPosition.toLocaleString('en')} (keyset cursor)`,
      path: `/v1/engagements?cursor=${probes.deepCursor}`,
      expectedStatus: 200,
      headers: same()
    },
    {
      name: 'revalidate',
      description: 'the itinerary again with If-None-Match: its ETag (304)',
      path: itinerary,
      expectedStatus: 304,
      headers: same()
    }
  ]
}

interface Answer { status: number, etag: string | null, body: unknown }

async function ask (base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { headers })
  const text = await response.text()
  return { status: response.status, etag: response.headers.get('etag'), body: text === '' ? null : JSON.parse(text) as unknown }
}

/** Where two JSON values first differ, as a JSON Pointer, or null when they are equal. */
export function firstDifference (a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '/'}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}/${key}`)
    if (difference !== null) return difference
  }
  return `${path || '/'}: differ`
}

/**
 * Prepares a scenario against both servers: fills in each server's ETag for revalidation (or marks
 * the scenario unavailable when the service sends none), and throws when the two answers
 * differ, since a ratio between different answers would mean nothing.
 */
export async function prepareScenario (scenario: Scenario, bases: Record<Target, string>): Promise<Scenario> {
  const [service, baseline] = await Promise.all([ask(bases.service, scenario.path), ask(bases.baseline, scenario.path)])
  if (service.status !== 200) throw new Error(`${scenario.name}: the service answered ${service.status}: ${JSON.stringify(service.body)}`)
  const difference = firstDifference(service.body, baseline.body)
  if (baseline.status !== 200 || difference !== null) {
    throw new Error(`${scenario.name}: the baseline's answer differs from the service's (status ${baseline.status}) at ${difference ?? '/'}`)
  }
  if (scenario.expectedStatus !== 304) return scenario
  if (service.etag === null) return { ...scenario, unavailable: 'not available yet: the service sends no ETag' }
  const prepared = {
    ...scenario,
    headers: { service: { 'if-none-match': service.etag }, baseline: { 'if-none-match': baseline.etag ?? '' } }
  }
  const [serviceAgain, baselineAgain] = await Promise.all([
    ask(bases.service, scenario.path, prepared.headers.service), ask(bases.baseline, scenario.path, prepared.headers.baseline)
  ])
  if (serviceAgain.status !== 304 || baselineAgain.status !== 304) {
    throw new Error(`${scenario.name}: revalidation answered ${serviceAgain.status} (service) and ${baselineAgain.status} (baseline), not 304`)
  }
  return prepared
}

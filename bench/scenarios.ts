// What the benchmark asks: one request per scenario, chosen from the data set so that the answer
// has the same size at every scale (a visit of about 60 engagements, a busy day of the last
// weeks), which targets answer it, and the check that they give the same answer to it.
import { isDeepStrictEqual } from 'node:util'
import pg from 'pg'
import { encodeCursor } from '../src/domain/cursor.js'
import { demoVisit } from '../src/demo/lee-state-visit-china-2026.js'
import type { ServerSet, Target } from './targets.js'

export interface Scenario {
  name: string
  /** The scenario's name in --scenarios: the embedded comparison's two scenarios share one. */
  group: string
  /** Which set of servers answers it. */
  servers: ServerSet
  description: string
  path: string
  expectedStatus: number
  /** The targets measured; the first is the service, the others what it is measured against. */
  targets: Target[]
  /** Targets whose answer must be the first's, as JSON, before anything is measured. */
  sameAnswer: Target[]
  /** Headers of the measured request, per target (an ETag is each server's own). */
  headers: Partial<Record<Target, Record<string, string>>>
  /** A polling storm: half the connections revalidate (304), half ask for the body (200). */
  storm?: true
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

/** Connections of the polling storm, whatever --connections says: a newsroom's clients at once. */
export const STORM_CONNECTIONS = 200

/** The itinerary every cache and revalidation scenario asks for. */
export const itineraryPath = (slug: string) => `/v1/visits/${slug}/itinerary?tz=${encodeURIComponent('America/New_York')}`

type Plain = Omit<Scenario, 'group' | 'servers' | 'targets' | 'sameAnswer' | 'headers' | 'expectedStatus'> & { expectedStatus?: number }

/** A scenario the uncached service answers, checked against and measured with the limit and the baseline. */
const rendered = (scenario: Plain): Scenario => ({
  expectedStatus: 200,
  ...scenario,
  group: scenario.name,
  servers: 'comparison',
  targets: ['service-uncached', 'limit', 'baseline'],
  sameAnswer: ['limit', 'baseline'],
  headers: {}
})

export function scenariosFor (probes: Probes): Scenario[] {
  const itinerary = itineraryPath(probes.visitSlug)
  const demo = itineraryPath(demoVisit.slug)
  const comparison = { servers: 'comparison', headers: {} } as const
  return [
    rendered({ name: 'itinerary', description: `itinerary of one visit (${probes.visitEngagements} engagements), ?tz=America/New_York, uncached`, path: itinerary }),
    rendered({
      name: 'day',
      description: `engagements of ${probes.day} in ${VIEWER_ZONE} (first page of 50), uncached`,
      path: `/v1/engagements?date=${probes.day}&tz=${encodeURIComponent(VIEWER_ZONE)}`
    }),
    rendered({
      name: 'participant',
      description: `engagements with ${probes.participantName} (${probes.participantEngagements} in all; first page), uncached`,
      path: `/v1/engagements?participant=${encodeURIComponent(probes.participantName)}`
    }),
    rendered({ name: 'search', description: 'full-text search ?q=summit (first page), uncached', path: '/v1/engagements?q=summit' }),
    rendered({
      name: 'deep-page',
      description: `list page after engagement #${probes.deepPosition.toLocaleString('en')} (keyset cursor), uncached`,
      path: `/v1/engagements?cursor=${probes.deepCursor}`
    }),
    {
      ...comparison,
      name: 'revalidate',
      group: 'revalidate',
      description: 'the itinerary again with If-None-Match: its ETag (304)',
      path: itinerary,
      expectedStatus: 304,
      targets: ['service', 'limit', 'baseline', 'healthz'],
      sameAnswer: ['limit', 'baseline']
    },
    {
      ...comparison,
      name: 'cached',
      group: 'cached',
      description: 'the itinerary again and again, no If-None-Match: the service\'s response cache against the limit\'s bodies kept by content version',
      path: itinerary,
      expectedStatus: 200,
      targets: ['service', 'limit-cached', 'healthz'],
      sameAnswer: ['limit-cached']
    },
    { ...comparison, name: 'healthz', group: 'healthz', description: 'GET /healthz: the service\'s floor, no database', path: HEALTHZ.path, expectedStatus: 200, targets: ['service'], sameAnswer: [] },
    {
      ...comparison,
      name: 'storm',
      group: 'storm',
      description: `polling storm: ${STORM_CONNECTIONS} connections on the itinerary, half with If-None-Match (304), half plain GETs (200)`,
      path: itinerary,
      expectedStatus: 304,
      targets: ['service', 'limit-cached'],
      sameAnswer: ['limit-cached'],
      storm: true
    },
    // Demo rows are written when each server starts, so their timestamps differ: no equality check.
    {
      name: 'embedded',
      group: 'embedded',
      servers: 'embedded',
      description: 'the demo itinerary, ?tz=America/New_York, uncached: the service on embedded PGlite against the service on a Postgres server',
      path: demo,
      expectedStatus: 200,
      targets: ['embedded-uncached', 'server-uncached'],
      sameAnswer: [],
      headers: {}
    },
    {
      name: 'embedded-revalidate',
      group: 'embedded',
      servers: 'embedded',
      description: 'the demo itinerary with If-None-Match: its ETag (304), on PGlite against on a Postgres server',
      path: demo,
      expectedStatus: 304,
      targets: ['embedded', 'server'],
      sameAnswer: [],
      headers: {}
    }
  ]
}

const HEALTHZ = { path: '/healthz', expectedStatus: 200 }

/** What a target is asked in a scenario: the scenario's request, or /healthz for the healthz target. */
export function requestOf (scenario: Scenario, target: Target): { path: string, expectedStatus: number, headers: Record<string, string> } {
  if (target === 'healthz') return { ...HEALTHZ, headers: {} }
  return { path: scenario.path, expectedStatus: scenario.expectedStatus, headers: scenario.headers[target] ?? {} }
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

/** The ETag each target sends for the path, checked to revalidate (304). */
async function revalidatingHeaders (scenario: Scenario, bases: Partial<Record<Target, string>>): Promise<Scenario['headers']> {
  const headers: Scenario['headers'] = {}
  for (const target of scenario.targets.filter((t) => t !== 'healthz')) {
    const base = bases[target] as string
    const { etag } = await ask(base, scenario.path)
    if (etag === null) throw new Error(`${scenario.name}: ${target} sends no ETag`)
    const again = await ask(base, scenario.path, { 'if-none-match': etag })
    if (again.status !== 304) throw new Error(`${scenario.name}: ${target} answered its own ETag with ${again.status}, not 304`)
    headers[target] = { 'if-none-match': etag }
  }
  return headers
}

/**
 * Prepares a scenario against its targets: throws when an answer is not 200 or differs from the
 * service's where it must not, since a ratio between different answers would mean nothing; fills
 * in each target's ETag for revalidation.
 */
export async function prepareScenario (scenario: Scenario, bases: Partial<Record<Target, string>>): Promise<Scenario> {
  const answers = await Promise.all(scenario.targets.map(async (target) => ask(bases[target] as string, requestOf(scenario, target).path)))
  const [first] = answers
  for (const [index, answer] of answers.entries()) {
    const target = scenario.targets[index] as Target
    if (answer.status !== 200) throw new Error(`${scenario.name}: ${target} answered ${answer.status}: ${JSON.stringify(answer.body)?.slice(0, 300)}`)
    const difference = scenario.sameAnswer.includes(target) ? firstDifference(first?.body, answer.body) : null
    if (difference !== null) throw new Error(`${scenario.name}: ${target}'s answer differs from ${scenario.targets[0]}'s at ${difference}`)
  }
  if (scenario.expectedStatus !== 304) return scenario
  return { ...scenario, headers: await revalidatingHeaders(scenario, bases) }
}

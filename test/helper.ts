import { randomUUID } from 'node:crypto'
import { after, before } from 'node:test'
import supertest from 'supertest'
import { buildApp, type AppOptions } from '../src/app.js'
import { TOKEN_SCOPES, type BootstrapToken } from '../src/domain/access.js'

/** The secret of test-desk, a bootstrap token with every scope (as `name:secret` in API_TOKENS). */
export const WRITE_TOKEN = 'test-writer-secret'
export const authorised = { Authorization: `Bearer ${WRITE_TOKEN}` }
const TEST_DESK: [string, BootstrapToken] = ['test-desk', { secret: WRITE_TOKEN, scopes: [...TOKEN_SCOPES] }]

export const UNREACHED_RATE_LIMITS = { readsPerMinute: 1_000_000, writesPerMinute: 1_000_000, failedAuthenticationsPerMinute: 1_000_000 }

/**
 * Options for a describe/it that needs a PostgreSQL server (a second session, pg_terminate_backend,
 * a server process of its own): on the embedded database it is skipped, with this reason printed.
 */
export const needsPostgresServer = {
  skip: process.env.TEST_DATABASE === 'embedded'
    ? 'needs a PostgreSQL server: run with DATABASE_URL=postgresql://... (the embedded PGlite has one session)'
    : false
}

export function databaseUrl (): string {
  const url = process.env.DATABASE_URL
  if (url === undefined) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which prepares a database.')
  return url
}

/** What buildTestApp builds on top of `buildApp`'s defaults; every option of `buildApp` overrides them. */
export interface TestAppOptions extends Partial<AppOptions> {
  /** Bootstrap tokens beside test-desk (`apiTokens` replaces test-desk too). */
  extraTokens?: ReadonlyMap<string, BootstrapToken>
  /** Routes of the test's own, added before the app is ready (which closes it to new routes). */
  addRoutes?: (app: App) => void
}

type App = Awaited<ReturnType<typeof buildApp>>

/** What runs a cleanup once it is over: a test's context `t`, or a cleanupList. */
export interface Cleanups { after(cleanup: () => unknown): void }

/** Cleanups kept for later, for a describe block's `after` hook or a helper's own close(): `run()` runs them in order. */
export function cleanupList () {
  const cleanups: Array<() => unknown> = []
  return {
    after: (cleanup: () => unknown) => { cleanups.push(cleanup) },
    async run () {
      for (const cleanup of cleanups.splice(0)) await cleanup()
    }
  }
}

/**
 * The real app, ready, on the test database with test-desk as bootstrap token and rate limits no
 * suite reaches, unless `options` says otherwise; closed once `t` is over.
 */
export async function buildTestApp (t: Cleanups, { extraTokens = new Map(), addRoutes, ...options }: TestAppOptions = {}) {
  const app = await buildApp({
    databaseUrl: options.databaseUrl ?? databaseUrl(),
    apiTokens: new Map([TEST_DESK, ...extraTokens]),
    // Far above what any suite or the fuzzer sends in a minute; the hardening tests build
    // their own app with tiny limits to see 429s.
    rateLimits: UNREACHED_RATE_LIMITS,
    ...options
  })
  t.after(() => app.close())
  addRoutes?.(app)
  await app.ready()
  return { app, http: supertest(app.server) }
}

export type Http = Awaited<ReturnType<typeof buildTestApp>>['http']

/** A slug no other test uses, so tests never depend on each other's rows. */
export function uniqueSlug (prefix = 'visit'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export function visitBody (overrides: Record<string, unknown> = {}) {
  return {
    slug: uniqueSlug(),
    title: 'Test state visit',
    principal: { name: 'Lee Jae Myung', title: 'President of the Republic of Korea' },
    originCountry: 'KR',
    kind: 'state_visit',
    homeTimeZone: 'Asia/Seoul',
    startDate: '2026-01-04',
    endDate: '2026-01-07',
    ...overrides
  }
}

export async function createVisit (http: Http, overrides: Record<string, unknown> = {}) {
  const response = await http.post('/v1/visits').set(authorised).send(visitBody(overrides)).expect(201)
  return response.body as { id: string, slug: string, version: number }
}

export async function createLeg (http: Http, visitId: string, overrides: Record<string, unknown> = {}) {
  const response = await http.post(`/v1/visits/${visitId}/legs`).set(authorised).send({
    city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-06', ...overrides
  }).expect(201)
  return response.body as { id: string, sequence: number, timeZone: string }
}

export async function createEngagement (http: Http, visitId: string, body: Record<string, unknown>) {
  const response = await http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({
    title: 'Test engagement', kind: 'meeting', ...body
  })
  if (response.status !== 201) throw new Error(`engagement not created: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body as { id: string, time: Record<string, unknown>, version: number }
}

/** If-Match for a PATCH or DELETE of what was read at `version` (the API takes "v3" like a full ETag). */
export function ifMatch (version: number) {
  return { 'If-Match': `"v${version}"` }
}

/**
 * buildTestApp for one describe block: built before its tests, closed after them. Read `app` and
 * `http` inside tests and hooks, once `before` has run.
 */
export function useTestApp (options?: TestAppOptions) {
  const context = {} as Awaited<ReturnType<typeof buildTestApp>>
  const cleanups = cleanupList()
  before(async () => {
    Object.assign(context, await buildTestApp(cleanups, options))
  })
  after(() => cleanups.run())
  return context
}

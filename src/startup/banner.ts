import { demoVisit } from '../demo/lee-state-visit-china-2026.js'

const DEMO_VISIT_SLUG = demoVisit.slug

/** How a client can write to this server, as the banner tells it. */
export type WriteAccess =
  | { kind: 'local-dev-token', secretFile: string }
  | { kind: 'bootstrap-tokens', names: string[] }
  | { kind: 'database-tokens' }

export interface BannerDatabase {
  connectionString: string
  embeddedDir: string | null
}

// The demo visit's press conference: an engagement a newcomer can add again and again.
const EXAMPLE_ENGAGEMENT = '{"title":"Press conference","kind":"press","time":{"precision":"exact","timeZone":"Asia/Shanghai","localStart":"2026-01-05T19:30"}}'

/** What `npm start` prints once it listens: where everything is, and how to make a first write. */
export function banner (address: string, database: BannerDatabase, writes: WriteAccess): string {
  const lines = [
    '',
    `  Diplomatic itinerary API  ${address}/v1/visits`,
    `  Swagger UI                ${address}/docs`,
    `  Demo itinerary            ${address}/v1/visits/${DEMO_VISIT_SLUG}/itinerary?tz=America/New_York`,
    `  Database                  ${describeDatabase(database)}`,
    `  Writes                    ${describeWrites(database, writes)}`
  ]
  if (writes.kind === 'local-dev-token') {
    // The secret is read from its file when the command runs, so it never shows in a terminal or a log.
    lines.push(
      '',
      '  Try a write: add an engagement to the demo visit',
      '',
      `    curl -X POST '${address}/v1/visits/${DEMO_VISIT_SLUG}/engagements' \\`,
      `      -H "Authorization: Bearer $(cat ${shellQuote(writes.secretFile)})" \\`,
      "      -H 'Content-Type: application/json' \\",
      `      -d '${EXAMPLE_ENGAGEMENT}'`
    )
  }
  return [...lines, '', ''].join('\n')
}

function describeDatabase (database: BannerDatabase): string {
  if (database.embeddedDir !== null) return `embedded (PGlite) in ${database.embeddedDir}, at ${database.connectionString}`
  const url = new URL(database.connectionString)
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname} (DATABASE_URL)`
}

function describeWrites (database: BannerDatabase, writes: WriteAccess): string {
  switch (writes.kind) {
    case 'local-dev-token':
      return `with the token local-dev (write scope, from this machine only), whose secret is in ${writes.secretFile}`
    case 'bootstrap-tokens':
      return `with a token from API_TOKENS (${writes.names.join(', ')}) or one made with npm run token -- create`
    case 'database-tokens':
      return 'need a token: npm run token -- create --name <name> --scope write' +
        (database.embeddedDir === null ? ', with the same DATABASE_URL' : ' (it reaches this server\'s database)')
  }
}

function shellQuote (text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`
}

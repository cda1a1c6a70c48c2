// The plans of the SQL the service actually sends: the app is built with a query listener,
// answers one request, and every statement it issued is run again under EXPLAIN (ANALYZE, BUFFERS)
// with the same parameters.
import pg from 'pg'
import { buildApp } from '../src/app.js'

export interface ExplainedQuery {
  sql: string
  plan: string
  sequentialScans: string[]
}

export async function explainRequest (databaseUrl: string, path: string): Promise<ExplainedQuery[]> {
  const statements: Array<{ sql: string, params: unknown[] }> = []
  const app = await buildApp({
    databaseUrl,
    apiTokens: new Map(),
    // Uncached, as the scenarios it explains are measured.
    responseCacheMaxBytes: 0,
    onDatabaseQuery: (event) => statements.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] })
  })
  try {
    const response = await app.inject({ method: 'GET', url: path })
    if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`)
  } finally {
    await app.close()
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const explained: ExplainedQuery[] = []
    for (const { sql, params } of statements) {
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)
      const plan = result.rows.map((row) => row['QUERY PLAN']).join('\n')
      const sequentialScans = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((match) => match[1] as string)
      explained.push({ sql, plan, sequentialScans })
    }
    return explained
  } finally {
    await client.end()
  }
}

export function explainMarkdown (title: string, queries: ExplainedQuery[]): string {
  const parts = [`#### ${title}`, '']
  for (const [index, query] of queries.entries()) {
    parts.push(`Statement ${index + 1}${query.sequentialScans.length > 0 ? ` (sequential scan on ${query.sequentialScans.join(', ')})` : ''}:`, '',
      '```sql', query.sql, '```', '', '```', query.plan, '```', '')
  }
  return parts.join('\n')
}

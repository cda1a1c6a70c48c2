import { readFile, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import type { Figures, LoadSettings, TargetFigures } from './measure.js'
import type { Scenario } from './scenarios.js'
import type { Target } from './targets.js'

export interface ScenarioResult {
  scenario: Scenario
  figures: Partial<Record<Target, TargetFigures>>
}

/** What a ratio is taken against: another target of the scenario (healthz: the service's /healthz in the same rounds). */
type Reference = 'limit' | 'baseline' | 'healthz' | 'server'

/** A goal on the ratio of the scenario's service (its first target) to a reference, in requests per second. */
interface RatioGoal { against: Reference, atLeast: number }

/** The goals of docs/benchmark.md. */
const RATIO_GOALS: Record<string, RatioGoal[]> = {
  itinerary: [{ against: 'limit', atLeast: 0.7 }],
  day: [{ against: 'limit', atLeast: 0.7 }],
  participant: [{ against: 'baseline', atLeast: 0.7 }],
  search: [{ against: 'baseline', atLeast: 0.7 }],
  'deep-page': [{ against: 'baseline', atLeast: 0.7 }],
  revalidate: [{ against: 'limit', atLeast: 0.5 }, { against: 'healthz', atLeast: 0.3 }],
  cached: [{ against: 'healthz', atLeast: 0.5 }],
  embedded: [{ against: 'server', atLeast: 0.5 }],
  'embedded-revalidate': [{ against: 'server', atLeast: 0.5 }]
}

/** The storm's goal: no errors, no status but 304 and 200, and revalidations fast under it. */
export const STORM_P99_LIMIT_MS = 50

const REFERENCE_LABELS: Record<Reference, string> = { limit: 'limit', baseline: 'baseline', healthz: '/healthz', server: 'Postgres server' }

/** The target of the scenario a reference names: the limit is the cached one where the service caches. */
function referenceTarget (scenario: Scenario, reference: Reference): Target | undefined {
  return scenario.targets.slice(1).find((target) => target === reference || target.startsWith(`${reference}-`))
}

/** The service's requests per second over the reference's, or undefined when either was not measured. */
export function ratioAgainst (result: ScenarioResult, reference: Reference): number | undefined {
  const { scenario, figures } = result
  const service = figures[scenario.targets[0] as Target]
  const other = figures[referenceTarget(scenario, reference) as Target]
  if (service === undefined || other === undefined || other.requestsPerSecond === 0) return undefined
  return service.requestsPerSecond / other.requestsPerSecond
}

const verdict = (met: boolean) => met ? 'met' : '**missed**'

function goalCells (result: ScenarioResult): string[] {
  const cells = (RATIO_GOALS[result.scenario.name] ?? []).map(({ against, atLeast }) => {
    const ratio = ratioAgainst(result, against)
    return `≥ ${atLeast} × ${REFERENCE_LABELS[against]}: ${ratio === undefined ? 'not measured' : verdict(ratio >= atLeast)}`
  })
  const storm = result.figures[result.scenario.targets[0] as Target]
  if (result.scenario.storm === true && storm !== undefined && 'revalidating' in storm) {
    const answered = storm.revalidating.requests > 0 && storm.plain.requests > 0
    const met = answered && storm.errors === 0 && storm.unexpected === 0 && storm.revalidating.p99 < STORM_P99_LIMIT_MS
    cells.push(`both halves answered, no errors, 304 p99 < ${STORM_P99_LIMIT_MS} ms: ${verdict(met)}`)
  }
  return cells
}

export async function describeMachine (databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const postgres = await client.query<{ server_version: string }>('SHOW server_version').finally(() => client.end())
  const [load1, load5, load15] = loadavg().map((value) => value.toFixed(2))
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    postgres: postgres.rows[0]?.server_version ?? 'unknown',
    loadAverage: `${load1} / ${load5} / ${load15}`
  }
}

export type Machine = Awaited<ReturnType<typeof describeMachine>>

const whole = (value: number) => Math.round(value).toLocaleString('en')
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`

const REFERENCES: Reference[] = ['limit', 'baseline', 'healthz', 'server']

/** Latencies of a target that answered nothing are no latencies: autocannon's zeros would read as fast. */
function figureCells (f: Figures): string {
  const [p50, p99] = f.requests === 0 ? ['—', '—'] : [ms(f.p50), ms(f.p99)]
  return `${whole(f.requestsPerSecond)} | ${p50} | ${p99} | ${f.errors} | ${f.unexpected}`
}

/** The rows of one target: a storm's both halves and each half on its own. */
function targetRows (target: Target, f: TargetFigures): Array<[string, Figures]> {
  if (!('revalidating' in f)) return [[target, f]]
  return [[`${target}, all (latency: the slower half)`, f], [`${target}, 304 half`, f.revalidating], [`${target}, 200 half`, f.plain]]
}

/**
 * One row per target and scenario; the service's row (the first) carries its ratios to the
 * limit, the baseline, /healthz and the Postgres server where the scenario has them, and its goals.
 */
export function scenarioTable (results: ScenarioResult[]): string {
  const lines = [
    '| scenario | target | req/s | p50 | p99 | errors | non-2xx/304 | ÷ limit | ÷ baseline | ÷ /healthz | ÷ Postgres server | goal |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'
  ]
  for (const result of results) {
    const { scenario, figures } = result
    const ratios = REFERENCES.map((reference) => {
      const ratio = ratioAgainst(result, reference)
      return ratio === undefined ? '' : `**${ratio.toFixed(2)}**`
    })
    const rows = scenario.targets.flatMap((target) => {
      const f = figures[target]
      return f === undefined ? [] : targetRows(target, f)
    })
    rows.forEach(([label, f], index) => {
      const first = index === 0
      lines.push(`| ${first ? scenario.name : ''} | ${label} | ${figureCells(f)} | ${(first ? ratios : ['', '', '', '']).join(' | ')} | ${first ? goalCells(result).join('; ') : ''} |`)
    })
  }
  return lines.join('\n')
}

export function scenarioList (scenarios: Scenario[]): string {
  return scenarios.map((s) => `- **${s.name}**: ${s.description} — \`GET ${s.path.length > 110 ? `${s.path.slice(0, 110)}…` : s.path}\``).join('\n')
}

export function settingsLine (machine: Machine, settings: LoadSettings, scale: string): string {
  return [
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${machine.cores} cores, ${machine.cpu}; Node ${machine.node}; PostgreSQL ${machine.postgres}`,
    `- Load average (1 / 5 / 15 min) when the run ended: ${machine.loadAverage}`,
    `- Data set: ${scale}`,
    `- Load: ${settings.connections} connections, ${settings.rounds} round(s) of ${settings.durationSeconds} s per target and scenario ` +
      `after ${settings.warmupSeconds} s of warm-up, targets taking turns; medians of the rounds`
  ].join('\n')
}

/** Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->`, keeping the rest of the file. */
export async function writeSection (file: string, name: string, content: string) {
  const begin = `<!-- ${name}:begin -->`
  const end = `<!-- ${name}:end -->`
  const current = await readFile(file, 'utf8').catch(() => '# Benchmark results\n')
  const block = `${begin}\n${content.trim()}\n${end}`
  const start = current.indexOf(begin)
  const stop = current.indexOf(end)
  const next = start !== -1 && stop > start
    ? current.slice(0, start) + block + current.slice(stop + end.length)
    : `${current.trimEnd()}\n\n${block}\n`
  await writeFile(file, next)
}

// npm run bench [-- options]: the service against the one-statement limit and the raw-driver baseline. See --help.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { databaseUrl, defaultYears, ensureDataset, type DatasetScale } from './dataset.js'
import { explainMarkdown, explainRequest } from './explain.js'
import { measureScenario, type LoadSettings } from './measure.js'
import {
  describeMachine, scenarioList, scenarioTable, settingsLine, writeSection, type ScenarioResult
} from './report.js'
import { findProbes, prepareScenario, requestOf, scenariosFor, type Scenario } from './scenarios.js'
import type { ServerPorts } from './servers.js'
import type { ServerSet, Target } from './targets.js'

const HELP = `npm run bench -- [options]

  --engagements N   data set size (default 100000: 2,000 visits over 10 years)
  --million         the same as --engagements 1000000
  --years N         years of history (default: engagements / 10,000, at least 1)
  --database NAME   database to fill and use (default itinerary_bench, or itinerary_bench_<N> at other sizes)
  --server URL      Postgres server (default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)
  --regenerate      regenerate the data set even if the database already holds it
  --scenarios A,B   only these scenarios (itinerary, day, participant, search, deep-page, revalidate, cached,
                    healthz, storm, embedded)
  --connections N   concurrent connections (default 10)
  --duration S      seconds per round and target (default 10)
  --rounds N        rounds per target, alternating (default 3)
  --warmup S        unmeasured seconds per target before the rounds (default 2)
  --growth          day query and itinerary at 10k, 100k and 1M engagements, with EXPLAIN plans at 1M
  --smoke           tiny data set, one 1 s round of every scenario and target: checks the harness (CI); writes no results
  --help            this text`

const RESULTS_FILE = fileURLToPath(new URL('RESULTS.md', import.meta.url))
const GROWTH_SCALES = [10_000, 100_000, 1_000_000]
const GROWTH_SCENARIOS = ['itinerary', 'day']

const { values: flags } = parseArgs({
  options: {
    engagements: { type: 'string' },
    million: { type: 'boolean', default: false },
    years: { type: 'string' },
    database: { type: 'string' },
    server: { type: 'string' },
    regenerate: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    growth: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

function positive (name: string, value: string | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < minimum) throw new Error(`--${name} must be an integer of at least ${minimum}, not "${value}".`)
  return number
}

const serverUrl = flags.server ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const smoke = flags.smoke
const settings: LoadSettings = {
  connections: positive('connections', flags.connections, 10),
  durationSeconds: positive('duration', flags.duration, smoke ? 1 : 10),
  rounds: positive('rounds', flags.rounds, smoke ? 1 : 3),
  warmupSeconds: positive('warmup', flags.warmup, smoke ? 0 : 2, 0)
}
const wanted = flags.scenarios?.split(',')

function scaleOf (engagements: number): DatasetScale {
  return { engagements, years: positive('years', flags.years, defaultYears(engagements)) }
}

function databaseFor (engagements: number): string {
  if (flags.database !== undefined) return flags.database
  if (smoke) return 'itinerary_bench_smoke'
  return engagements === 100_000 ? 'itinerary_bench' : `itinerary_bench_${engagements}`
}

const describeScale = (scale: DatasetScale, database: string) =>
  `${scale.engagements.toLocaleString('en')} engagements over ${scale.years} year(s), database \`${database}\``

/** Database of the embedded comparison's Postgres side: the demo visit only, made again on each run. */
const DEMO_DATABASE = 'itinerary_bench_demo'

async function startServers (url: string, set: ServerSet): Promise<{ child: ChildProcess, bases: Partial<Record<Target, string>> }> {
  const child = fork(fileURLToPath(new URL('servers.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DATABASE_URL: url, BENCH_SERVERS: set, NODE_ENV: 'production' }
  })
  const [ports] = await Promise.race([
    once(child, 'message') as Promise<[ServerPorts]>,
    once(child, 'exit').then(([code]) => { throw new Error(`the servers exited (${String(code)}) before listening`) })
  ])
  const bases = Object.fromEntries(Object.entries(ports).map(([target, port]) => [target, `http://127.0.0.1:${port}`]))
  return { child, bases }
}

async function stopServers (child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
}

const perSecond = (figures: ScenarioResult['figures']) =>
  Object.entries(figures).map(([target, f]) => `${target} ${Math.round(f.requestsPerSecond)} req/s`).join(', ')

/** Prepares (equivalence check) and measures each scenario; throws on a mismatch. */
async function measureAll (scenarios: Scenario[], bases: Partial<Record<Target, string>>): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  for (const candidate of scenarios) {
    const scenario = await prepareScenario(candidate, bases)
    const checked = scenario.sameAnswer.length === 0 ? '' : `, the same answer from ${scenario.sameAnswer.join(' and ')}`
    console.error(`${scenario.name}: ${scenario.targets.join(', ')} answer${checked}; measuring…`)
    const figures = await measureScenario(scenario, bases, settings)
    console.error(`${scenario.name}: ${perSecond(figures)}`)
    results.push({ scenario, figures })
  }
  return results
}

/** Measures the scenarios that one set of servers answers, with the servers started for them only. */
async function measureOn (set: ServerSet, url: string, scenarios: Scenario[]): Promise<ScenarioResult[]> {
  const mine = scenarios.filter((s) => s.servers === set)
  if (mine.length === 0) return []
  const { child, bases } = await startServers(url, set)
  try {
    return await measureAll(mine, bases)
  } finally {
    await stopServers(child)
  }
}

async function benchmarkScale (engagements: number, scenarioNames?: string[]) {
  const scale = scaleOf(engagements)
  const database = databaseFor(engagements)
  const url = databaseUrl(serverUrl, database)
  console.error(`Data set: ${describeScale(scale, database)}`)
  const outcome = await ensureDataset(serverUrl, database, scale, { regenerate: flags.regenerate })
  console.error(outcome === 'reused' ? 'Reusing the data set already there.' : 'Data set generated.')
  const scenarios = scenariosFor(await findProbes(url)).filter((s) => scenarioNames === undefined || scenarioNames.includes(s.group))
  const results = [
    ...await measureOn('comparison', url, scenarios),
    ...await measureOn('embedded', databaseUrl(serverUrl, DEMO_DATABASE), scenarios)
  ]
  return { scale, database, url, scenarios, results }
}

function failures (results: ScenarioResult[]): string[] {
  return results.flatMap(({ scenario, figures }) => Object.entries(figures)
    .filter(([, f]) => f.errors > 0 || f.unexpected > 0)
    .map(([target, f]) => {
      const expected = scenario.storm === true ? '304 and 200' : requestOf(scenario, target as Target).expectedStatus
      return `${scenario.name} (${target}): ${f.errors} errors, ${f.unexpected} responses other than ${expected}`
    }))
}

async function runComparison () {
  const engagements = smoke ? 2_000 : flags.million ? 1_000_000 : positive('engagements', flags.engagements, 100_000)
  const run = await benchmarkScale(engagements, wanted)
  const machine = await describeMachine(run.url)
  const table = scenarioTable(run.results)
  process.stdout.write(`\n${table}\n`)
  if (!smoke) {
    await writeSection(RESULTS_FILE, 'comparison', [
      '## Service against the limit and the baseline', '',
      settingsLine(machine, settings, describeScale(run.scale, run.database)), '',
      scenarioList(run.scenarios), '',
      table
    ].join('\n'))
    console.error(`Written to ${RESULTS_FILE}.`)
  }
  return failures(run.results)
}

async function runGrowth () {
  const rows: string[] = ['| engagements | scenario | service p50 | baseline p50 | service req/s | baseline req/s |', '| ---: | --- | ---: | ---: | ---: | ---: |']
  const p50s = new Map<string, number[]>()
  const problems: string[] = []
  let largest: Awaited<ReturnType<typeof benchmarkScale>> | undefined
  for (const engagements of GROWTH_SCALES) {
    const run = await benchmarkScale(engagements, GROWTH_SCENARIOS)
    problems.push(...failures(run.results))
    for (const { scenario, figures } of run.results) {
      const service = figures[scenario.targets[0] as Target]
      const baseline = figures.baseline
      if (service === undefined || baseline === undefined) continue
      rows.push(`| ${engagements.toLocaleString('en')} | ${scenario.name} | ${service.p50.toFixed(1)} ms | ${baseline.p50.toFixed(1)} ms | ${Math.round(service.requestsPerSecond)} | ${Math.round(baseline.requestsPerSecond)} |`)
      p50s.set(scenario.name, [...(p50s.get(scenario.name) ?? []), service.p50])
    }
    largest = run
  }
  if (largest === undefined) return problems
  const growth = [...p50s].map(([name, values]) => {
    const ratio = (values.at(-1) ?? 0) / Math.max(values[0] ?? 1, 0.1)
    return `- ${name}: service p50 at 1M / p50 at 10k = **${ratio.toFixed(2)}** (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : '**not met**'})`
  })
  const plans: string[] = []
  for (const scenario of largest.scenarios) {
    plans.push(explainMarkdown(`${scenario.name}: \`GET ${scenario.path}\``, await explainRequest(largest.url, scenario.path)))
  }
  const machine = await describeMachine(largest.url)
  process.stdout.write(`\n${rows.join('\n')}\n${growth.join('\n')}\n`)
  await writeSection(RESULTS_FILE, 'growth', [
    '## Growth with the archive', '',
    settingsLine(machine, settings, `${GROWTH_SCALES.map((n) => n.toLocaleString('en')).join(', ')} engagements, 10,000 a year`), '',
    rows.join('\n'), '', growth.join('\n'), '',
    `### Plans of the service's queries at ${GROWTH_SCALES.at(-1)?.toLocaleString('en')} engagements`, '',
    ...plans
  ].join('\n'))
  console.error(`Written to ${RESULTS_FILE}.`)
  return problems
}

if (flags.help) {
  process.stdout.write(`${HELP}\n`)
} else {
  const problems = flags.growth ? await runGrowth() : await runComparison()
  if (problems.length > 0) {
    console.error(`\nFailed: ${problems.join('; ')}`)
    process.exitCode = 1
  }
}

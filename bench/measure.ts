import autocannon from 'autocannon'
import { requestOf, STORM_CONNECTIONS, type Scenario } from './scenarios.js'
import type { Target } from './targets.js'

export interface LoadSettings {
  connections: number
  durationSeconds: number
  rounds: number
  /** Seconds of unmeasured load per target before the rounds: JIT, pools and caches warm up. */
  warmupSeconds: number
}

export interface Figures {
  requestsPerSecond: number
  p50: number
  p99: number
  errors: number
  /** Responses whose status is not the one expected (200, or 304 for revalidation). */
  unexpected: number
  requests: number
}

/** A storm's figures: both halves together, and each half on its own. */
export interface StormFigures extends Figures {
  revalidating: Figures
  plain: Figures
}

export type TargetFigures = Figures | StormFigures

interface Load {
  url: string
  headers: Record<string, string>
  connections: number
  expectedStatus: number
}

async function runOnce (load: Load, seconds: number): Promise<Figures> {
  const result = await autocannon({ url: load.url, headers: load.headers, connections: load.connections, duration: seconds })
  const expected = result.statusCodeStats?.[String(load.expectedStatus) as `${number}`]?.count ?? 0
  const answered = Object.values(result.statusCodeStats ?? {}).reduce((sum, stats) => sum + (stats.count ?? 0), 0)
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected: answered - expected,
    requests: answered
  }
}

/**
 * Half the connections revalidate and half ask for the body, at the same time (two load
 * generators in parallel). The latency of both together is the worse half's: the percentiles
 * of two histograms cannot be merged from their summaries.
 */
async function runStorm (base: string, scenario: Scenario, target: Target, seconds: number): Promise<StormFigures> {
  const half = STORM_CONNECTIONS / 2
  const url = `${base}${scenario.path}`
  const [revalidating, plain] = await Promise.all([
    runOnce({ url, headers: scenario.headers[target] ?? {}, connections: half, expectedStatus: 304 }, seconds),
    runOnce({ url, headers: {}, connections: half, expectedStatus: 200 }, seconds)
  ])
  return {
    requestsPerSecond: revalidating.requestsPerSecond + plain.requestsPerSecond,
    p50: Math.max(revalidating.p50, plain.p50),
    p99: Math.max(revalidating.p99, plain.p99),
    errors: revalidating.errors + plain.errors,
    unexpected: revalidating.unexpected + plain.unexpected,
    requests: revalidating.requests + plain.requests,
    revalidating,
    plain
  }
}

function runTarget (base: string, scenario: Scenario, target: Target, connections: number, seconds: number): Promise<TargetFigures> {
  if (scenario.storm === true) return runStorm(base, scenario, target, seconds)
  const { path, headers, expectedStatus } = requestOf(scenario, target)
  return runOnce({ url: `${base}${path}`, headers, connections, expectedStatus }, seconds)
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Rates and latencies are the medians of the rounds; errors and unexpected statuses are summed, since one is already too many. */
function summarise (rounds: Figures[]): Figures {
  return {
    requestsPerSecond: median(rounds.map((f) => f.requestsPerSecond)),
    p50: median(rounds.map((f) => f.p50)),
    p99: median(rounds.map((f) => f.p99)),
    errors: rounds.reduce((sum, f) => sum + f.errors, 0),
    unexpected: rounds.reduce((sum, f) => sum + f.unexpected, 0),
    requests: rounds.reduce((sum, f) => sum + f.requests, 0)
  }
}

function summariseTarget (rounds: TargetFigures[]): TargetFigures {
  const storms = rounds.filter((round): round is StormFigures => 'revalidating' in round)
  if (storms.length === 0) return summarise(rounds)
  return { ...summarise(rounds), revalidating: summarise(storms.map((s) => s.revalidating)), plain: summarise(storms.map((s) => s.plain)) }
}

/**
 * Rounds go through the targets in turn, and which goes first rotates, so a burst of load from
 * elsewhere on the machine hurts all alike.
 */
export async function measureScenario (scenario: Scenario, bases: Partial<Record<Target, string>>, settings: LoadSettings): Promise<Partial<Record<Target, TargetFigures>>> {
  const rounds = new Map<Target, TargetFigures[]>(scenario.targets.map((target) => [target, []]))
  const run = (target: Target, seconds: number) => runTarget(bases[target] as string, scenario, target, settings.connections, seconds)
  if (settings.warmupSeconds > 0) {
    for (const target of scenario.targets) await run(target, settings.warmupSeconds)
  }
  for (let round = 0; round < settings.rounds; round++) {
    const shift = round % scenario.targets.length
    for (const target of [...scenario.targets.slice(shift), ...scenario.targets.slice(0, shift)]) {
      rounds.get(target)?.push(await run(target, settings.durationSeconds))
    }
  }
  return Object.fromEntries([...rounds].map(([target, figures]) => [target, summariseTarget(figures)]))
}

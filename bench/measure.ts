import autocannon from 'autocannon'
import type { Scenario, Target } from './scenarios.js'

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
  /** Responses whose status is not the scenario's (200, or 304 for revalidation). */
  unexpected: number
  requests: number
}

async function runOnce (base: string, scenario: Scenario, target: Target, connections: number, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url: `${base}${scenario.path}`,
    headers: scenario.headers[target],
    connections,
    duration: seconds
  })
  const expected = result.statusCodeStats?.[String(scenario.expectedStatus) as `${number}`]?.count ?? 0
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

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * Rounds alternate between the two targets, and which goes first alternates too, so a burst of
 * load from elsewhere on the machine hurts both alike. Rates and latencies are the medians of
 * the rounds; errors and unexpected statuses are summed, since one is already too many.
 */
export async function measureScenario (scenario: Scenario, bases: Record<Target, string>, settings: LoadSettings): Promise<Record<Target, Figures>> {
  const rounds: Record<Target, Figures[]> = { service: [], baseline: [] }
  if (settings.warmupSeconds > 0) {
    for (const target of ['service', 'baseline'] as const) {
      await runOnce(bases[target], scenario, target, settings.connections, settings.warmupSeconds)
    }
  }
  for (let round = 0; round < settings.rounds; round++) {
    const order: Target[] = round % 2 === 0 ? ['service', 'baseline'] : ['baseline', 'service']
    for (const target of order) {
      rounds[target].push(await runOnce(bases[target], scenario, target, settings.connections, settings.durationSeconds))
    }
  }
  const summarise = (figures: Figures[]): Figures => ({
    requestsPerSecond: median(figures.map((f) => f.requestsPerSecond)),
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
    errors: figures.reduce((sum, f) => sum + f.errors, 0),
    unexpected: figures.reduce((sum, f) => sum + f.unexpected, 0),
    requests: figures.reduce((sum, f) => sum + f.requests, 0)
  })
  return { service: summarise(rounds.service), baseline: summarise(rounds.baseline) }
}

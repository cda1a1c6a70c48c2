import { readFile, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import type { LoadSettings, Figures } from './measure.js'
import type { Scenario } from './scenarios.js'

export interface ScenarioResult {
  scenario: Scenario
  figures?: { service: Figures, baseline: Figures }
}

/** The ratio each scenario must reach; itinerary and day query are the ones clients poll most. */
export const RATIO_TARGETS: Record<string, number> = { itinerary: 0.8, day: 0.8 }
const DEFAULT_RATIO_TARGET = 0.7

export function ratioTarget (scenario: string): number {
  return RATIO_TARGETS[scenario] ?? DEFAULT_RATIO_TARGET
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

export function ratioOf (result: ScenarioResult): number | undefined {
  const figures = result.figures
  if (figures === undefined || figures.baseline.requestsPerSecond === 0) return undefined
  return figures.service.requestsPerSecond / figures.baseline.requestsPerSecond
}

export function scenarioTable (results: ScenarioResult[]): string {
  const lines = [
    '| scenario | target | req/s | p50 | p99 | errors | non-2xx/304 | service/baseline req/s | goal |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |'
  ]
  for (const result of results) {
    const { scenario, figures } = result
    if (figures === undefined) {
      lines.push(`| ${scenario.name} | — | | | | | | | ${scenario.unavailable ?? 'not measured'} |`)
      continue
    }
    const ratio = ratioOf(result)
    const goal = ratioTarget(scenario.name)
    for (const target of ['service', 'baseline'] as const) {
      const f = figures[target]
      const ratioCell = target === 'service' && ratio !== undefined ? `**${ratio.toFixed(2)}**` : ''
      const goalCell = target === 'service' && ratio !== undefined ? `≥ ${goal} ${ratio >= goal ? 'met' : '**not met**'}` : ''
      lines.push(`| ${target === 'service' ? scenario.name : ''} | ${target} | ${whole(f.requestsPerSecond)} | ${ms(f.p50)} | ${ms(f.p99)} | ${f.errors} | ${f.unexpected} | ${ratioCell} | ${goalCell} |`)
    }
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
      `after ${settings.warmupSeconds} s of warm-up, service and baseline alternating; medians of the rounds`
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

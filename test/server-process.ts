import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestContext } from 'node:test'
import { projectRoot } from '../src/project-root.js'
import { compiledPath } from './node-test-command.js'

/** `npm start` as the tests run it: src/server.ts as test/run.ts compiled it, in a process of its own. */
export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>
  /** stdout and stderr, interleaved as they arrived. */
  output(): string
  stdout(): string
  stderr(): string
  /** Resolves with the exit code and signal when the process ends. */
  exited: Promise<[number | null, NodeJS.Signals | null]>
}

/**
 * Spawns the server with `env` on top of the test's environment (the runner's DATABASE_URL
 * included unless `env` replaces or removes it: a value of undefined removes a variable); killed
 * after the test if still running.
 */
export function spawnServer (t: TestContext, env: Record<string, string | undefined>): ServerProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', compiledPath('src/server.ts')], {
    cwd: projectRoot,
    env: withoutUndefined({ ...process.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let all = ''
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { all += chunk; out += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { all += chunk; err += chunk })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  return { child, output: () => all, stdout: () => out, stderr: () => err, exited }
}

/** The address from the start-up banner, once printed; fails if the process exits or takes over `timeoutMs`. */
export async function waitForAddress (server: ServerProcess, timeoutMs = 60_000): Promise<string> {
  const startedAt = Date.now()
  while (Date.now() - startedAt < timeoutMs && server.child.exitCode === null) {
    const address = /Diplomatic itinerary API\s+(http:\/\/[^/\s]+)/.exec(server.output())?.[1]
    if (address !== undefined) return address
    await sleep(100)
  }
  throw new Error(`the server printed no address (exit code ${server.child.exitCode}):\n${server.output()}`)
}

export interface Answer { status: number, contentType: string, body: string, answeredAt: number }

/** One request on a connection of its own; rejects with the socket error when there is no answer. */
export function send (baseUrl: string, method: string, path: string, options: { body?: unknown, token?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const outgoing = request(new URL(path, baseUrl), {
      method,
      agent: false,
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      }
    }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({
        status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: text, answeredAt: Date.now()
      }))
    })
    outgoing.on('error', reject)
    outgoing.end(payload)
  })
}

function withoutUndefined (env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

/**
 * Runs a server that is expected to refuse to start: its exit code, and the lines it wrote on
 * stderr other than Node's own warnings (a deprecation notice from a dependency is not ours).
 */
export async function failedStart (t: TestContext, env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<{ code: number | null, errors: string[], stdout: string }> {
  const server = spawnServer(t, env)
  const [code] = await Promise.race([server.exited, sleep(timeoutMs).then(() => [undefined] as const)])
  if (code === undefined) throw new Error(`the server was still running after ${timeoutMs} ms:\n${server.output()}`)
  const errors = server.stderr().split('\n').filter((line) => line !== '' && !/^\(node:\d+\) |^\(Use `node /.test(line))
  return { code, errors, stdout: server.stdout() }
}

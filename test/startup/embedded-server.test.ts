import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { loadSettings } from '../../src/config.js'
import { allowsLocalDevToken } from '../../src/startup/dev-token.js'
import { visitBody } from '../helper.js'
import { failedStart, send, spawnServer, waitForAddress, type ServerProcess } from '../server-process.js'
import { compiledPath } from '../node-test-command.js'
import { projectRoot } from '../../src/project-root.js'

const run = promisify(execFile)

/** `npm start` on the embedded default, in a folder of its own: no DATABASE_URL, no API_TOKENS. */
function startEmbedded (t: TestContext, dataDir: string, env: Record<string, string> = {}): ServerProcess {
  return spawnServer(t, { DATABASE_URL: undefined, API_TOKENS: undefined, EMBEDDED_DB_DIR: dataDir, PORT: '0', ...env })
}

async function dataFolder (t: TestContext): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'itinerary-start-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  return join(parent, 'pglite')
}

/** The curl command the banner prints, run by a shell as a reader would paste it; its status and body. */
async function runPrintedWrite (output: string): Promise<{ status: number, body: { id?: string, title?: string } }> {
  const lines = output.split('\n')
  const first = lines.findIndex((line) => line.trim().startsWith('curl '))
  assert.ok(first >= 0, `the banner shows a curl command:\n${output}`)
  let last = first
  while (lines[last]?.trimEnd().endsWith('\\')) last++
  const command = lines.slice(first, last + 1).join('\n')
  const { stdout } = await run('sh', ['-c', `${command} --silent --write-out '\\n%{http_code}'`])
  const answer = stdout.split('\n')
  return { status: Number(answer.pop()), body: JSON.parse(answer.join('\n')) as { id?: string } }
}

const tokenScript = (dataDir: string, args: string[]) =>
  run(process.execPath, [compiledPath('scripts/token.ts'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: undefined, API_TOKENS: undefined, EMBEDDED_DB_DIR: dataDir }
  })

const secretIn = (stdout: string) => /itn_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0] ?? assert.fail(stdout)

describe('npm start on the embedded database', () => {
  it('prints a write that works as printed, with a local token in a file only this user can read', async (t) => {
    const dataDir = await dataFolder(t)
    const first = startEmbedded(t, dataDir)
    const address = await waitForAddress(first)
    assert.match(first.stdout(), new RegExp(`Database {18}embedded \\(PGlite\\) in ${dataDir}, at postgresql://postgres@127\\.0\\.0\\.1:\\d+/postgres\\?sslmode=disable`))
    const write = await runPrintedWrite(first.stdout())
    assert.equal(write.status, 201, JSON.stringify(write.body))
    assert.equal(write.body.title, 'Press conference')
    assert.equal((await stat(join(dataDir, 'local-dev-token'))).mode & 0o777, 0o600)

    // npm run token reaches the database through the running server.
    const created = await tokenScript(dataDir, ['create', '--name', 'desk', '--scope', 'write'])
    assert.equal((await send(address, 'POST', '/v1/visits', { body: visitBody(), token: secretIn(created.stdout) })).status, 201)

    first.child.kill('SIGTERM')
    assert.deepEqual(await first.exited, [0, null])
    // With no server, it opens the folder itself.
    const offline = await tokenScript(dataDir, ['create', '--name', 'wire', '--scope', 'write'])
    const second = startEmbedded(t, dataDir)
    const again = await waitForAddress(second)
    assert.equal((await send(again, 'POST', '/v1/visits', { body: visitBody(), token: secretIn(offline.stdout) })).status, 201)
    // The same local token again, not a new one.
    assert.equal((await runPrintedWrite(second.stdout())).status, 201)
    assert.match((await tokenScript(dataDir, ['list'])).stdout, /^local-dev +write /m)
    const names = (await tokenScript(dataDir, ['list'])).stdout.split('\n').slice(1).map((line) => line.split(' ')[0]).filter(Boolean)
    assert.deepEqual(names, ['local-dev', 'desk', 'wire'])
  })

  it('stops a second process on the same folder at once, and takes over after a crash keeping what got 201', async (t) => {
    const dataDir = await dataFolder(t)
    const holder = startEmbedded(t, dataDir)
    const address = await waitForAddress(holder)
    const written = await runPrintedWrite(holder.stdout())
    assert.equal(written.status, 201)

    const second = await failedStart(t, { DATABASE_URL: undefined, API_TOKENS: undefined, EMBEDDED_DB_DIR: dataDir, PORT: '0' })
    assert.equal(second.code, 1)
    assert.equal(second.errors.length, 1, second.errors.join('\n'))
    assert.match(second.errors[0] as string, new RegExp(`^The embedded database in "${dataDir}" is in use by process ${holder.child.pid} on this machine ` +
      `\\(since \\S+Z, serving ${address}\\): stop that process first, or start this one with another EMBEDDED_DB_DIR, ` +
      'or with DATABASE_URL pointing at a PostgreSQL server\\.$'))
    assert.equal((await send(address, 'GET', `/v1/engagements/${written.body.id}`)).status, 200, 'the first one still serves')

    holder.child.kill('SIGKILL')
    await holder.exited
    const restarted = startEmbedded(t, dataDir)
    const restartedAddress = await waitForAddress(restarted)
    const kept = await send(restartedAddress, 'GET', `/v1/engagements/${written.body.id}`)
    assert.equal(kept.status, 200, kept.body)
  })

  it('makes a local token only for a local trial: embedded, no API_TOKENS, not production, loopback', () => {
    assert.equal(allowsLocalDevToken(loadSettings({})), true)
    assert.equal(allowsLocalDevToken(loadSettings({ HOST: 'localhost' })), true)
    assert.equal(allowsLocalDevToken(loadSettings({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres' })), false)
    assert.equal(allowsLocalDevToken(loadSettings({ API_TOKENS: 'desk:a-long-secret' })), false)
    assert.equal(allowsLocalDevToken(loadSettings({ NODE_ENV: 'production' })), false)
    assert.equal(allowsLocalDevToken(loadSettings({ HOST: '0.0.0.0' })), false)
    assert.equal(allowsLocalDevToken(loadSettings({ HOST: '192.168.1.20' })), false)
    assert.equal(allowsLocalDevToken(loadSettings({ EMBEDDED_DB_DIR: 'memory://' })), false)
  })
})

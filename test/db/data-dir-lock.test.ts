import assert from 'node:assert/strict'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { DataDirLockedError, lockDataDir, type DataDirOwner } from '../../src/db/data-dir-lock.js'
import { projectRoot } from '../../src/project-root.js'
import { compiledPath } from '../node-test-command.js'

describe('one process per embedded data folder', () => {
  it('refuses a second locker while the holder runs, naming the holder', async (t) => {
    const folder = await dataFolder(t)
    const holder = startHolder(t, folder)
    assert.equal(await holder.result, `locked ${holder.child.pid}`)
    await assert.rejects(lockDataDir(folder), (error: Error) => {
      assert.ok(error instanceof DataDirLockedError)
      assert.equal(error.owner?.pid, holder.child.pid)
      assert.equal(error.message, `The embedded database in "${folder}" is in use by process ${holder.child.pid} on this machine ` +
        `(since ${error.owner?.lockedAt}): stop that process first, or start this one with another EMBEDDED_DB_DIR, ` +
        'or with DATABASE_URL pointing at a PostgreSQL server.')
      return true
    })
  })

  it('takes over the lock of a holder killed with SIGKILL once the lock has gone quiet', async (t) => {
    const folder = await dataFolder(t)
    const holder = startHolder(t, folder)
    assert.match(await holder.result, /^locked /)
    holder.child.kill('SIGKILL')
    await once(holder.child, 'exit')
    const startedAt = Date.now()
    const lock = await lockDataDir(folder)
    t.after(() => lock.release())
    assert.equal((await owner(folder)).pid, process.pid)
    t.diagnostic(`taken over ${Date.now() - startedAt} ms after the kill`)
  })

  it('takes over from a pid that now belongs to another process, not from a live holder that stopped refreshing', async (t) => {
    const folder = await dataFolder(t)
    // Some other process under the recorded pid, as after a crash and pid reuse.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' })
    t.after(() => other.kill('SIGKILL'))
    const start = processStart(other.pid as number)

    // Its start time is not the one recorded: another process, the holder is gone.
    await plantLock(folder, { pid: other.pid as number, processStart: `${Number(start) - 100}` }, 30_000)
    const lock = await lockDataDir(folder)
    await lock.release()

    // The recorded process itself, silent for 30 s (busy or suspended): still the holder.
    await plantLock(folder, { pid: other.pid as number, processStart: start }, 30_000)
    await assert.rejects(lockDataDir(folder), DataDirLockedError)
  })

  it('lets exactly one of several starters racing for a stale lock have it', async (t) => {
    const folder = await dataFolder(t)
    for (let round = 0; round < 3; round++) {
      const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
      await once(dead, 'exit')
      await plantLock(folder, { pid: dead.pid as number, processStart: null }, 10_000)
      // All four try at the same moment, once their processes have loaded.
      const racers = Array.from({ length: 4 }, () => startHolder(t, folder, { onGo: true }))
      await Promise.all(racers.map((racer) => racer.ready))
      for (const racer of racers) racer.child.stdin.end('go\n')
      const results = await Promise.all(racers.map((racer) => racer.result))
      const winners = racers.filter((_, i) => results[i]?.startsWith('locked'))
      assert.equal(winners.length, 1, results.join('; '))
      const winner = winners[0]?.child.pid
      assert.deepEqual(results.filter((result) => result.startsWith('refused')), Array(3).fill(`refused ${winner}`))
      for (const racer of racers) racer.child.kill('SIGTERM')
      await Promise.all(racers.map((racer) => racer.child.exitCode === null ? once(racer.child, 'exit') : undefined))
    }
  })
})

async function dataFolder (t: TestContext): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'itinerary-lock-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  const folder = join(parent, 'pglite')
  await mkdir(folder)
  return folder
}

interface Holder {
  child: ChildProcessByStdio<Writable, Readable, Readable>
  /** Resolves once a holder started with `onGo` waits for its go (a line on stdin). */
  ready: Promise<void>
  /** The line the holder printed after trying: "locked <pid>" or "refused <pid>". */
  result: Promise<string>
}

/** test/db/lock-holder.ts in a process of its own; with `onGo` it tries only once sent a line on stdin. */
function startHolder (t: TestContext, folder: string, options: { onGo?: boolean } = {}): Holder {
  const child = spawn(process.execPath, [compiledPath('test/db/lock-holder.ts'), folder, ...(options.onGo ? ['--on-go'] : [])],
    { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  /** The nth line the holder printed, or all it printed when it ended sooner. */
  const line = async (index: number) => {
    while (output.split('\n').length <= index + 1 && child.exitCode === null) await sleep(20)
    if (output.split('\n').length <= index + 1) await once(child.stdout, 'end')
    return output.split('\n')[index] ?? output
  }
  const ready = options.onGo
    ? line(0).then((first) => { if (first !== 'ready') throw new Error(`the lock holder did not get ready: ${output}`) })
    : Promise.resolve()
  return { child, ready, result: line(options.onGo ? 1 : 0) }
}

/** A lock and owner file as a process that is gone (or silent) leaves them, last refreshed `quietMs` ago. */
async function plantLock (folder: string, holder: Pick<DataDirOwner, 'pid' | 'processStart'>, quietMs: number): Promise<void> {
  const owner: DataDirOwner = {
    ...holder,
    hostname: hostname(),
    bootId: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(),
    lockedAt: new Date(Date.now() - quietMs).toISOString()
  }
  await mkdir(`${folder}.lock`, { recursive: true })
  await writeFile(`${folder}.owner.json`, JSON.stringify(owner))
  const then = new Date(Date.now() - quietMs)
  await utimes(`${folder}.lock`, then, then)
}

async function owner (folder: string): Promise<DataDirOwner> {
  return JSON.parse(await readFile(`${folder}.owner.json`, 'utf8')) as DataDirOwner
}

function processStart (pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string
}

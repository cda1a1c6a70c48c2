// One process per embedded data folder. Two PGlite instances on one folder each keep their own
// view of it in memory: both accept writes the other cannot see, and on the next start the
// folder holds whatever was flushed last. So the folder is locked before PGlite opens it.
//
// The lock is proper-lockfile's: a directory made with mkdir (atomic) beside the data folder,
// whose mtime its holder refreshes every second. Beside it, an owner file says who holds it
// (pid, host, start time, the database's and the API's addresses) for the message a second
// start prints, and for `npm run token`, which reaches the database through a running server.
//
// A holder killed with SIGKILL leaves both behind. Its lock is taken over when the holder is
// known to be gone: on the same host, its pid no longer runs, or runs a different process
// (Linux: another start time in /proc, or another boot), and the lock has not been refreshed
// for QUIET_MS; elsewhere (another host sharing the folder), after STALE_MS without a refresh.
// Takeovers run one at a time under a second lock, and the stale lock is removed only if it is
// still the very one judged stale, so two starters racing for it cannot both end up holding it.
import { readFileSync } from 'node:fs'
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import lockfile from 'proper-lockfile'

/** Who holds a data folder, as written in its owner file. */
export interface DataDirOwner {
  pid: number
  hostname: string
  /** Linux's boot id: a pid recorded before a reboot is gone whatever runs under it now. */
  bootId: string | null
  /** Linux: the process's start time in clock ticks since boot, which a reused pid does not share. */
  processStart: string | null
  /** When it took the lock (ISO 8601). */
  lockedAt: string
  /** The embedded database's URL, once it listens. */
  databaseUrl?: string
  /** The API's address, once it listens. */
  apiUrl?: string
}

export interface DataDirLock {
  /** Adds the addresses to the owner file once they are known. */
  record(details: Pick<DataDirOwner, 'databaseUrl' | 'apiUrl'>): Promise<void>
  /** Removes the owner file and the lock. */
  release(): Promise<void>
}

/** The folder is held by a process that is, as far as can be told, still running. */
export class DataDirLockedError extends Error {
  constructor (readonly dataDir: string, readonly owner: DataDirOwner | null, readonly lockPath: string, quietMs: number) {
    super(lockedMessage(dataDir, owner, lockPath, quietMs))
    this.name = 'DataDirLockedError'
  }
}

// The holder refreshes the lock every UPDATE_MS. A lock quiet for QUIET_MS whose pid is gone is
// stale; one whose holder cannot be checked (another host) is stale after STALE_MS.
const UPDATE_MS = 1000
const QUIET_MS = 5000
const STALE_MS = 60_000
// proper-lockfile's own takeover removes a stale lock by its path, which can remove a lock
// another starter has just made: this one never judges the main lock stale by itself.
const NEVER_STALE_MS = 2 ** 31 - 1

export interface LockDataDirOptions {
  /**
   * Called when the lock is no longer ours (another process removed or replaced it): the
   * holder must stop using the folder at once. Default: throw, an uncaught exception.
   */
  onCompromised?: (error: Error) => void
}

/** Locks the data folder (which must exist) for this process, or throws DataDirLockedError. */
export async function lockDataDir (dataDir: string, options: LockDataDirOptions = {}): Promise<DataDirLock> {
  // The folder's real path, so that two paths to one folder (a symlink) share one lock.
  const folder = await realpath(dataDir)
  const paths = lockPaths(folder)
  const owner = thisProcess()
  // A holder that was just killed is stale QUIET_MS after its last refresh: wait that long for it.
  const deadline = Date.now() + QUIET_MS + 2 * UPDATE_MS
  for (;;) {
    try {
      const release = await lockfile.lock(folder, {
        lockfilePath: paths.lock,
        realpath: false,
        stale: NEVER_STALE_MS,
        update: UPDATE_MS,
        onCompromised: options.onCompromised ?? ((error) => { throw error })
      })
      return await ownedLock(paths, owner, release)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
    }
    const holder = await judgeHolder(paths)
    if (holder.verdict === 'stale') await takeOver(folder, paths, holder.lockId)
    else if (holder.verdict === 'held' || Date.now() > deadline) throw new DataDirLockedError(dataDir, holder.owner, paths.lock, holder.quietMs)
    else await sleep(UPDATE_MS / 2)
  }
}

interface LockPaths { lock: string, owner: string, takeover: string }

function lockPaths (folder: string): LockPaths {
  return { lock: `${folder}.lock`, owner: `${folder}.owner.json`, takeover: `${folder}.lock.takeover` }
}

async function ownedLock (paths: LockPaths, owner: DataDirOwner, releaseLock: () => Promise<void>): Promise<DataDirLock> {
  let current = owner
  const write = async (record: DataDirOwner) => {
    // Written whole or not at all: a reader never sees half a file.
    const temporary = `${paths.owner}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`)
    await rename(temporary, paths.owner)
  }
  try {
    await write(current)
  } catch (error) {
    await releaseLock()
    throw error
  }
  let released = false
  return {
    async record (details) {
      current = { ...current, ...details }
      await write(current)
    },
    async release () {
      if (released) return
      released = true
      await rm(paths.owner, { force: true })
      await releaseLock().catch((error: NodeJS.ErrnoException) => {
        // Already released because it was compromised: nothing of ours is left to remove.
        if (error.code !== 'ERELEASED') throw error
      })
    }
  }
}

type Verdict = 'held' | 'stale' | 'wait'

/** Whether the lock's holder still runs, judged from its owner file and the lock's last refresh. */
async function judgeHolder (paths: LockPaths): Promise<{ verdict: Verdict, owner: DataDirOwner | null, quietMs: number, lockId: string }> {
  const lock = await stat(paths.lock).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  // Released meanwhile: try again.
  if (lock === null) return { verdict: 'wait', owner: null, quietMs: 0, lockId: '' }
  const owner = await readOwner(paths.owner)
  const quietMs = Date.now() - lock.mtimeMs
  const lockId = `${lock.ino}:${lock.mtimeMs}`
  const running = ownerRunning(owner)
  let verdict: Verdict
  if (running === 'yes') verdict = 'held'
  // No owner file yet: a holder between making the lock and writing it, or one that died there.
  else if (running === 'no' || owner === null) verdict = quietMs > QUIET_MS ? 'stale' : 'wait'
  else verdict = quietMs > STALE_MS ? 'stale' : 'held'
  return { verdict, owner, quietMs, lockId }
}

/**
 * 'yes' when the owner's process is known to run (same host, pid alive with the same start
 * time); 'no' when it is known to be gone; 'unknown' when it cannot be told: another host, or
 * a live pid whose start time cannot be read (not Linux), which may be a reused pid.
 */
function ownerRunning (owner: DataDirOwner | null): 'yes' | 'no' | 'unknown' {
  if (owner === null || owner.hostname !== hostname()) return 'unknown'
  const bootId = readBootId()
  if (owner.bootId !== null && bootId !== null && owner.bootId !== bootId) return 'no'
  if (!pidAlive(owner.pid)) return 'no'
  const processStart = readProcessStart(owner.pid)
  if (owner.processStart === null || processStart === null) return 'unknown'
  return processStart === owner.processStart ? 'yes' : 'no'
}

function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Replaces the stale lock, one starter at a time: under the takeover lock, the lock is removed
 * only if it is still the one judged stale (same inode, same mtime); a starter that comes second
 * finds the winner's new lock instead and leaves it alone. The takeover lock itself is
 * proper-lockfile's usual one (stale 10 s after its holder stops refreshing it).
 */
async function takeOver (folder: string, paths: LockPaths, staleLockId: string): Promise<void> {
  const release = await lockfile.lock(paths.lock, {
    lockfilePath: paths.takeover,
    realpath: false,
    retries: { retries: 10, minTimeout: 50, maxTimeout: 250 },
    // Held for milliseconds; losing it changes nothing, since the check below is what counts.
    onCompromised: () => {}
  }).catch((error: NodeJS.ErrnoException) => {
    // Another starter is taking over: the caller looks at the lock again.
    if (error.code === 'ELOCKED') return null
    throw error
  })
  if (release === null) return
  try {
    const lock = await stat(paths.lock).catch(() => null)
    if (lock !== null && `${lock.ino}:${lock.mtimeMs}` === staleLockId) {
      await rm(paths.owner, { force: true })
      await rm(paths.lock, { recursive: true, force: true })
    }
  } finally {
    await release().catch(() => {})
  }
  // The folder may have been removed by hand meanwhile; lock() needs it.
  await mkdir(folder, { recursive: true })
}

async function readOwner (path: string): Promise<DataDirOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<DataDirOwner>
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string'
      ? { bootId: null, processStart: null, lockedAt: '', ...owner } as DataDirOwner
      : null
  } catch {
    // Missing or unreadable: judged by the lock's age alone.
    return null
  }
}

function thisProcess (): DataDirOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: readBootId(),
    processStart: readProcessStart(process.pid),
    lockedAt: new Date().toISOString()
  }
}

function readBootId (): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return null
  }
}

/** Field 22 of /proc/<pid>/stat (start time); the command name before it may hold spaces and parentheses. */
function readProcessStart (pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function lockedMessage (dataDir: string, owner: DataDirOwner | null, lockPath: string, quietMs: number): string {
  const where = owner === null ? '' : owner.hostname === hostname() ? ' on this machine' : ` on the host "${owner.hostname}"`
  const who = owner === null ? 'another process' : `process ${owner.pid}${where}`
  const details = owner === null
    ? ` (its lock ${lockPath} was refreshed ${Math.round(quietMs / 1000)} s ago)`
    : ` (since ${owner.lockedAt}${owner.apiUrl === undefined ? '' : `, serving ${owner.apiUrl}`})`
  return `The embedded database in "${dataDir}" is in use by ${who}${details}: stop that process first, ` +
    'or start this one with another EMBEDDED_DB_DIR, or with DATABASE_URL pointing at a PostgreSQL server.'
}

// A process that locks the data folder given as its argument and holds it until killed: prints
// "locked <pid>" once it holds it, or "refused <pid of the holder>" and exits 3. A second
// argument, an instant in epoch milliseconds, makes it wait until then, so that racers start together.
import { setTimeout as sleep } from 'node:timers/promises'
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js'

const folder = process.argv[2] as string
await sleep(Number(process.argv[3] ?? 0) - Date.now())
try {
  await lockDataDir(folder)
  process.stdout.write(`locked ${process.pid}\n`)
  setInterval(() => {}, 60_000)
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error
  process.stdout.write(`refused ${error.owner?.pid ?? 'unknown'}\n`)
  process.exitCode = 3
}

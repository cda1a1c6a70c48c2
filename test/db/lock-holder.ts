// A process that locks the data folder given as its argument and holds it until killed: prints
// "locked <pid>" once it holds it, or "refused <pid of the holder>" and exits 3. With a second
// argument `--on-go` it first prints "ready" and waits for a line on stdin, so that racers loaded
// one after another on a busy machine all try at the same moment.
import { once } from 'node:events'
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js'

const folder = process.argv[2] as string
if (process.argv[3] === '--on-go') {
  process.stdout.write('ready\n')
  await once(process.stdin, 'data')
  process.stdin.destroy()
}
try {
  await lockDataDir(folder)
  process.stdout.write(`locked ${process.pid}\n`)
  setInterval(() => {}, 60_000)
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error
  process.stdout.write(`refused ${error.owner?.pid ?? 'unknown'}\n`)
  process.exitCode = 3
}

// A test file's embedded database (see test/file-database.ts): a PGlite loaded from the pass's
// dump, served on a free port, whose connection string goes back to the file's main thread.
import { readFile } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { startEmbeddedPostgres } from '../src/db/embedded.js'

const { dumpPath } = workerData as { dumpPath: string }
// Room for every pool a file opens at once (apps, admin clients, the load tests' workers).
const database = await startEmbeddedPostgres({ dataDir: 'memory://', initialData: new Blob([await readFile(dumpPath)]), maxConnections: 200 })
parentPort?.postMessage(database.connectionString)

import { ConfigError } from '../config.js'
import { DataDirLockedError } from '../db/data-dir-lock.js'
import { UnusableDataDirError } from '../db/embedded.js'

/** A start-up failure the operator can fix: its message says, in one line, what is wrong and what to do. */
export class StartupError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StartupError'
  }
}

const FORESEEN = [StartupError, ConfigError, DataDirLockedError, UnusableDataDirError]

/**
 * What to print when the start failed: the one line of a foreseen failure; for anything else
 * (a bug), the message and the stack to report it with.
 */
export function startupFailureText (error: unknown): string {
  if (FORESEEN.some((kind) => error instanceof kind)) return `${(error as Error).message}\n`
  const stack = error instanceof Error ? error.stack ?? error.message : String(error)
  return `The service could not start because of an unexpected error; please report it with what follows.\n${stack}\n`
}

/** Prints why the start failed on stderr and exits 1. */
export function exitOnStartupFailure (error: unknown): never {
  process.stderr.write(startupFailureText(error))
  process.exit(1)
}

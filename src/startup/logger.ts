import type { FastifyServerOptions } from 'fastify'
import pretty from 'pino-pretty'

/**
 * The server's logger: readable lines for a person at a terminal, JSON lines (one object per
 * line, for log collectors) when stdout is a pipe or a file.
 */
export function loggerOptions (level: string, stdout: { isTTY?: boolean } = process.stdout): FastifyServerOptions['logger'] {
  if (stdout.isTTY !== true) return { level }
  // sync: written before the process exits, as pino's own destination is.
  return { level, stream: pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) }
}

import type { FastifyRequest } from 'fastify'
import { checkChangeSource, decodeChangeReason, type ChangeAuthor } from '../domain/changes.js'

/** Who is writing and why, for the change records of this request (see ChangeHeaders). */
export function changeAuthor (request: FastifyRequest): ChangeAuthor {
  const actor = request.tokenName
  // Every write route requires a write token before its handler runs.
  if (actor === null) throw new Error(`${request.method} ${request.url} reached its handler without a token`)
  const reason = request.headers['change-reason']
  const source = request.headers['change-source']
  return {
    actor,
    reason: typeof reason === 'string' ? decodeChangeReason(reason) : null,
    source: typeof source === 'string' ? checkChangeSource(source) : null
  }
}

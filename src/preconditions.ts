import { parseIfMatch } from './domain/entity-tags.js'
import { invalidRequest, notFound, problem } from './problems.js'

/**
 * Optimistic concurrency for writes. A route turns the If-Match header into the versions the
 * client has seen (`versionsFromIfMatch`); its service refuses at once when the row is at
 * another version (`checkVersion`), then writes with `WHERE id = ? AND version = <that version>`
 * and, when that touched no row, throws `staleOrGone` to say whether the row changed or vanished
 * in between.
 */

function preconditionRequired (detail: string) {
  return problem('preconditionRequired', detail)
}

export function preconditionFailed (what: string, currentVersion: number) {
  return problem('preconditionFailed',
    `Someone changed this ${what} after you read it; it is now at version ${currentVersion}. ` +
    'GET it again, re-apply your change to what you get and send its new ETag in If-Match.')
}

/** The versions an If-Match header names; 428 without one (or with `*`), 400 when it is not a list of entity tags. */
export function versionsFromIfMatch (header: string | undefined): number[] {
  if (header === undefined) {
    throw preconditionRequired('Changes need the header If-Match with the ETag you got when you read the resource ' +
      '(for example If-Match: "v3-..."), so that you never overwrite a change you have not seen.')
  }
  const condition = parseIfMatch(header)
  if (condition.kind === 'any') {
    throw preconditionRequired('If-Match: * is not accepted: it would overwrite changes you have not seen. ' +
      'Send the ETag you got when you read the resource.')
  }
  if (condition.kind === 'malformed') {
    throw invalidRequest('If-Match must be one or more quoted entity tags, such as "v3-Xb2...", as sent in ETag.', [
      { path: '/headers/if-match', message: 'must be a comma-separated list of quoted entity tags' }
    ])
  }
  return condition.versions
}

/** 412 unless the row is at one of the versions the client has seen. */
export function checkVersion (what: string, currentVersion: number, expectedVersions: readonly number[]) {
  if (!expectedVersions.includes(currentVersion)) throw preconditionFailed(what, currentVersion)
}

/** Why a conditional write touched no row: it changed (412) or it was deleted (404) in between. */
export function staleOrGone (what: string, current: { version: number } | null) {
  return current === null
    ? notFound(`The ${what} was deleted while you were changing it.`)
    : preconditionFailed(what, current.version)
}

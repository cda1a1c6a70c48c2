import { documentedResponse, type Operation } from './openapi-model.js'
import { checkValue } from './schema-validation.js'

export interface Observed {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export const PROBLEM_JSON = 'application/problem+json'

/** Headers a request tries to smuggle in through CR/LF in its values; none may come back. */
export const INJECTED_HEADER = 'x-injected'

export function mediaTypeOf (observed: Observed): string {
  return String(observed.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** The JSON body of a response, or undefined when it has none or it is not JSON. */
export function jsonBody (observed: Observed): unknown {
  if (!/[/+]json$/.test(mediaTypeOf(observed)) || observed.text === '') return undefined
  try {
    return JSON.parse(observed.text) as unknown
  } catch {
    return undefined
  }
}

/**
 * What is wrong with a response by the document: a server error, a status the operation does
 * not document, a content type the status does not document, a body that breaks the schema,
 * an error that is not a problem whose `status` is the HTTP status, or an injected header.
 */
export function responseViolations (operation: Operation, observed: Observed): string[] {
  const violations: string[] = []
  const { status, text } = observed
  if (status >= 500) violations.push(`server error ${status}: ${text.slice(0, 500)}`)
  if (INJECTED_HEADER in observed.headers) violations.push(`the response carries an injected header ${INJECTED_HEADER}`)
  const documented = documentedResponse(operation, status)
  if (documented === undefined) {
    violations.push(`status ${status} is not documented for ${operation.id} (documented: ${Object.keys(operation.responses).join(', ')}): ${text.slice(0, 300)}`)
    return violations
  }
  const mediaType = mediaTypeOf(observed)
  const mediaTypes = Object.keys(documented.content)
  if (status >= 400 && mediaType !== PROBLEM_JSON) violations.push(`error ${status} is ${mediaType || 'untyped'}, not ${PROBLEM_JSON}`)
  if (mediaTypes.length === 0) {
    if (text !== '') violations.push(`status ${status} documents no body but one came: ${text.slice(0, 200)}`)
    return violations
  }
  if (!mediaTypes.includes(mediaType)) {
    violations.push(`content type "${mediaType}" is not documented for ${status} (documented: ${mediaTypes.join(', ')})`)
    return violations
  }
  // A JSON body is checked as the value it encodes; any other (text/calendar) as the text it is.
  const body = /[/+]json$/.test(mediaType) ? jsonBody(observed) : text
  if (body === undefined) {
    violations.push(`the ${mediaType} body is not JSON: ${text.slice(0, 200)}`)
    return violations
  }
  const schema = documented.content[mediaType]
  if (schema !== undefined) {
    const verdict = checkValue(schema, body)
    if (!verdict.valid) violations.push(`the ${status} body breaks its schema: ${verdict.errors}; body ${text.slice(0, 300)}`)
  }
  if (mediaType === PROBLEM_JSON && (body as { status?: unknown }).status !== status) {
    violations.push(`the problem says status ${String((body as { status?: unknown }).status)} on a ${status} response`)
  }
  return violations
}

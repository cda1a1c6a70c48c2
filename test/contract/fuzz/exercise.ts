import { isDeepStrictEqual } from 'node:util'
import { randomUUID } from 'node:crypto'
import type { Response } from 'supertest'
import { WRITE_TOKEN, type Http } from '../../helper.js'
import { jsonText, parsedBody } from './arbitraries.js'
import { takesPrecondition, type FuzzCase } from './cases.js'
import type { Fixtures } from './fixtures.js'
import { operationServing, type Operation, type Parameter } from './openapi-model.js'
import { jsonBody, responseViolations, type Observed } from './oracle.js'
import { checkParameters, checkValue } from './schema-validation.js'

export interface FuzzContext {
  http: Http
  operations: Operation[]
  fixtures: Fixtures
}

export interface Outcome {
  status: number
  /** Why the request breaks the document; null for a valid request. */
  invalidBecause: string | null
  violations: string[]
  /** The request as sent, to reproduce a failure by hand. */
  request: string
}

/** An If-Match that matches no version the server ever gave out. */
export const STALE_ETAG = '"fuzz-stale-0"'

const AUTHORIZATION: Record<FuzzCase['auth'], string | undefined> = {
  token: `Bearer ${WRITE_TOKEN}`,
  none: undefined,
  wrong: 'Bearer not-the-right-secret',
  malformed: `Basic ${WRITE_TOKEN}`
}

/** Every byte outside the unreserved set percent-encoded, including lone surrogates (as U+FFFD). */
function encodePathSegment (text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => /[A-Za-z0-9_~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('')
}

/** Node refuses to send control characters or code points above U+00FF in a header value. */
function sendableHeaderValue (text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
}

function rawText (response: Response): string {
  return typeof response.body === 'string' ? response.body : ''
}

/** One request, with the body kept as text whatever its type, so the oracle sees exactly what was sent. */
export async function send (http: Http, method: Operation['method'], url: string, headers: Record<string, string>, body?: { text: string | Buffer, contentType: string }) {
  let request = http[method](url).buffer(true).parse((res, callback) => {
    let text = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => { text += chunk })
    res.on('end', () => callback(null, text))
  })
  for (const [name, value] of Object.entries(headers)) request = request.set(name, value)
  // Bytes go as they are: superagent would send a Buffer with a JSON content type as the JSON of the Buffer.
  if (body !== undefined) request = request.set('content-type', body.contentType).serialize((data: unknown) => data as string).send(body.text)
  const response = await request
  return { status: response.status, headers: response.headers as Observed['headers'], text: rawText(response) }
}

async function resolvePath (context: FuzzContext, operation: Operation, fuzzCase: FuzzCase): Promise<Record<string, string>> {
  const values: Record<string, string> = {}
  for (const parameter of operation.parametersIn.path) {
    const value = fuzzCase.path[parameter.name]
    if (value === undefined) continue
    if ('text' in value) {
      values[parameter.name] = value.text
    } else {
      // A delete gets a row of its own, so the shared rows outlive the run.
      const row = operation.method === 'delete'
        ? await context.fixtures.disposable(operation.path, parameter.name, value.fixture)
        : context.fixtures.key(operation.path, parameter.name, value.fixture)
      values[parameter.name] = row ?? randomUUID()
    }
  }
  return values
}

function lowerCaseKeys (values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name.toLowerCase(), value]))
}

/** Whether any string of a JSON value, key or value, holds an unpaired surrogate. */
function hasUnpairedSurrogate (value: unknown): boolean {
  if (typeof value === 'string') return !value.isWellFormed()
  if (typeof value !== 'object' || value === null) return false
  return Object.entries(value).some(([key, item]) => !key.isWellFormed() || hasUnpairedSurrogate(item))
}

/** Why a request breaks the document, judged from the document alone; null when it is valid. */
function invalidity (operation: Operation, fuzzCase: FuzzCase, pathValues: Record<string, string>, headers: Record<string, string>): string | null {
  if (operation.needsToken && fuzzCase.auth !== 'token') return `token ${fuzzCase.auth}`
  if (fuzzCase.precondition !== 'current') return `If-Match ${fuzzCase.precondition}`
  if (fuzzCase.body !== undefined && 'raw' in fuzzCase.body) return 'body is not a JSON document of the documented media type'
  const { path, query, header } = operation.parametersIn
  // Text must be UTF-8: the document's 400 says so, beyond what JSON Schema can.
  if (fuzzCase.rawQuery !== '' && query.length > 0) return `query is not percent-encoded UTF-8: ${fuzzCase.rawQuery}`
  if (fuzzCase.body !== undefined && 'json' in fuzzCase.body && hasUnpairedSurrogate(fuzzCase.body.json)) {
    return 'a string of the body holds an unpaired surrogate'
  }
  const checks: Array<[string, Parameter[], Record<string, string>, boolean]> = [
    // An operation without query parameters has no querystring schema: it ignores any it gets.
    ['path', path, pathValues, true], ['query', query, fuzzCase.query, query.length > 0], ['headers', header, lowerCaseKeys(headers), false]
  ]
  for (const [where, parameters, values, closed] of checks) {
    const verdict = checkParameters(parameters, values, closed)
    if (!verdict.valid) return `${where}: ${verdict.errors}`
  }
  if (operation.body !== undefined && fuzzCase.body !== undefined && 'json' in fuzzCase.body) {
    const verdict = checkValue(operation.body, parsedBody(fuzzCase.body.json))
    if (!verdict.valid) return `body: ${verdict.errors}`
  }
  return null
}

async function etagOf (http: Http, path: string): Promise<string | undefined> {
  const response = await send(http, 'get', path, { authorization: AUTHORIZATION.token as string })
  const etag = response.headers.etag
  return typeof etag === 'string' ? etag : undefined
}

/**
 * The checks that need a second request: a created resource is at its Location with the same
 * body, a changed one reads back as answered, a deleted one is gone.
 */
async function statefulViolations (context: FuzzContext, operation: Operation, path: string, observed: Observed): Promise<string[]> {
  const readBack = async (target: string) => {
    const getOperation = operationServing(context.operations, 'get', target.split('?')[0] ?? target)
    const response = await send(context.http, 'get', target, { authorization: AUTHORIZATION.token as string })
    return { response, violations: getOperation === undefined ? [`no documented GET serves ${target}`] : responseViolations(getOperation, response) }
  }
  if (observed.status === 201) {
    const location = observed.headers.location
    if (typeof location !== 'string' || location === '') return ['201 without a Location header']
    const { response, violations } = await readBack(location)
    if (response.status !== 200) return [...violations, `GET ${location} after 201 answered ${response.status}`]
    if (!isDeepStrictEqual(jsonBody(response), jsonBody(observed))) violations.push(`GET ${location} differs from the 201 body: ${response.text.slice(0, 300)}`)
    return violations
  }
  if (operation.method === 'delete' && observed.status === 204) {
    const { response, violations } = await readBack(path)
    return response.status === 404 ? violations : [...violations, `GET ${path} after DELETE answered ${response.status}, not 404`]
  }
  if (operation.method === 'patch' && observed.status === 200) {
    const body = jsonBody(observed) as { id?: unknown, slug?: unknown }
    context.fixtures.noteVisit(body)
    // The path may have named the visit by a slug the PATCH just changed.
    const { response, violations } = await readBack(typeof body.slug === 'string' ? path.replace(/[^/]+$/, body.slug) : path)
    if (!isDeepStrictEqual(jsonBody(response), body)) violations.push(`GET ${path} after PATCH differs from its answer: ${response.text.slice(0, 300)}`)
    return violations
  }
  return []
}

/** Sends one generated request and judges the answer against the document. */
export async function exercise (context: FuzzContext, operation: Operation, fuzzCase: FuzzCase): Promise<Outcome> {
  const pathValues = await resolvePath(context, operation, fuzzCase)
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodePathSegment(pathValues[name] ?? ''))
  const search = [new URLSearchParams(fuzzCase.query).toString(), fuzzCase.rawQuery].filter((part) => part !== '').join('&')
  const url = search === '' ? path : `${path}?${search}`

  const headers = Object.fromEntries(Object.entries(fuzzCase.headers).map(([name, value]) => [name, sendableHeaderValue(value)]))
  const authorization = operation.needsToken ? AUTHORIZATION[fuzzCase.auth] : undefined
  if (authorization !== undefined) headers.authorization = authorization
  if (takesPrecondition(operation)) {
    const current = await etagOf(context.http, path)
    if (fuzzCase.precondition === 'stale') headers['if-match'] = STALE_ETAG
    else if (fuzzCase.precondition === 'current' && current !== undefined) headers['if-match'] = current
  }
  const body = fuzzCase.body === undefined
    ? undefined
    : 'raw' in fuzzCase.body ? { text: fuzzCase.body.raw, contentType: fuzzCase.body.contentType } : { text: jsonText(fuzzCase.body.json), contentType: 'application/json' }
  const request = `${operation.method.toUpperCase()} ${url.slice(0, 500)} ${JSON.stringify(headers)} ${body === undefined ? '' : `${body.contentType} ${body.text.toString('utf8').slice(0, 500)}`}`

  const invalidBecause = invalidity(operation, fuzzCase, pathValues, headers)
  const observed = await send(context.http, operation.method, url, headers, body)
  const violations = responseViolations(operation, observed)
  if (invalidBecause !== null && (observed.status < 400 || observed.status >= 500)) {
    violations.push(`an invalid request (${invalidBecause}) got ${observed.status}, not a 4xx problem`)
  }
  if (violations.length === 0) violations.push(...await statefulViolations(context, operation, path, observed))
  return { status: observed.status, invalidBecause, violations, request }
}

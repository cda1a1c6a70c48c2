import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions, onRouteHookHandler } from 'fastify'
import { InputError, type FieldError } from '../domain/errors.js'
import { SUPPORTED_INSTANTS } from '../domain/time-range.js'
import { isDatabaseUnavailable, isWriteConflict } from '../db/unavailable.js'
import { Prisma } from '../generated/prisma/client.js'
import { HttpProblem, PROBLEM_TYPES, conflict, frameworkProblem, invalidRequest, notFound, problem, unprocessable, type ProblemName } from '../problems.js'
import { problemResponses } from '../schemas/common.js'

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

const FORMAT_MESSAGES: Record<string, string> = {
  'time-zone': 'must be an IANA time zone name such as "Asia/Seoul" or "America/New_York"',
  date: 'must be a real calendar date written YYYY-MM-DD, such as "2026-01-05", in the years 0001 to 9999',
  'date-time': 'must be an ISO 8601 instant with an offset or Z, such as "2026-01-05T15:00:00+08:00", ' +
    `${SUPPORTED_INSTANTS} once the offset is applied`,
  'local-date-time': 'must be a wall-clock time without offset, such as "2026-01-05T15:00", in the years 0001 to 9999',
  uuid: 'must be a UUID',
  uri: 'must be an absolute http(s) URL'
}

const CONTEXT_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' }


function describeAjvError (error: AjvError, context: string): FieldError {
  const base = `/${CONTEXT_NAMES[context] ?? context}${error.instancePath}`
  switch (error.keyword) {
    case 'required':
      return { path: `${base}/${String(error.params.missingProperty)}`, message: 'is required' }
    case 'additionalProperties':
      return {
        path: `${base}/${String(error.params.additionalProperty)}`,
        message: 'is not a field of this request; check the spelling against the schema at /docs'
      }
    case 'format':
      return { path: base, message: FORMAT_MESSAGES[String(error.params.format)] ?? error.message ?? 'has the wrong format' }
    case 'enum':
      return { path: base, message: `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}` }
    case 'minProperties':
      return { path: base, message: 'must contain at least one field to change' }
    default:
      return { path: base, message: error.message ?? 'is not valid' }
  }
}

/** Turns whatever was thrown into the problem the client gets; null means an unexpected failure. */
function toProblem (error: FastifyError | Error): HttpProblem | null {
  if (error instanceof HttpProblem) return error
  if (error instanceof InputError) {
    return error.kind === 'invalid' ? invalidRequest(error.message, error.errors) : unprocessable(error.message, error.errors)
  }
  const fastifyError = error as FastifyError & { validation?: AjvError[], validationContext?: string }
  if (fastifyError.validation !== undefined) {
    const errors = fastifyError.validation.map((item) => describeAjvError(item, fastifyError.validationContext ?? 'body'))
    const first = errors[0]
    const detail = first === undefined ? 'The request is not valid.' : `${first.path} ${first.message}.`
    return invalidRequest(detail, errors)
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2002') return conflict('Another record already uses this value; choose a different one.')
    if (error.code === 'P2025') return notFound('The record does not exist (it may have just been deleted).')
    if (error.code === 'P2003') return conflict('The record is still referenced by others; remove those references first.')
  }
  // A deadlock or serialization failure that still happened after the service ran the write again
  // (src/db/transactions.ts): two writes to shared records crossed, and Postgres undid this one.
  if (isWriteConflict(error)) {
    return problem('writeConflict',
      'Other writes to the same records kept running at the same moment, so nothing was changed. Send the request again ' +
      '(after the seconds in Retry-After); an Idempotency-Key makes that safe.')
  }
  // The request was fine, the database was not: the client should retry, not change anything.
  if (isDatabaseUnavailable(error)) {
    return problem('databaseUnavailable', 'The database cannot be reached or is too slow right now. Retry after the number of seconds in Retry-After.')
  }
  if (fastifyError.code === 'FST_ERR_HANDLER_TIMEOUT') {
    return problem('timeout', 'The server could not answer in time. Retry after the number of seconds in Retry-After.')
  }
  const statusCode = fastifyError.statusCode
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return frameworkProblem(statusCode, fastifyError.code, clientMessage(fastifyError))
  }
  return null
}

// Fastify's own messages name the setting that failed; these say what the client should do.
function clientMessage (error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the body as JSON with the header Content-Type: application/json.'
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The body is larger than this server accepts; send less data in one request.'
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The Content-Type is application/json but the body is empty; send a JSON object.'
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'A path segment is longer than this server accepts; ids and slugs are far shorter.'
    case 'FST_ERR_BAD_URL':
      return 'The path holds a %XX sequence that is not UTF-8 (such as %FF, or %ED%A0%80 for a lone surrogate); ' +
        'percent-encode each path segment as UTF-8, as encodeURIComponent does.'
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `The body is not valid JSON: ${error.message}`
    default:
      return error.message
  }
}

function sendProblem (request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance: request.url.split('?')[0],
      ...(problem.errors === undefined ? {} : { errors: problem.errors }),
      ...problem.members
    })
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The problems any route can answer whatever it does: a method its path does not serve (405),
 * a request too slow to arrive (408) or with headers too large (431), the service unable to
 * answer (503); with input to check, a malformed one (400); with path parameters, nothing there
 * (404) or a parameter too long (414); with a method that takes a body (DELETE too), a body too
 * large (413) or not JSON (415).
 */
function problemsOfEveryRoute (route: RouteOptions): number[] {
  const statuses = [405, 408, 431, 503]
  const { schema = {} } = route
  const takesBody = [route.method].flat().some((method) => BODY_METHODS.has(method))
  if (takesBody || [schema.params, schema.querystring, schema.headers].some((part) => part !== undefined)) statuses.push(400)
  if (route.url.includes(':')) statuses.push(404, 414)
  if (takesBody) statuses.push(413, 415)
  return statuses
}

/**
 * An onRoute hook that documents, on every route with documented responses, the problems
 * `statuses` says it can answer, beside those the route lists itself. The errors plugin adds
 * those of every route; a scope adds those its hooks answer (401 and 429 where tokens are read),
 * and the auth plugin those of a route that needs a scope.
 */
export function documentProblems (statuses: (route: RouteOptions) => number[]): onRouteHookHandler {
  return (route) => {
    const responses = route.schema?.response as Record<string, unknown> | undefined
    if (route.schema?.hide === true || responses === undefined) return
    const missing = statuses(route).filter((status) => !(String(status) in responses))
    Object.assign(responses, problemResponses(...missing))
  }
}

/** One error handler and one not-found handler for the whole app: every error is RFC 9457. */
export default fp(async (app) => {
  app.addHook('onRoute', documentProblems(problemsOfEveryRoute))

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const expected = toProblem(error)
    if (expected !== null) {
      if (expected.status >= 500) request.log.warn({ err: error }, 'request failed: service unavailable')
      return sendProblem(request, reply, expected)
    }
    request.log.error({ err: error }, 'unexpected error')
    return sendProblem(request, reply, problem('internalError',
      `Something went wrong on our side. Quote request id ${request.id} when reporting it.`))
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    const supported = ROUTABLE_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null)
    if (supported.length === 0) {
      return sendProblem(request, reply, notFound(`There is no ${request.method} ${path}. The API is described at /docs.`))
    }
    const allow = [...supported, 'OPTIONS'].join(', ')
    // An OPTIONS that is not a CORS preflight lands here: it asks what the path supports.
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', allow).send()
    return sendProblem(request, reply, problem('methodNotAllowed',
      `${path} does not support ${request.method}; it supports ${allow}.`, { headers: { allow } }))
  })
}, { name: 'errors' })

// OPTIONS is left out: CORS registers it on every path, so it says nothing about a path.
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** Fastify's frameworkErrors: a URL that cannot be decoded, before any route is found. */
export function frameworkErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(request, reply, toProblem(error) ?? invalidRequest(error.message, []))
}

const CLIENT_ERRORS: Record<string, { name: ProblemName, detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { name: 'requestTimeout', detail: 'The request did not arrive in time; send it again, faster.' },
  HPE_HEADER_OVERFLOW: { name: 'headersTooLarge', detail: 'The request headers are larger than this server accepts.' }
}

/**
 * Fastify's clientErrorHandler, for what Node refuses before a request exists (a client too
 * slow to send it, headers too large, bytes that are not HTTP): there is no reply object, so
 * the problem is written to the socket, which is then closed.
 */
export function clientErrorHandler (error: NodeJS.ErrnoException, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const { name, detail } = CLIENT_ERRORS[error.code ?? ''] ?? { name: 'malformedRequest', detail: 'The request is not valid HTTP/1.1.' }
  const { type, title, status } = PROBLEM_TYPES[name]
  const body = JSON.stringify({ type, title, status, detail })
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(error)
}

import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { InputError, type FieldError } from '../domain/errors.js'
import { Prisma } from '../generated/prisma/client.js'
import { HttpProblem, conflict, invalidRequest, notFound, unprocessable } from '../problems.js'

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

const FORMAT_MESSAGES: Record<string, string> = {
  'time-zone': 'must be an IANA time zone name such as "Asia/Seoul" or "America/New_York"',
  date: 'must be a real calendar date written YYYY-MM-DD, such as "2026-01-05"',
  'date-time': 'must be an ISO 8601 instant with an offset or Z, such as "2026-01-05T15:00:00+08:00"',
  'local-date-time': 'must be a wall-clock time without offset, such as "2026-01-05T15:00"',
  uuid: 'must be a UUID',
  uri: 'must be an absolute http(s) URL'
}

const CONTEXT_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' }

// Connection-level failures, as Prisma reports them through the driver adapter: the request
// was fine, the database was not, so the client should retry rather than change anything.
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037'])

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
    if (UNAVAILABLE_CODES.has(error.code)) return databaseUnavailable()
  }
  if (error instanceof Prisma.PrismaClientInitializationError) return databaseUnavailable()
  const statusCode = fastifyError.statusCode
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new HttpProblem(statusCode, `/problems/${fastifyError.code ?? 'bad-request'}`, httpTitle(statusCode), clientMessage(fastifyError))
  }
  return null
}

function databaseUnavailable () {
  return new HttpProblem(503, '/problems/database-unavailable', 'Service temporarily unavailable',
    'The database cannot be reached right now. Retry after the number of seconds in Retry-After.', { headers: { 'retry-after': '5' } })
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
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `The body is not valid JSON: ${error.message}`
    default:
      return error.message
  }
}

function httpTitle (status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
    406: 'Not acceptable', 409: 'Conflict', 413: 'Content too large', 415: 'Unsupported media type',
    422: 'Unprocessable content', 429: 'Too many requests'
  }
  return titles[status] ?? 'Request error'
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
      ...(problem.errors === undefined ? {} : { errors: problem.errors })
    })
}

/** One error handler and one not-found handler for the whole app: every error is RFC 9457. */
export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error)
    if (problem !== null) {
      if (problem.status >= 500) request.log.warn({ err: error }, 'request failed: service unavailable')
      return sendProblem(request, reply, problem)
    }
    request.log.error({ err: error }, 'unexpected error')
    return sendProblem(request, reply, new HttpProblem(500, '/problems/internal-error', 'Internal server error',
      `Something went wrong on our side. Quote request id ${request.id} when reporting it.`))
  })

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply,
    notFound(`There is no ${request.method} ${request.url.split('?')[0]}. The API is described at /docs.`)))
}, { name: 'errors' })

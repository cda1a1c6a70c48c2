import type { FieldError } from './domain/errors.js'

/** One kind of problem the API answers: its RFC 9457 type, title and status, and when to retry. */
export interface ProblemType {
  type: string
  title: string
  status: number
  /** Seconds a client should wait before sending the request again (the Retry-After header). */
  retryAfterSeconds?: number
}

/**
 * What Fastify and Node refuse a request with before a route runs (see frameworkProblem). Each
 * type is the error's code: the one here is the one a client usually meets with that status; the
 * 400s of body parsing have several codes.
 */
const FRAMEWORK_PROBLEM_TYPES = {
  malformedRequest: { type: '/problems/bad-request', title: 'Bad request', status: 400 },
  staticPathForbidden: { type: '/problems/FST_STATIC_FORBIDDEN_PATH', title: 'Forbidden', status: 403 },
  requestTimeout: { type: '/problems/ERR_HTTP_REQUEST_TIMEOUT', title: 'Request timeout', status: 408 },
  contentTooLarge: { type: '/problems/FST_ERR_CTP_BODY_TOO_LARGE', title: 'Content too large', status: 413 },
  uriTooLong: { type: '/problems/FST_ERR_MAX_PARAM_LENGTH', title: 'URI too long', status: 414 },
  unsupportedMediaType: { type: '/problems/FST_ERR_CTP_INVALID_MEDIA_TYPE', title: 'Unsupported media type', status: 415 },
  headersTooLarge: { type: '/problems/HPE_HEADER_OVERFLOW', title: 'Request headers too large', status: 431 }
} as const satisfies Record<string, ProblemType>

/**
 * Every problem type the API answers with, in one place: the errors plugin sends them as they are
 * here and the OpenAPI document quotes them (src/schemas/common.ts).
 */
export const PROBLEM_TYPES = {
  // What was asked cannot be done as asked: the client changes the request.
  invalidRequest: { type: '/problems/validation-error', title: 'Your request is not valid', status: 400 },
  unprocessable: { type: '/problems/unprocessable', title: 'Your request cannot be applied', status: 422 },
  notFound: { type: '/problems/not-found', title: 'Not found', status: 404 },
  methodNotAllowed: { type: '/problems/method-not-allowed', title: 'Method not allowed', status: 405 },
  conflict: { type: '/problems/conflict', title: 'Conflict with the current state', status: 409 },
  // Who is asking: a token, its scopes, its budget of requests.
  unauthorized: { type: '/problems/unauthorized', title: 'Authentication required', status: 401 },
  forbidden: { type: '/problems/forbidden', title: 'Your token lacks a scope', status: 403 },
  rateLimited: { type: '/problems/rate-limited', title: 'Too many requests', status: 429 },
  // Writes that depend on what the client saw, and retries of them.
  preconditionRequired: { type: '/problems/precondition-required', title: 'If-Match required', status: 428 },
  preconditionFailed: { type: '/problems/precondition-failed', title: 'Changed since you read it', status: 412 },
  idempotencyKeyReused: { type: '/problems/idempotency-key-reused', title: 'Idempotency-Key already used for another request', status: 422 },
  idempotencyKeyScopesChanged: { type: '/problems/idempotency-key-scopes-changed', title: 'Idempotency-Key used with other scopes', status: 422 },
  idempotencyKeyInFlight: { type: '/problems/idempotency-key-in-flight', title: 'The first request with this key is still running', status: 409, retryAfterSeconds: 1 },
  cursorExpired: { type: '/problems/cursor-expired', title: 'This cursor has expired', status: 410 },
  // The service, not the request: the same request may succeed later.
  internalError: { type: '/problems/internal-error', title: 'Internal server error', status: 500 },
  databaseUnavailable: { type: '/problems/database-unavailable', title: 'Service temporarily unavailable', status: 503, retryAfterSeconds: 5 },
  writeConflict: { type: '/problems/write-conflict', title: 'Service temporarily unavailable', status: 503, retryAfterSeconds: 1 },
  timeout: { type: '/problems/timeout', title: 'Service temporarily unavailable', status: 503, retryAfterSeconds: 5 },
  shuttingDown: { type: '/problems/shutting-down', title: 'Service temporarily unavailable', status: 503, retryAfterSeconds: 1 },
  migrationsPending: { type: '/problems/migrations-pending', title: 'Service not ready', status: 503, retryAfterSeconds: 30 },
  // Refused before a route runs.
  ...FRAMEWORK_PROBLEM_TYPES
} as const satisfies Record<string, ProblemType>

export type ProblemName = keyof typeof PROBLEM_TYPES

interface ProblemOptions {
  errors?: FieldError[]
  headers?: Record<string, string>
  members?: Record<string, unknown>
}

/**
 * An error that knows how it should look to the client: the errors plugin turns it into an
 * RFC 9457 problem as it is. Throw it from route handlers and services for expected outcomes
 * (not found, conflict); anything else that is thrown is a bug and becomes a generic 500.
 */
export class HttpProblem extends Error {
  readonly status: number
  readonly type: string
  readonly title: string
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string>
  /** RFC 9457 extension members, sent beside `detail`; each must be declared in the Problem schema. */
  readonly members: Record<string, unknown>

  constructor (status: number, type: string, title: string, detail: string, options: ProblemOptions = {}) {
    super(detail)
    this.name = 'HttpProblem'
    this.status = status
    this.type = type
    this.title = title
    this.errors = options.errors
    this.headers = options.headers ?? {}
    this.members = options.members ?? {}
  }
}

/** The problem of this catalogue type, with its Retry-After unless `options.headers` sets one. */
export function problem (name: ProblemName, detail: string, options: ProblemOptions = {}): HttpProblem {
  const kind: ProblemType = PROBLEM_TYPES[name]
  const retryAfter: Record<string, string> = kind.retryAfterSeconds === undefined ? {} : { 'retry-after': String(kind.retryAfterSeconds) }
  return new HttpProblem(kind.status, kind.type, kind.title, detail, { ...options, headers: { ...retryAfter, ...options.headers } })
}

/**
 * The titles of the statuses Fastify and Node refuse a request with, from the catalogue (a 404
 * is the router's, should Fastify's own not-found handler ever answer).
 */
const FRAMEWORK_TITLES: ReadonlyMap<number, string> = new Map(
  [...Object.values(FRAMEWORK_PROBLEM_TYPES), PROBLEM_TYPES.notFound].map(({ status, title }) => [status, title])
)

/**
 * A client error raised by Fastify or Node rather than by this code: its type is named after its
 * `code` (FST_ERR_CTP_INVALID_JSON_BODY and the other codes of body parsing too, beside those of
 * the catalogue), or is `malformedRequest`'s without one; its title is the catalogue's for its status.
 */
export function frameworkProblem (status: number, code: string | undefined, detail: string): HttpProblem {
  const type = code === undefined ? PROBLEM_TYPES.malformedRequest.type : `/problems/${code}`
  return new HttpProblem(status, type, FRAMEWORK_TITLES.get(status) ?? 'Request error', detail)
}

export const notFound = (detail: string) => problem('notFound', detail)

export const conflict = (detail: string) => problem('conflict', detail)

export const invalidRequest = (detail: string, errors: FieldError[]) => problem('invalidRequest', detail, { errors })

export const unprocessable = (detail: string, errors: FieldError[]) => problem('unprocessable', detail, { errors })

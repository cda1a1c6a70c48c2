import type { FieldError } from './domain/errors.js'

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

  constructor (status: number, type: string, title: string, detail: string, options: { errors?: FieldError[], headers?: Record<string, string>, members?: Record<string, unknown> } = {}) {
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

export const notFound = (detail: string) =>
  new HttpProblem(404, '/problems/not-found', 'Not found', detail)

export const conflict = (detail: string) =>
  new HttpProblem(409, '/problems/conflict', 'Conflict with the current state', detail)

export const invalidRequest = (detail: string, errors: FieldError[]) =>
  new HttpProblem(400, '/problems/validation-error', 'Your request is not valid', detail, { errors })

export const unprocessable = (detail: string, errors: FieldError[]) =>
  new HttpProblem(422, '/problems/unprocessable', 'Your request cannot be applied', detail, { errors })

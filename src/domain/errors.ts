/** One problem with one input field; `path` is a JSON Pointer into the request (`/time/localStart`). */
export interface FieldError {
  path: string
  message: string
}

/**
 * Input that is well-formed but cannot be accepted as it stands: a wall-clock time that does
 * not exist in its zone, an end before its start, a leg that belongs to another visit.
 * The HTTP layer answers 422 (or 400 for `kind: 'invalid'`, input that breaks the documented
 * shape) with `detail` and `errors` as they are, so write them for the person sending the data.
 */
export class InputError extends Error {
  readonly kind: 'invalid' | 'unprocessable'
  readonly errors: FieldError[]

  constructor (kind: 'invalid' | 'unprocessable', detail: string, errors: FieldError[] = []) {
    super(detail)
    this.name = 'InputError'
    this.kind = kind
    this.errors = errors
  }
}

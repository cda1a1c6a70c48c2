import { Type, type Static, type TSchema } from 'typebox'

/**
 * A `$ref` to a shared schema that keeps the referenced schema's static type, so routes get
 * typed bodies while the OpenAPI document shows one named component instead of copies.
 * The referenced schema must be registered with `addSchema` (see src/schemas/index.ts).
 */
export function refTo<T extends TSchema> (schema: T) {
  const id = (schema as { $id?: string }).$id
  if (id === undefined) throw new Error('refTo needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(id))
}

/**
 * `T` or null. Null comes first: the validator coerces types, and with the string branch
 * first it would turn a JSON null into "" before ever trying the null branch.
 */
export function Nullable<T extends TSchema> (schema: T, options: { description?: string } = {}) {
  return Type.Union([Type.Null(), schema], options)
}

export const Uuid = Type.String({ format: 'uuid', examples: ['0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11'] })

export const LocalDate = Type.String({
  format: 'date',
  description: 'A calendar date, YYYY-MM-DD, with no time zone attached.',
  examples: ['2026-01-05']
})

export const Instant = Type.String({
  format: 'date-time',
  description: 'An instant: ISO 8601 with an offset or Z.',
  examples: ['2026-01-05T04:00:00.000Z']
})

export const TimeZoneName = Type.String({
  format: 'time-zone',
  maxLength: 64,
  description: 'An IANA time zone name.',
  examples: ['Asia/Shanghai']
})

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, upper case.',
  examples: ['CN']
})

export const ScheduleStatus = Type.Enum(
  ['scheduled', 'confirmed', 'tentative', 'postponed', 'cancelled', 'completed'],
  { description: 'Where the item stands.' }
)

export const FieldError = Type.Object({
  path: Type.String({ description: 'JSON Pointer to the offending input: /body/..., /query/<name> or /params/<name>.', examples: ['/body/time/localStart'] }),
  message: Type.String({ examples: ['must be an IANA time zone name such as "Asia/Seoul"'] })
})

export const Problem = Type.Object({
  type: Type.String({ description: 'A URI reference that identifies the kind of problem.', examples: ['/problems/validation-error'] }),
  title: Type.String({ description: 'Short summary of the kind of problem.', examples: ['Your request is not valid'] }),
  status: Type.Integer({ minimum: 400, maximum: 599, description: 'The HTTP status code.', examples: [400] }),
  detail: Type.String({ description: 'What went wrong with this request and how to fix it.', examples: ['query parameter tz must be an IANA time zone name such as "Asia/Seoul"'] }),
  instance: Type.Optional(Type.String({ description: 'The request path that produced the problem.', examples: ['/v1/engagements'] })),
  errors: Type.Optional(Type.Array(FieldError, { description: 'One entry per invalid input, for validation problems.' }))
}, { $id: 'Problem', title: 'Problem', description: 'An RFC 9457 problem details object, sent as application/problem+json.' })

const problemDescriptions: Record<number, string> = {
  400: 'The request is malformed: a parameter or body field breaks the documented shape.',
  401: 'A bearer token is missing or not valid.',
  404: 'Nothing is found at this address.',
  409: 'The request conflicts with the current state (for example a slug that is taken).',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not application/json.',
  422: 'The request is well-formed but cannot be applied (for example a local time that does not exist).',
  503: 'The database is not reachable; retry after the Retry-After delay.'
}

/** Response entries for the error statuses a route can answer, all as RFC 9457 problems. */
export function problemResponses (...statuses: number[]) {
  const responses: Record<number, { description: string, content: { 'application/problem+json': { schema: TSchema } } }> = {}
  for (const status of statuses) {
    responses[status] = {
      description: problemDescriptions[status] ?? 'A problem',
      content: { 'application/problem+json': { schema: refTo(Problem) } }
    }
  }
  return responses
}

export function Page<T extends TSchema> (id: string, item: T, description: string) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(Type.String(), {
      description: 'Pass as `cursor` to get the next page; null on the last page.'
    })
  }, { $id: id, title: id, description })
}

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, at most 200.' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'The `nextCursor` of the previous page.' }))
}

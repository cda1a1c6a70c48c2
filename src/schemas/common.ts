import { Type, type Static, type TSchema } from 'typebox'
import { TOKEN_SCOPES } from '../domain/access.js'
import { CHANGE_REASON_MAX_LENGTH } from '../domain/changes.js'
import { SUPPORTED_INSTANTS } from '../domain/time-range.js'
import { PROBLEM_TYPES, type ProblemName } from '../problems.js'

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
 * `T` or null. A string, number, integer or boolean schema, or an enum of strings, becomes one
 * schema whose `type` also allows null: the response serializer tells those apart with typeof,
 * where each anyOf costs a validator call per value (an itinerary has hundreds; bench/RESULTS.md).
 * Other schemas (an object by $ref) stay an anyOf. Null comes first in both: the validator coerces
 * URL and header values, and with the string branch first it would turn a null into "".
 */
export function Nullable<T extends TSchema> (schema: T, options: { description?: string } = {}) {
  const { type, enum: values } = schema as { type?: unknown, enum?: unknown }
  if (typeof type === 'string' && ['string', 'number', 'integer', 'boolean'].includes(type)) {
    return Type.Unsafe<Static<T> | null>({ ...schema, ...options, type: ['null', type] })
  }
  if (type === undefined && Array.isArray(values) && values.every((value) => typeof value === 'string')) {
    return Type.Unsafe<Static<T> | null>({ ...schema, ...options, type: ['null', 'string'], enum: [null, ...values] })
  }
  return Type.Union([Type.Null(), schema], options)
}

/**
 * Free text may hold anything but U+0000: Postgres text cannot store it, so a NUL would fail in
 * the database (a 500); as a pattern it is a 400 that names the field.
 */
export const TEXT_PATTERN = '^[^\\u0000]*$'

/** A row's version: 1, then +1 on every change; the ETag is derived from it. */
export const VersionNumber = Type.Integer({ minimum: 1, maximum: 2147483647, format: 'int32', description: 'Increases by one on every change.' })

export const Uuid = Type.String({ format: 'uuid', maxLength: 36, examples: ['0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11'] })

export const LocalDate = Type.String({
  format: 'date',
  maxLength: 10,
  description: 'A calendar date, YYYY-MM-DD, with no time zone attached, in the years 0001 to 9999.',
  examples: ['2026-01-05']
})

export const Instant = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: `An instant: ISO 8601 with an offset or Z, ${SUPPORTED_INSTANTS} once the offset is applied.`,
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
  maxLength: 2,
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
  status: Type.Integer({ minimum: 400, maximum: 599, format: 'int32', description: 'The HTTP status code.', examples: [400] }),
  detail: Type.String({ description: 'What went wrong with this request and how to fix it.', examples: ['query parameter tz must be an IANA time zone name such as "Asia/Seoul"'] }),
  instance: Type.Optional(Type.String({ description: 'The request path that produced the problem.', examples: ['/v1/engagements'] })),
  errors: Type.Optional(Type.Array(FieldError, { description: 'One entry per invalid input, for validation problems.' })),
  requiredScope: Type.Optional(Type.Enum([...TOKEN_SCOPES], { description: 'The scope the token lacks, on a 403.', examples: ['write'] }))
}, { $id: 'Problem', title: 'Problem', description: 'An RFC 9457 problem details object, sent as application/problem+json.' })

interface ProblemExample {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
  errors?: Array<{ path: string, message: string }>
  requiredScope?: string
}

interface ProblemStatus {
  description: string
  /** What the problem of this status looks like (one of them, where a status has several types). */
  example: ProblemExample
  /** Response headers the status always carries, by name. */
  headers?: Record<string, TSchema>
}

/** How a status is documented; its example's type, title and status are the catalogue's. */
interface ProblemDocumentation extends Omit<ProblemStatus, 'example'> {
  example: Omit<ProblemExample, 'type' | 'title' | 'status'>
}

const RETRY_AFTER = { 'Retry-After': Type.Integer({ minimum: 1, maximum: 86400, format: 'int32', description: 'Seconds to wait before sending the request again.' }) }

/**
 * The OpenAPI description of each error status, keyed by the problem of the catalogue
 * (src/problems.ts) its example shows: the status, type and title come from there, so the
 * document cannot disagree with what the errors plugin sends. One problem per status.
 */
const PROBLEM_DOCUMENTATION: Partial<Record<ProblemName, ProblemDocumentation>> = {
  invalidRequest: {
    description: 'The request is malformed: a parameter or body field breaks the documented shape, the body is not JSON, ' +
      'or text is not UTF-8 (bytes that are not, an unpaired surrogate such as \\ud800, a %XX sequence that is not).',
    example: {
      detail: '/query/tz must be an IANA time zone name such as "Asia/Seoul" or "America/New_York".',
      instance: '/v1/engagements',
      errors: [{ path: '/query/tz', message: 'must be an IANA time zone name such as "Asia/Seoul" or "America/New_York"' }]
    }
  },
  unauthorized: {
    description: 'The bearer token is missing (on a write), not valid, revoked or malformed; `WWW-Authenticate` says Bearer.',
    example: {
      detail: 'The bearer token is not valid or has been revoked. Check it with whoever runs this service.',
      instance: '/v1/visits'
    }
  },
  forbidden: {
    description: 'The bearer token lacks the scope this request needs; `requiredScope` names it.',
    example: {
      detail: 'This request needs a token with the write scope; the token "wire" has read:embargoed.',
      instance: '/v1/visits',
      requiredScope: 'write'
    }
  },
  notFound: {
    description: 'Nothing is found at this address.',
    example: { detail: 'No visit has the id or slug "lee-jae-myung-china-2025".', instance: '/v1/visits/lee-jae-myung-china-2025' }
  },
  methodNotAllowed: {
    description: 'The path does not serve this method; `Allow` lists the methods it does.',
    example: {
      detail: '/v1/visits does not support PUT; it supports GET, HEAD, POST, OPTIONS.',
      instance: '/v1/visits'
    },
    headers: { Allow: Type.String({ maxLength: 100, description: 'The methods the path serves.', examples: ['GET, HEAD, POST, OPTIONS'] }) }
  },
  requestTimeout: {
    description: 'The client took longer than REQUEST_TIMEOUT_MS to send its request; the connection is closed.',
    example: { detail: 'The request did not arrive in time; send it again, faster.' }
  },
  conflict: {
    description: 'The request conflicts with the current state (a slug that is taken), or a request with the same Idempotency-Key is still running (retry after Retry-After).',
    example: { detail: 'The slug "lee-jae-myung-china-2026" is already used by visit 0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11; choose another.', instance: '/v1/visits' }
  },
  cursorExpired: {
    description: 'The cursor is older than the retention window: resync as the detail says.',
    example: {
      detail: 'This cursor is older than the 90 days for which changes are kept, so changes after it may be gone. Resync: get a fresh cursor ' +
        'with GET /v1/changes?since=now, list the visits and engagements again, then poll from that cursor.',
      instance: '/v1/changes'
    }
  },
  preconditionFailed: {
    description: 'If-Match names a version that is no longer current: someone changed the resource since you read it. GET it again, re-apply your change, send the new ETag.',
    example: {
      detail: 'Someone changed this engagement after you read it; it is now at version 4. GET it again, re-apply your change to what you get ' +
        'and send its new ETag in If-Match.',
      instance: '/v1/engagements/0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11'
    }
  },
  contentTooLarge: {
    description: 'The body is larger than the server accepts (BODY_LIMIT_BYTES).',
    example: { detail: 'The body is larger than this server accepts; send less data in one request.', instance: '/v1/visits' }
  },
  uriTooLong: {
    description: 'A path parameter is longer than the router accepts (URI too long).',
    example: { detail: 'A path segment is longer than this server accepts; ids and slugs are far shorter.', instance: '/v1/visits/aaaa…' }
  },
  unsupportedMediaType: {
    description: 'The body is not application/json.',
    example: { detail: 'Send the body as JSON with the header Content-Type: application/json.', instance: '/v1/visits' }
  },
  unprocessable: {
    description: 'The request is well-formed but cannot be applied (a local time that does not exist, a local date whose instants leave the supported range), or its Idempotency-Key was used for another request.',
    example: {
      detail: '2026-03-08T02:30 does not exist in America/New_York: clocks jump from 02:00 to 03:00 (UTC-5 to UTC-4). Send 03:30 or an instant with an offset.',
      instance: '/v1/visits/lee-jae-myung-china-2026/engagements',
      errors: [{ path: '/body/time/localStart', message: '2026-03-08T02:30 does not exist in America/New_York: clocks jump from 02:00 to 03:00 (UTC-5 to UTC-4). Send 03:30 or an instant with an offset.' }]
    }
  },
  preconditionRequired: {
    description: 'The header If-Match is missing (or is `*`): send the ETag you got when you read the resource.',
    example: {
      detail: 'Changes need the header If-Match with the ETag you got when you read the resource (for example If-Match: "v3-..."), so that you never overwrite a change you have not seen.',
      instance: '/v1/engagements/0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11'
    }
  },
  rateLimited: {
    description: 'Past the rate limit: reads or writes a minute per token (per client IP without a valid one), or requests with a token that is not valid per client IP. Wait Retry-After seconds.',
    example: { detail: 'This client may make 60 writes a minute; retry in 42 seconds.', instance: '/v1/visits' },
    headers: RETRY_AFTER
  },
  headersTooLarge: {
    description: 'The request headers are larger than the server accepts (16 KiB); the connection is closed.',
    example: { detail: 'The request headers are larger than this server accepts.' }
  },
  databaseUnavailable: {
    description: 'The service cannot answer now: the database is not reachable or too slow, the answer took too long, a write crossed another, or the server is shutting down. Retry after the Retry-After delay.',
    example: {
      detail: 'The database cannot be reached or is too slow right now. Retry after the number of seconds in Retry-After.',
      instance: '/v1/engagements'
    },
    headers: RETRY_AFTER
  }
}

const problemStatuses = new Map<number, ProblemStatus>()
for (const [name, { example, ...documentation }] of Object.entries(PROBLEM_DOCUMENTATION) as Array<[ProblemName, ProblemDocumentation]>) {
  const { type, title, status } = PROBLEM_TYPES[name]
  if (problemStatuses.has(status)) throw new Error(`PROBLEM_DOCUMENTATION: status ${status} is documented twice`)
  problemStatuses.set(status, { ...documentation, example: { type, title, status, ...example } })
}

/**
 * Response entries for the error statuses a route can answer, all as RFC 9457 problems, each with
 * an example of its own. The statuses every route can answer are added by the errors plugin.
 */
export function problemResponses (...statuses: number[]) {
  const responses: Record<number, { description: string, headers?: ProblemStatus['headers'], content: { 'application/problem+json': { schema: TSchema, example: ProblemExample } } }> = {}
  for (const status of statuses) {
    const known = problemStatuses.get(status)
    if (known === undefined) throw new Error(`problemResponses: no description of status ${status}`)
    responses[status] = {
      description: known.description,
      ...(known.headers === undefined ? {} : { headers: known.headers }),
      content: { 'application/problem+json': { schema: refTo(Problem), example: known.example } }
    }
  }
  return responses
}

/** The answer to a DELETE that succeeded. */
export const deletedResponse = {
  204: Type.Null({ description: 'Deleted' })
}

/** The answer to a GET whose If-None-Match names the current ETag. */
export const notModifiedResponse = {
  304: Type.Null({ description: 'Not modified: the ETag in If-None-Match is still current. No body; the ETag and Cache-Control headers are sent.' })
}

/**
 * Why and on what grounds a write is made: kept in the change record of a visit, leg or
 * engagement (GET /v1/changes, GET /v1/visits/{visit}/changes). Header values are ASCII, so a
 * reason in Korean or Chinese is sent percent-encoded (decodeChangeReason).
 */
const ChangeHeaders = {
  'change-reason': Type.Optional(Type.String({
    // Within the 16 KiB every request's headers must fit in, with room for the rest.
    maxLength: 1200,
    // Tabs too: at either end HTTP drops them, inside the reason refuses them.
    pattern: '^[\\t\\x20-\\x7e]*$',
    description: `Why the change is made, kept with the change record of a visit, leg or engagement: at most ` +
      `${CHANGE_REASON_MAX_LENGTH} characters once decoded and 1200 as sent. Header values are ASCII: send other characters ` +
      'percent-encoded as UTF-8, as encodeURIComponent does (a Korean or Chinese character takes 9, so about 130 of them fit); ' +
      'every %XX sequence is decoded, so write a literal % as %25.',
    examples: ['%EC%B2%AD%EC%99%80%EB%8C%80%20%EB%B0%9C%ED%91%9C%EC%97%90%20%EB%94%B0%EB%9D%BC%20%EC%8B%9C%EA%B0%84%20%EB%B3%80%EA%B2%BD']
  })),
  'change-source': Type.Optional(Type.String({
    maxLength: 1000,
    // Blanks at either end are not part of a header value in HTTP; checkChangeSource parses the rest.
    pattern: '^[\\t ]*https://[\\x21-\\x7e]+[\\t ]*$',
    description: 'An https URL the change is based on (an announcement, a pool report), kept with the change record.',
    examples: ['https://www.president.go.kr/briefing/1234']
  }))
}

/** Headers of PATCH and DELETE: the write applies only to the version the client has seen. */
export const ConditionalWriteHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({
    maxLength: 1024,
    description: 'Required (428 without it): the ETag from your last read of this resource, or "v<version>". ' +
      'The change applies only if the resource is still at that version; otherwise 412. `*` is refused.',
    // What the rows of the demo visit are at on a fresh start, which the path examples name.
    examples: ['"v1"']
  })),
  ...ChangeHeaders
})

/** Headers of POST: a retry with the same key replays the first response instead of creating again. */
export const IdempotentPostHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x20-\\x7e]+$',
    description: 'A unique value per new request (a UUID), kept 24 hours per token. A retry with the same key and ' +
      'the same request gets the first response again, byte for byte, with Idempotent-Replayed: true; ' +
      'the same key with another request gets 422; while the first is still running, 409.'
    // No example: Swagger UI would fill it in, and each later try would replay the first answer
    // instead of creating, or get 422 once the body was changed.
  })),
  ...ChangeHeaders
})

export function Page<T extends TSchema> (id: string, item: T, description: string) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(Type.String(), {
      description: 'Pass as `cursor` to get the next page; null on the last page.'
    })
  }, { $id: id, title: id, description })
}

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, format: 'int32', default: 50, description: 'Page size, at most 200.' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, pattern: TEXT_PATTERN, description: 'The `nextCursor` of the previous page.' }))
}

// The shape of a BCP 47 tag; whether it is a real one is Intl's call (src/domain/languages.ts).
const LANGUAGE_TAG_PATTERN = '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$'

/** A map of BCP 47 language tag -> text; tags are stored in canonical form ("zh-hans" becomes "zh-Hans"). */
export const TranslationsInput = (description: string, maxLength: number) => Type.Unsafe<Record<string, string>>({
  type: 'object',
  propertyNames: { pattern: LANGUAGE_TAG_PATTERN, maxLength: 35 },
  additionalProperties: { type: 'string', minLength: 1, maxLength, pattern: TEXT_PATTERN },
  maxProperties: 20,
  description: `${description} Keys are BCP 47 language tags (at most 20).`,
  examples: [{ ko: '시진핑', zh: '习近平' }]
})

export const TranslationsView = Type.Unsafe<Record<string, string>>({
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 300 },
  maxProperties: 20,
  description: 'BCP 47 language tag -> the same text in that language.',
  examples: [{ ko: '시진핑', zh: '习近平' }]
})

/** ?lang= of every read that shows titles or names; other queries take its `properties`. */
export const LanguageQuery = Type.Object({
  lang: Type.Optional(Type.String({
    maxLength: 35,
    pattern: LANGUAGE_TAG_PATTERN,
    description: 'A BCP 47 language tag: titles and names come in that language where a translation exists ' +
      '(zh-Hans-CN falls back to zh-Hans, then zh), with the original alongside as originalTitle / originalName. ' +
      'For example ko or zh.'
  }))
}, { additionalProperties: false })

/** The reader's zone, ?tz= of a read that shows times: it gives each time also in that zone, as `viewer`. */
export const ViewerTimeZone = Type.String({ ...TimeZoneName, description: 'Also give every time in this zone (the reader\'s), as `viewer`.', examples: ['America/New_York'] })

/** ?tz= and ?lang= of a read that shows engagements; other queries take its `properties`. */
export const ViewerQuery = Type.Object({
  tz: Type.Optional(ViewerTimeZone),
  ...LanguageQuery.properties
}, { additionalProperties: false })

/** The `{id}` of a path; `example`, a row of the demo visit, is what Swagger UI fills in. */
export const idParams = (example: string) => Type.Object({ id: Type.String({ ...Uuid, examples: [example] }) })

/** How a visit is named in a path or a filter: its id, or its slug. */
export const VisitIdOrSlug = Type.String({ minLength: 1, maxLength: 100, pattern: TEXT_PATTERN, examples: ['lee-jae-myung-china-2026'] })

export const VisitParams = Type.Object({
  visit: Type.String({ ...VisitIdOrSlug, description: 'The visit\'s id or slug.' })
})

import fc from 'fast-check'
import { asText, brokenParameterText, mutatedValue, validValue } from './arbitraries.js'
import type { Fixtures, FixtureKey } from './fixtures.js'
import type { Operation, Parameter, Schema } from './openapi-model.js'

/** A path parameter: one of the real rows, or literal text. */
export type PathValue = { fixture: FixtureKey } | { text: string }

export type BodySpec = { json: unknown } | { raw: string, contentType: string }

/** One generated request for one operation. Valid unless `mutation` says what was broken. */
export interface FuzzCase {
  path: Record<string, PathValue>
  query: Record<string, string>
  headers: Record<string, string>
  body: BodySpec | undefined
  auth: 'token' | 'none' | 'wrong' | 'malformed'
  precondition: 'current' | 'none' | 'stale'
  mutation: string | null
}

/** Whether the operation makes a client prove which version it changes (If-Match). */
export function takesPrecondition (operation: Operation): boolean {
  return ['put', 'patch', 'delete'].includes(operation.method)
}

function objectOf (parameters: Parameter[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name)
  }
}

function generatedHeaders (operation: Operation): Parameter[] {
  return operation.parametersIn.header.filter((parameter) => !PRECONDITION_HEADERS.includes(parameter.name.toLowerCase()))
}

function asTexts (value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, item]) => [name, asText(item)]))
}

function pathValue (operation: Operation, parameter: Parameter, fixtures: Fixtures): fc.Arbitrary<PathValue> {
  const random = validValue(parameter.schema).map((value): PathValue => ({ text: asText(value) }))
  if (!fixtures.has(operation.path, parameter.name)) return random
  const keys: FixtureKey[] = parameter.schema.format === 'uuid' ? ['id'] : ['id', 'slug']
  // Mostly real rows, so that valid requests reach the code behind the lookup.
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...keys).map((key): PathValue => ({ fixture: key })) }, { weight: 1, arbitrary: random })
}

const PRECONDITION_STATUSES = ['412', '428']

/** Preconditions are set from a fresh read of the resource (see exercise.ts), not generated. */
const PRECONDITION_HEADERS = ['if-match', 'if-none-match']

function validCase (operation: Operation, fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  const { path, query } = operation.parametersIn
  const header = generatedHeaders(operation)
  // Every optional filter at once rarely matches a row; often send only the required ones.
  const queries = fc.oneof(validValue(objectOf(query.filter((parameter) => parameter.required))), validValue(objectOf(query)))
  return fc.record({
    path: fc.record(Object.fromEntries(path.map((parameter) => [parameter.name, pathValue(operation, parameter, fixtures)]))),
    query: queries.map(asTexts),
    headers: validValue(objectOf(header)).map(asTexts),
    body: operation.body === undefined
      ? fc.constant(undefined)
      : fc.tuple(validValue(operation.body), fc.nat(3)).map(([json, dice]): BodySpec => ({ json: dice > 0 ? fixtures.linked(json) : json })),
    auth: fc.constant('token' as const),
    precondition: fc.constant('current' as const),
    mutation: fc.constant(null)
  })
}

const MALFORMED_JSON = ['{"title": ', '{', '[', '{"a":1,}', '{"a":1}{"b":2}', 'NaN', '\u0000', '{\'title\': \'single quotes\'}',
  '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}', '\uFEFF{"a":', '{"a":"\u0000\r\n"']
const WRONG_MEDIA_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json-patch+json']
const UNKNOWN_QUERY_NAMES = ['unexpected', '__proto__', 'constructor', 'LIMIT', 'limit[]', 'q\u0000', 'tz ']
const OVERSIZED_BODY_BYTES = 300_000

/** Requests broken in one place each: the body, a parameter, a header, the token or the precondition. */
function mutantCase (operation: Operation, fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  const valid = validCase(operation, fixtures)
  const { path, query } = operation.parametersIn
  const header = generatedHeaders(operation)
  const broken = (change: (base: FuzzCase) => fc.Arbitrary<FuzzCase>) => valid.chain(change)
  const mutants: Array<fc.Arbitrary<FuzzCase>> = [
    broken((base) => fc.tuple(fc.constantFrom(...UNKNOWN_QUERY_NAMES), fc.string({ maxLength: 10 }))
      .map(([name, value]) => ({ ...base, query: { ...base.query, [name]: value }, mutation: `unknown query parameter ${JSON.stringify(name)}` })))
  ]
  for (const parameter of query) {
    mutants.push(broken((base) => brokenParameterText(parameter.schema)
      .map((text) => ({ ...base, query: { ...base.query, [parameter.name]: text }, mutation: `query ${parameter.name}=${JSON.stringify(text.slice(0, 60))}` }))))
  }
  for (const parameter of path) {
    mutants.push(broken((base) => brokenParameterText(parameter.schema)
      .map((text) => ({ ...base, path: { ...base.path, [parameter.name]: { text } }, mutation: `path ${parameter.name}=${JSON.stringify(text.slice(0, 60))}` }))))
  }
  for (const parameter of header) {
    mutants.push(broken((base) => brokenParameterText(parameter.schema)
      .map((text) => ({ ...base, headers: { ...base.headers, [parameter.name]: text }, mutation: `header ${parameter.name}=${JSON.stringify(text.slice(0, 60))}` }))))
  }
  if (operation.body !== undefined) {
    mutants.push(
      broken((base) => mutatedValue(operation.body as Schema).map(({ value, how }) => ({ ...base, body: { json: value }, mutation: `body: ${how}` }))),
      broken((base) => mutatedValue(operation.body as Schema).map(({ value, how }) => ({ ...base, body: { json: value }, mutation: `body: ${how}` }))),
      broken((base) => fc.constantFrom(...MALFORMED_JSON)
        .map((raw) => ({ ...base, body: { raw, contentType: 'application/json' }, mutation: `malformed JSON ${JSON.stringify(raw)}` }))),
      broken((base) => fc.constantFrom(...WRONG_MEDIA_TYPES)
        .map((contentType) => ({ ...base, body: { raw: 'title=x', contentType }, mutation: `body as ${contentType}` }))),
      broken((base) => fc.constant({ ...base, body: { raw: '', contentType: 'application/json' }, mutation: 'empty JSON body' })),
      broken((base) => fc.constant({
        ...base,
        body: { raw: JSON.stringify({ title: 'x'.repeat(OVERSIZED_BODY_BYTES) }), contentType: 'application/json' },
        mutation: `body of ${OVERSIZED_BODY_BYTES} bytes`
      }))
    )
  }
  if (operation.needsToken) {
    mutants.push(broken((base) => fc.constantFrom('none', 'wrong', 'malformed' as const)
      .map((auth) => ({ ...base, auth, mutation: `token ${auth}` }))))
  }
  if (takesPrecondition(operation) && PRECONDITION_STATUSES.some((status) => status in operation.responses)) {
    mutants.push(broken((base) => fc.constantFrom('none', 'stale' as const)
      .map((precondition) => ({ ...base, precondition, mutation: `If-Match ${precondition}` }))))
  }
  return fc.oneof(...mutants)
}

/** Valid and broken requests for one operation, about half each. */
export function fuzzCase (operation: Operation, fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  return fc.oneof(validCase(operation, fixtures), mutantCase(operation, fixtures))
}

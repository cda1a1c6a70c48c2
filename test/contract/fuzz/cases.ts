import fc from 'fast-check'
import { asText, brokenParameterText, forgedCursor, jsonText, mutatedValue, validValue } from './arbitraries.js'
import type { Fixtures, FixtureKey } from './fixtures.js'
import type { Operation, Parameter, Schema } from './openapi-model.js'

/** A path parameter: one of the real rows, or literal text. */
export type PathValue = { fixture: FixtureKey } | { text: string }

/** A JSON value to send, or a body sent as it is: text, or bytes that need not be UTF-8. */
export type BodySpec = { json: unknown } | { raw: string | Buffer, contentType: string }

/** One generated request for one operation. Valid unless `mutation` says what was broken. */
export interface FuzzCase {
  path: Record<string, PathValue>
  query: Record<string, string>
  /** Sent after the encoded query as it is, for percent-encoding that is not UTF-8 ("%FF"); usually empty. */
  rawQuery: string
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
    rawQuery: fc.constant(''),
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
/** Percent-encoding that is not UTF-8: a lone byte, an encoded surrogate, an overlong form, a cut sequence, a bare %. */
const UNDECODABLE_TEXT = ['%FF', 'a%ED%A0%80', '%C0%80', '%E2%82', '100%']
/** Bytes that are not UTF-8, put inside a string of a valid body. */
const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80]]
const CURSOR_PARAMETERS = ['cursor', 'since']

/** The JSON text of a body with `bytes` put right after one of its quotes: inside a key or a value, or (after a closing quote) breaking it. */
function withBytesInString (json: unknown, bytes: number[], choice: number): Buffer {
  const text = Buffer.from(jsonText(json), 'utf8')
  const quotes = [...text.keys()].filter((index) => text[index] === 0x22)
  const at = (quotes[choice % Math.max(quotes.length, 1)] ?? -1) + 1
  return Buffer.concat([text.subarray(0, at), Buffer.from(bytes), text.subarray(at)])
}

/** The body with an unpaired surrogate appended to one of its strings (JSON sends it as \ud800); unchanged when it has none. */
function withUnpairedSurrogate (json: unknown, choice: number): unknown {
  const copy = structuredClone(json)
  const holders: Array<[Record<string, unknown>, string]> = []
  const collect = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return
    for (const [key, item] of Object.entries(node)) {
      if (typeof item === 'string') holders.push([node as Record<string, unknown>, key])
      else collect(item)
    }
  }
  collect(copy)
  const picked = holders[choice % Math.max(holders.length, 1)]
  if (picked !== undefined) picked[0][picked[1]] = `${String(picked[0][picked[1]])}\uD800`
  return copy
}

/** What a valid case would send as its body, with the fixtures' rows in it. */
const bodyOf = (base: FuzzCase) => base.body !== undefined && 'json' in base.body ? base.body.json : {}

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
  if (query.length > 0) {
    mutants.push(broken((base) => fc.tuple(fc.constantFrom(...query.map((parameter) => parameter.name)), fc.constantFrom(...UNDECODABLE_TEXT))
      .map(([name, text]) => {
        const rawQuery = `${encodeURIComponent(name)}=${text}`
        const others = Object.fromEntries(Object.entries(base.query).filter(([other]) => other !== name))
        return { ...base, query: others, rawQuery, mutation: `query not percent-encoded UTF-8: ${rawQuery}` }
      })))
  }
  for (const parameter of query.filter((candidate) => CURSOR_PARAMETERS.includes(candidate.name))) {
    mutants.push(broken((base) => forgedCursor
      .map((cursor) => ({ ...base, query: { ...base.query, [parameter.name]: cursor }, mutation: `forged ${parameter.name} ${Buffer.from(cursor, 'base64url').toString('utf8')}` }))))
  }
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
      // Valid bodies otherwise, so that a server decoding them leniently would store them.
      broken((base) => fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat())
        .map(([bytes, choice]) => ({
          ...base,
          body: { raw: withBytesInString(bodyOf(base), bytes, choice), contentType: 'application/json' },
          mutation: `bytes ${bytes.map((byte) => byte.toString(16)).join(' ')} that are not UTF-8 in the body`
        }))),
      broken((base) => fc.nat().map((choice) => ({ ...base, body: { json: withUnpairedSurrogate(bodyOf(base), choice) }, mutation: 'an unpaired surrogate in a string of the body' }))),
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
